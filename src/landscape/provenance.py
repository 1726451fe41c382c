"""Provenance: what produced a number or a figure (parameters, seed, versions, git commit)."""
from __future__ import annotations

import datetime as _dt
import importlib.metadata as _md
import platform
import subprocess
from pathlib import Path
from typing import Any

PACKAGES = ("landscape", "torch", "numpy", "matplotlib", "papermill", "jupyter-book", "myst-nb")
REPO_ROOT = Path(__file__).resolve().parents[2]


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
