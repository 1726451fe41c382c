# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: landscape
#     language: python
#     name: landscape
# ---

# %% [markdown]
# # How to cite
#
# Please cite the paper for its results and, if you use this companion's code, figures or
# numbers, the companion as well (the version and commit below are those of this build).

# %% tags=["parameters"]
profile = "smoke"  # str: "smoke" or "paper"; the profile the other notebooks of this build were executed with

# %%
import json
import re

from IPython.display import Markdown, display

import landscape
from landscape.companion import execute as _execute
from landscape.companion.page import key_numbers, output_dir
from landscape.companion.provenance import REPO_ROOT, git_state

state = git_state()
commit = state["commit"]
short = commit[:12] if commit != "unknown" else commit
dirty = " (with uncommitted changes)" if state["dirty"] else ""
display(Markdown(f"""## The paper

```bibtex
@inproceedings{{pokle2022contrasting,
  title     = {{Contrasting the landscape of contrastive and non-contrastive learning}},
  author    = {{Pokle, Ashwini and Tian, Jinjin and Li, Yuchen and Risteski, Andrej}},
  booktitle = {{Proceedings of The 25th International Conference on Artificial Intelligence and Statistics}},
  series    = {{Proceedings of Machine Learning Research}},
  volume    = {{151}},
  pages     = {{8592--8618}},
  year      = {{2022}},
  publisher = {{PMLR}},
  url       = {{https://proceedings.mlr.press/v151/pokle22a.html}}
}}
```

## This companion

Version {landscape.__version__}, commit `{short}`{dirty}.

```bibtex
@software{{landscape_companion,
  title   = {{A reproducible companion to "Contrasting the landscape of contrastive and non-contrastive learning"}},
  note    = {{Python library, notebooks and Jupyter Book re-running Pokle, Tian, Li and Risteski (AISTATS 2022)}},
  version = {{{landscape.__version__}}},
  commit  = {{{commit}}},
  year    = {{2024}}
}}
```
"""))

# %% [markdown]
# ## Figures: files and provenance
#
# Every figure of this book is saved by its notebook as PDF, SVG and PNG. Each file carries its
# provenance in its own metadata (PNG `Description`, PDF `Subject`, SVG `Description`, as JSON):
# the notebook, its parameters (profile and seed included), the library versions and the git
# commit. The table below is read back from the PDF files' metadata, so it shows what the files
# themselves say. Figures not yet produced by this build are marked as such.

# %%
from pypdf import PdfReader

out = output_dir()
executed = out.parent if out is not None else REPO_ROOT / "book" / "executed"
declared = {}   # notebook -> figure stems its source saves (literal names only)
for name in _execute.toc_notebooks():
    src = (REPO_ROOT / "notebooks" / f"{name}.py").read_text()
    stems = re.findall(r'save_figure\(\s*\w+\s*,\s*f?"([^"]+)"', src)
    if stems:
        declared[name] = stems


def provenance_of(pdf):
    meta = PdfReader(str(pdf)).metadata or {}
    try:
        return json.loads(meta.get("/Subject", "{}"))
    except ValueError:
        return {}


rows = ["| Figure | Notebook | Download | Profile | Seed | Parameters | Versions | Commit |",
        "|---|---|---|---|---|---|---|---|"]
n_found = 0
for name, stems in declared.items():
    folder = executed / name
    found = sorted(p.stem for p in folder.glob("*.pdf")) if folder.is_dir() else []
    for stem in (found or stems):
        pdf = folder / f"{stem}.pdf"
        if not pdf.exists():
            rows.append(f"| {stem} | {{doc}}`{name}` | *not built yet* | | | | | |")
            continue
        n_found += 1
        rec = provenance_of(pdf)
        params = rec.get("params", {})
        versions = rec.get("versions", {})
        links = " ".join(f"{{download}}`{fmt.upper()} <{name}/{stem}.{fmt}>`" for fmt in ("pdf", "svg", "png")
                         if (folder / f"{stem}.{fmt}").exists())
        shown = {k: v for k, v in params.items() if k not in ("runs", "seed") and v is not None}
        par = ", ".join(f"{k}={v}" for k, v in list(shown.items())[:6]) + (" …" if len(shown) > 6 else "")
        ver = ", ".join(f"{k} {versions[k]}" for k in ("landscape", "torch", "numpy") if k in versions)
        git = rec.get("git", {})
        rows.append(f"| {stem} | {{doc}}`{name}` | {links} | {params.get('profile', rec.get('profile', '?'))} | "
                    f"{params.get('seed', '—')} | {par or '—'} | {ver} | `{str(git.get('commit', '?'))[:12]}`"
                    f"{'+' if git.get('dirty') else ''} |")
display(Markdown("\n".join(rows)))
print(f"{n_found} figure files found in {executed.name}/ (a + after a commit: uncommitted changes)")

# %% [markdown]
# To read a figure's provenance yourself, e.g. with pypdf:
#
# ```python
# import json
# from pypdf import PdfReader
# print(json.dumps(json.loads(PdfReader("figure-02.pdf").metadata["/Subject"]), indent=2))
# ```
#
# or with Pillow for the PNG (`Image.open("figure-02.png").text["Description"]`).

# %% tags=["nbval-check-output"]
key_numbers({"cite_notebooks_with_figures": len(declared),
             "cite_figures_declared": sum(len(v) for v in declared.values())})
