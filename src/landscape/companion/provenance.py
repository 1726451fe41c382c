"""Provenance: what produced a number or a figure (parameters, seed, versions, git commit), and
how to cite it (BibTeX for the paper and the companion, a one-line credit for a figure)."""
from __future__ import annotations

import datetime as _dt
import importlib.metadata as _md
import platform
import subprocess
from pathlib import Path
from typing import Any, Mapping

from .. import __version__

from . import REPO_ROOT

PACKAGES = ("landscape", "torch", "numpy", "matplotlib", "papermill", "jupyter-book", "myst-nb")


def package_versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = _md.version(name)
        except _md.PackageNotFoundError:
            out[name] = "not installed"
    out["python"] = platform.python_version()
    return out


def git_state(root: Path = REPO_ROOT) -> dict[str, Any]:
    """The commit of the working tree and whether it has uncommitted changes."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=10).stdout.strip()
    try:
        commit = git("rev-parse", "HEAD") or "unknown"
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "unknown", None
    return {"commit": commit, "dirty": dirty}


def collect(**fields: Any) -> dict[str, Any]:
    """A provenance record: the given fields plus versions, git state, host and time."""
    record = dict(fields)
    record.setdefault("created", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    record["versions"] = package_versions()
    record["git"] = git_state()
    record["host"] = platform.node()
    return record


PAPER_BIBTEX = """@inproceedings{pokle2022contrasting,
  title     = {Contrasting the landscape of contrastive and non-contrastive learning},
  author    = {Pokle, Ashwini and Tian, Jinjin and Li, Yuchen and Risteski, Andrej},
  booktitle = {Proceedings of The 25th International Conference on Artificial Intelligence and Statistics (AISTATS)},
  series    = {Proceedings of Machine Learning Research},
  volume    = {151},
  pages     = {8592--8618},
  year      = {2022},
  publisher = {PMLR},
  url       = {https://proceedings.mlr.press/v151/pokle22a.html}
}"""


def companion_bibtex(commit: str | None = None, dirty: bool | None = None) -> str:
    if commit is None:
        state = git_state()
        commit, dirty = state.get("commit"), state.get("dirty")
    state_note = f"git commit {commit}" + (" (uncommitted changes)" if dirty else "")
    return (
        "@misc{landscape_companion,\n"
        "  title        = {landscape: a reproducible companion to ``Contrasting the landscape of "
        "contrastive and non-contrastive learning''},\n"
        "  author       = {{The landscape companion authors}},\n"
        f"  version      = {{{__version__}}},\n"
        f"  howpublished = {{Python package \\texttt{{landscape}} {__version__}, Jupyter Book and notebooks}},\n"
        f"  note         = {{Version {__version__}, {state_note}. Companion to \\cite{{pokle2022contrasting}}}}\n"
        "}")


def figure_credit(section: str, prov: Mapping[str, Any] | None, where: str,
                  path: Path | None = None) -> str:
    """One line crediting a figure (or table) to the paper and to the execution that drew it."""
    if prov is None:
        return (f"{section}: after Pokle et al. (AISTATS 2022); notebook not executed here yet "
                f"(landscape run to produce it), landscape {__version__}.")
    nb = prov.get("notebook")
    params = prov.get("parameters") or {}
    params = {k: v for k, v in params.items() if k != "profile"}
    git = prov.get("git") or {}
    commit = str(git.get("commit") or "unknown")
    short = commit[:12] + ("+dirty" if git.get("dirty") else "")
    version = (prov.get("versions") or {}).get("landscape") or (prov.get("library") or {}).get("version")
    seed = prov.get("seed")
    if seed is None:
        seed = (prov.get("resolved_parameters") or {}).get("seed", params.get("seed"))
    when = prov.get("end") or prov.get("created")
    ptext = ", ".join(f"{k}={v!r}" for k, v in params.items()) or "defaults"
    src = f"run folder {path.parent}" if where == "run" and path else f"{where} {path.parent}" if path else where
    return (f"{section}: reproduced from Pokle et al. (AISTATS 2022) by notebook {nb} "
            f"(profile {prov.get('profile')}, parameters: {ptext}, seed {seed}) with landscape "
            f"{version} at commit {short}, executed {when}; provenance: {src}.")
