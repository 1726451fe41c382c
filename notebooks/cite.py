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
# numbers, the companion as well. The companion's entry is built from `CITATION.cff` (the file
# at the top of the repository that code hosts and reference managers read), with the version
# and commit of this build and the year it was built.

# %% tags=["parameters", "hide-cell"]
profile = "smoke"  # str: "smoke" or "paper"; the profile the other notebooks of this build were executed with

# %% tags=["hide-input"]
import datetime
import json
import re

import yaml
from IPython.display import Markdown, display

import landscape
from landscape import atlas
from landscape.companion import atlas_page
from landscape.companion import execute as _execute
from landscape.companion.page import glue, key_numbers, output_dir
from landscape.companion.provenance import PAPER_BIBTEX, REPO_ROOT, git_state

cff = yaml.safe_load((REPO_ROOT / "CITATION.cff").read_text())
state = git_state()
commit = state["commit"]
short = commit[:12] if commit != "unknown" else commit
built = datetime.datetime.now(datetime.timezone.utc)   # the year of this build, not a typed one
authors = " and ".join(a.get("name") or f"{a['family-names']}, {a['given-names']}" for a in cff["authors"])
url = cff.get("repository-code") or cff.get("url")
fields = [("author", "{" + authors + "}" if "name" in cff["authors"][0] else authors),
          ("title", " ".join(cff["title"].split())), ("version", landscape.__version__),
          ("year", str(built.year)), ("url", url),
          ("note", f"git commit {commit}" + (" (uncommitted changes)" if state["dirty"] else ""))]
companion = "@software{landscape_companion,\n" + ",\n".join(
    f"  {k:<8}= {{{v}}}" for k, v in fields if v) + "\n}"
glue("cite_version", landscape.__version__)
glue("cite_commit", short + (" (with uncommitted changes)" if state["dirty"] else ""))
glue("cite_year", str(built.year))
display(Markdown("## The paper\n\n```bibtex\n" + PAPER_BIBTEX + "\n```\n\n## This companion\n\n"
                 "```bibtex\n" + companion + "\n```"))

# %% [markdown]
# This build: version {glue:text}`cite_version`, commit {glue:text}`cite_commit`, built in
# {glue:text}`cite_year`. For one figure or table, `landscape cite NAME` prints a credit line
# read from the provenance of a run (or of this book's page).

# %% [markdown]
# ## Figures: files and provenance
#
# Every figure of this book is saved by its notebook as PDF, SVG and PNG. Each file carries its
# provenance in its own metadata (PNG `Description`, PDF `Subject`, SVG `Description`, as JSON):
# the notebook, its parameters (profile and seed included), the library versions and the git
# commit. The table below is read back from the PDF files' metadata, so it shows what the files
# themselves say. Figures not yet produced by this build are marked as such.

# %% tags=["hide-input"]
from pypdf import PdfReader

out = output_dir()
executed = out.parent if out is not None else REPO_ROOT / "book" / "executed"
declared = {}   # notebook -> figure stems its source saves (literal names only)
for name in _execute.toc_notebooks():
    src = (REPO_ROOT / "notebooks" / f"{name}.py").read_text()
    stems = re.findall(r'save_figure\(\s*\w+\s*,\s*f?"([^"]+)"', src)
    if name in atlas.names():   # the Atlas pages' figures are saved by landscape.companion.atlas_page
        stems = [f"{name}-{stem}" for stem in atlas_page.FIGURES]
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
        page = folder / "provenance.json"      # the page's execution: its profile
        page_profile = json.loads(page.read_text()).get("profile") if page.exists() else None
        versions = rec.get("versions", {})
        links = " ".join(f"{{download}}`{fmt.upper()} <{name}/{stem}.{fmt}>`" for fmt in ("pdf", "svg", "png")
                         if (folder / f"{stem}.{fmt}").exists())
        shown = {k: v for k, v in params.items() if k not in ("runs", "seed") and v is not None}
        par = ", ".join(f"{k}={v}" for k, v in list(shown.items())[:6]) + (" …" if len(shown) > 6 else "")
        ver = ", ".join(f"{k} {versions[k]}" for k in ("landscape", "torch", "numpy") if k in versions)
        git = rec.get("git", {})
        rows.append(f"| {stem} | {{doc}}`{name}` | {links} | {params.get('profile') or rec.get('profile') or page_profile or '?'} | "
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
# or with Pillow for the PNG:
#
# ```python
# from PIL import Image
# print(Image.open("figure-02.png").text["Description"])
# ```

# %% tags=["nbval-check-output", "hide-input", "hide-output"]
key_numbers(notebook="cite", numbers={"cite_notebooks_with_figures": len(declared),
             "cite_figures_declared": sum(len(v) for v in declared.values())})
