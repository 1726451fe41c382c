"""Run folders: one notebook executed with one set of parameters, complete or absent.

A run is executed in a hidden temporary folder beside its destination and moved into place
only when complete; a failure leaves the partial notebook in ``failed-<folder>/`` and nothing in
the destination.  Temporary folders carry the id of the process that made them
(``.tmp-<pid>-<folder>-*``), so a later run removes those of processes that were killed
(:func:`clean_stale`).  A destination already holding the same execution (same notebook, library,
parameters and profile: :func:`run_hash`) is reused, so an interrupted sweep resumes where it
stopped.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from .. import __version__
from ..fileio import read_json, write_json
from . import execute as _execute
from .parameters import UsageError, jsonable, resolve

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_DIVERGED = 3
EXIT_INTERRUPTED = 130
RUNS_DIR = Path("runs")


def params_hash(name: str, profile: str, params: Mapping[str, Any], n: int = 6) -> str:
    blob = json.dumps({"notebook": name, "profile": profile, "parameters": jsonable(dict(params))},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:n]


def default_run_dir(name: str, profile: str, params: Mapping[str, Any], root: Path | None = None) -> Path:
    """``runs/<name>-<hash of notebook, profile and parameters>`` under the working directory."""
    return Path(root or RUNS_DIR) / f"{name}-{params_hash(name, profile, params)}"


def run_hash(name: str, profile: str, params: Mapping[str, Any]) -> str:
    """What an execution depends on: notebook source, library source, parameters and profile."""
    return _execute.content_hash(name, {"parameters": jsonable(dict(params)), "profile": profile})


def file_checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of every file of a run folder but its ``provenance.json``, by name."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).iterdir()) if p.is_file() and p.name != "provenance.json"}


def verify_run(dest: Path, digest: str) -> str | None:
    """Why ``dest`` does not hold a finished, intact execution with the content hash ``digest``
    (None when it does): its provenance names the run and every file's checksum, and the files
    are there, unchanged, with readable key numbers."""
    dest = Path(dest)
    prov = read_json(dest / "provenance.json")
    if not isinstance(prov, dict):
        return "no readable provenance.json"
    if prov.get("run_hash") != digest:
        return "another execution (other parameters, notebook or library)"
    files = prov.get("files")
    if not isinstance(files, dict) or f"{prov.get('notebook')}.ipynb" not in files:
        return "its provenance lists no file checksums (an older or partial run)"
    actual = file_checksums(dest) if dest.is_dir() else {}
    changed = sorted(n for n in files if actual.get(n) != files[n])
    if changed:
        return f"changed or missing since it was written: {', '.join(changed)}"
    if read_json(dest / "key_numbers.json") is None and "key_numbers.json" in files:
        return "unreadable key_numbers.json"
    return None


def is_complete(dest: Path, digest: str) -> bool:
    """``dest`` holds a finished, intact execution with the content hash ``digest``."""
    return verify_run(dest, digest) is None


#: Files that mark a folder as a run folder (one that ``--force`` may replace).
_RUN_MARKERS = ("provenance.json", "key_numbers.json", "claims.json")


def _replaceable(dest: Path) -> bool:
    if not dest.exists():
        return True
    if not dest.is_dir():
        return False
    return (not any(dest.iterdir()) or any((dest / m).exists() for m in _RUN_MARKERS)
            or any(dest.glob("*.ipynb")))


def check_destination(dest: Path) -> None:
    """:class:`UsageError` when ``dest`` exists and is not a run folder ``--force`` may replace
    (a file, or a folder of other files)."""
    if not _replaceable(Path(dest)):
        what = "a file" if Path(dest).is_file() else "a folder without provenance.json or a notebook"
        raise UsageError(f"{Path(dest).absolute()} exists and is not a landscape run folder ({what}); "
                         "choose another --out")


@contextlib.contextmanager
def _deferred_interrupt() -> Iterator[None]:
    """Hold Ctrl-C back (main thread only) while folders are swapped; re-raise it after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[Any] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda *a: caught.append(a))
    except ValueError:  # not the main interpreter thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            raise KeyboardInterrupt


_STALE = re.compile(r"^\.(tmp|old)-(\d+)-")


def _alive(pid: int) -> bool:
    """Whether a process with id ``pid`` exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid < 2 ** 31  # another user's process, or an impossible id
    return True


def clean_stale(folder: Path) -> list[Path]:
    """Remove the temporary folders (``.tmp-<pid>-*``, ``.old-<pid>-*``) that processes which no
    longer run left in ``folder`` (a run killed by a signal that cannot be caught); returns them."""
    removed = []
    if not Path(folder).is_dir():
        return removed
    for path in Path(folder).iterdir():
        m = _STALE.match(path.name)
        if m and path.is_dir() and int(m.group(2)) != os.getpid() and not _alive(int(m.group(2))):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _move_into_place(src: Path, dest: Path) -> None:
    """Rename ``src`` to ``dest``; an earlier ``dest`` is swapped out and removed afterwards."""
    with _deferred_interrupt():
        if dest.exists():
            old = dest.parent / f".old-{os.getpid()}-{dest.name}-{uuid.uuid4().hex[:8]}"
            os.rename(dest, old)
            try:
                os.rename(src, dest)
            except BaseException:
                os.rename(old, dest)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(src, dest)


def _flatten(tmp: Path, name: str) -> None:
    """``tmp/<name>/*`` (execute's artefact folder) -> ``tmp/*``; the executed notebook's links
    to its figure files (``<name>/figure-05.png``) follow them."""
    _relink(tmp / f"{name}.ipynb", name)
    inner = tmp / name
    if inner.is_dir():
        for item in inner.iterdir():
            target = tmp / item.name
            if target.exists():
                if target.is_dir():
                    shutil.rmtree(target)
                else:
                    target.unlink()
            os.replace(item, target)
        inner.rmdir()


def _relink(path: Path, name: str) -> None:
    """Point the Markdown outputs' links into the artefact folder ``<name>/`` at the notebook's
    own folder, where :func:`_flatten` moves the files."""
    import nbformat

    if not path.exists():
        return
    nb = nbformat.read(path, as_version=4)
    changed = False
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/markdown")
            if isinstance(text, str) and f"]({name}/" in text:
                out["data"]["text/markdown"] = text.replace(f"]({name}/", "](")
                changed = True
    if changed:
        nbformat.write(nb, path)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _notebook_error(exc: BaseException) -> tuple[str, str]:
    """(exception name, message) of the error raised inside the notebook."""
    cause = exc.__cause__ or exc
    ename = getattr(cause, "ename", None) or type(cause).__name__
    evalue = getattr(cause, "evalue", None)
    if evalue is None:
        evalue = str(cause)
    return str(ename), _ANSI.sub("", str(evalue)).strip()


@dataclasses.dataclass
class RunOutcome:
    """What :func:`run_one` did: ``status`` is ``done``, ``reused``, ``failed`` or ``diverged``."""

    status: str
    notebook: str
    dest: Path
    message: str = ""
    failed_path: Path | None = None
    key_numbers: dict[str, Any] = dataclasses.field(default_factory=dict)
    wall_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in ("done", "reused")

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["dest"] = str(self.dest)
        d["failed_path"] = None if self.failed_path is None else str(self.failed_path)
        return d


def _keep_failed(tmp: Path, failed_dir: Path, name: str, message: str) -> Path:
    """Move the temporary folder of a failed run to ``failed_dir``; return the partial notebook."""
    _flatten(tmp, name)
    (tmp / "error.txt").write_text(message + "\n")
    if failed_dir.exists():
        shutil.rmtree(failed_dir, ignore_errors=True)
    os.chmod(tmp, 0o755)  # mkdtemp's 0700 is for the hidden working folder, not for what is kept
    os.rename(tmp, failed_dir)
    partial = failed_dir / f"failed-{name}.ipynb"
    return partial if partial.exists() else failed_dir


def run_one(name: str, params: Mapping[str, Any], profile: str, dest: Path | str, *,
            force: bool = False, stderr=None, log: Callable[[str], Any] = print,
            command: str | None = None) -> RunOutcome:
    """Execute notebook ``name`` with validated ``params`` into the folder ``dest``.

    ``dest`` gets ``<name>.ipynb``, the figures, ``key_numbers.json`` and ``provenance.json``,
    all at once (temporary folder + rename).  A failed execution goes to
    ``failed-<dest name>/`` beside it (partial notebook ``failed-<name>.ipynb`` and
    ``error.txt``).  ``stderr``: where to stream the kernel's stderr (progress bars), or None.
    ``KeyboardInterrupt`` propagates after the partial notebook has been kept.
    """
    import time

    dest = Path(dest).absolute()
    params = jsonable(dict(params))
    digest = run_hash(name, profile, params)
    problem = verify_run(dest, digest) if dest.exists() else "absent"
    if not force and problem is None:
        kn = read_json(dest / "key_numbers.json") or {}
        log(f"[landscape] {name}: {dest} already holds this execution; reused (--force re-runs)")
        return RunOutcome("reused", name, dest, key_numbers=kn)
    if not force and dest.exists() and (dest / "provenance.json").exists():
        log(f"[landscape] {name}: {dest} is not reused ({problem}); executing again")
    check_destination(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    for path in clean_stale(dest.parent):
        log(f"[landscape] removed {path}, left by a run that was killed")
    failed_dir = dest.parent / f"failed-{dest.name}"
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{os.getpid()}-{dest.name}-", dir=dest.parent))
    t0 = time.perf_counter()
    try:
        try:
            def relog(msg: str) -> Any:  # name the destination, not the temporary folder
                return log(str(msg).replace(str(tmp / f"{name}.ipynb"), str(dest / f"{name}.ipynb")))

            _execute.execute(name, tmp, params, profile=profile, progress=False, force=True,
                             log=relog, stderr_file=stderr)
        except KeyboardInterrupt:
            partial = _keep_failed(tmp, failed_dir, name, "interrupted (KeyboardInterrupt)")
            log(f"[landscape] {name}: interrupted; partial notebook kept at {partial}")
            raise
        except _execute.NotebookExecutionError as exc:
            ename, evalue = _notebook_error(exc)
            if ename == "KeyboardInterrupt":
                partial = _keep_failed(tmp, failed_dir, name, "interrupted (KeyboardInterrupt)")
                log(f"[landscape] {name}: interrupted; partial notebook kept at {partial}")
                raise KeyboardInterrupt from exc
            diverged = ename == "TrainingDiverged"
            message = f"{ename}: {evalue}" if not diverged else evalue
            partial = _keep_failed(tmp, failed_dir, name, message)
            return RunOutcome("diverged" if diverged else "failed", name, dest, message=message,
                              failed_path=partial, wall_s=time.perf_counter() - t0)
        _flatten(tmp, name)
        prov = read_json(tmp / "provenance.json") or {}
        kn = read_json(tmp / "key_numbers.json") or {}
        resolved = resolve(name, profile, params)
        prov.update(
            run_hash=digest, command=command, folder=str(dest),
            seed=resolved.get("seed"), device=resolved.get("device"),
            resolved_parameters=resolved, library={"name": "landscape", "version": __version__},
            key_numbers=kn, outputs=sorted(p.name for p in tmp.iterdir() if p.name != "provenance.json"),
            files=file_checksums(tmp),
        )
        write_json(tmp / "provenance.json", prov)
        os.chmod(tmp, 0o755)
        _move_into_place(tmp, dest)
        if failed_dir.exists():
            shutil.rmtree(failed_dir, ignore_errors=True)
        return RunOutcome("done", name, dest, key_numbers=kn, wall_s=time.perf_counter() - t0)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
