"""The one place where the companion's notebooks are executed.

The book build (``make book``), the golden notebooks for the tests (``make goldens``) and the
``landscape run`` command all go through :func:`execute`:

1. the percent-format source ``notebooks/<name>.py`` is read with jupytext;
2. papermill executes it with the given parameters (``profile`` included) in the ``landscape``
   kernel (or the current interpreter's kernel), with ``LANDSCAPE_OUTPUT_DIR`` pointing at the
   notebook's artefact folder ``<out_dir>/<name>/`` (figures, ``key_numbers.json``);
3. code cells are tagged for the book: parameters and key numbers folded (``hide-cell``), the
   code of every other cell folded (``hide-input``) unless the cell says otherwise;
4. the executed notebook is written atomically to ``<out_dir>/<name>.ipynb`` and a provenance
   record to ``<out_dir>/<name>/provenance.json``. On failure the partial notebook is kept as
   ``<out_dir>/failed-<name>.ipynb`` and the error is raised.

A notebook is executed again only when its source, its parameters (profile included), the
library's source (``src/landscape/**/*.py``) or the shipped results (``results/``) changed: their
content hash is stored in the executed notebook's metadata (``metadata.landscape.hash``) and
compared before running.

Command line: ``landscape book`` and ``landscape goldens`` (:mod:`landscape.companion.cli`).
"""
from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from ..experiments import closest
from ..fileio import atomic_write, environ, write_json
from . import DEFAULT_PROFILE, PROFILES, REPO_ROOT

PACKAGE_DIR = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
TOC_FILE = REPO_ROOT / "_toc.yml"
BOOK_EXECUTED = REPO_ROOT / "book" / "executed"
GOLDEN_DIR = REPO_ROOT / "tests" / "goldens"
RESULTS_DIR = REPO_ROOT / "results"
EXECUTED_PREFIX = "book/executed/"

GOLDEN_PROFILE = "smoke"
KERNEL_NAME = "landscape"
INJECTED_TAG = "injected-parameters"
BOOK_HIDE_TAG = "hide-cell"
METADATA_KEY = "landscape"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"

__all__ = [
    "NotebookExecutionError", "notebook_path", "list_notebooks", "toc_notebooks",
    "declared_parameters", "content_hash", "library_hash", "execute", "execute_all",
    "strip_volatile", "make_golden", "default_kernel_name", "parse_parameters",
]


class NotebookExecutionError(RuntimeError):
    """A notebook failed; ``failed_path`` holds the partially executed copy."""

    def __init__(self, name: str, failed_path: Path, cause: BaseException | None = None,
                 message: str | None = None):
        super().__init__(message or f"notebook {name!r} failed; partially executed notebook kept at "
                                    f"{failed_path}\n{cause}")
        self.name = name
        self.failed_path = failed_path
        self.__cause__ = cause


# ----------------------------------------------------------------------------- names and files
def list_notebooks(notebook_dir: Path | None = None) -> list[str]:
    """Stems of the percent-format notebook sources ``notebooks/*.py``, sorted."""
    notebook_dir = Path(notebook_dir or NOTEBOOK_DIR)
    return sorted(p.stem for p in Path(notebook_dir).glob("*.py") if not p.name.startswith("_"))


def notebook_path(name: str, notebook_dir: Path | None = None) -> Path:
    """``notebooks/<name>.py``; a clear ``ValueError`` (closest match, valid names) otherwise."""
    notebook_dir = Path(notebook_dir or NOTEBOOK_DIR)
    name = str(name)
    stem = name[:-3] if name.endswith(".py") else name
    if Path(stem).parent == notebook_dir or str(Path(stem).parent) == "notebooks":
        stem = Path(stem).name
    valid = list_notebooks(notebook_dir)
    if stem not in valid:
        hint = closest(stem, valid)
        raise ValueError(f"unknown notebook {name!r}{hint}; valid names: "
                         f"{', '.join(valid) if valid else '(none in ' + str(notebook_dir) + ')'}")
    return Path(notebook_dir) / f"{stem}.py"


def _toc_files(entry: Any) -> Iterator[str]:
    if isinstance(entry, dict):
        for key, value in entry.items():
            if key in ("file", "root") and isinstance(value, str):
                yield value
            else:
                yield from _toc_files(value)
    elif isinstance(entry, list):
        for item in entry:
            yield from _toc_files(item)


def toc_notebooks(toc: Path | None = None) -> list[str]:
    """Names of the notebooks the book shows: ``_toc.yml`` entries under ``book/executed/``.

    ``_toc.yml`` is the one list of notebooks: ``make book`` executes exactly these.
    """
    import yaml

    data = yaml.safe_load(Path(toc or TOC_FILE).read_text())
    names = []
    for file in _toc_files(data):
        file = file[:-6] if file.endswith(".ipynb") else file
        if file.startswith(EXECUTED_PREFIX):
            name = file[len(EXECUTED_PREFIX):]
            if name not in names:
                names.append(name)
    return names


def read_source(name: str):
    """The notebook ``notebooks/<name>.py`` as an ``nbformat`` node (via jupytext)."""
    import jupytext

    nb = jupytext.read(notebook_path(name))
    for cell in nb.cells:  # papermill's inspection expects every cell to have a tags list
        cell.metadata.setdefault("tags", [])
    return nb


def parse_parameters(source: str) -> dict[str, dict[str, Any]]:
    """Parameters assigned at the top level of a parameters cell: name -> default, type, help.

    Uses Python's own parser (papermill's line-based inspection misreads comments holding ``=``):
    ``default`` is the source text of the value, ``help`` the comment after it, and ``type`` the
    leading ``type:`` of that comment when there is one (``x = None  # int: ...``), else the
    type of the literal value.
    """
    import ast
    import io
    import tokenize

    tree = ast.parse(source)
    lines = source.splitlines()
    comments: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.string.lstrip("#").strip()
    out: dict[str, dict[str, Any]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        help_text = comments.get(node.end_lineno, "")
        type_name = None
        head, sep, _ = help_text.partition(":")
        if sep and head and all(ch.isalnum() or ch in "_[], |." for ch in head):
            type_name = head.strip()
        if type_name is None:
            try:
                type_name = type(ast.literal_eval(value)).__name__
            except (ValueError, SyntaxError):
                type_name = "object"
        out[target.id] = {"default": ast.get_source_segment(source, value), "type": type_name,
                          "help": help_text, "line": lines[node.lineno - 1]}
    return out


def _parameters_of(nb) -> dict[str, dict[str, Any]]:
    cells = [c for c in nb.cells if c.cell_type == "code" and "parameters" in _cell_tags(c)]
    return parse_parameters(cells[0].source) if cells else {}


def _cell_tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def declared_parameters(name: str, nb: Any = None) -> dict[str, dict[str, Any]]:
    """A notebook's parameters: name -> default, type, help. Those of its ``parameters`` cell,
    and for a figure or table notebook every knob of its experiment (defined once, in
    :data:`landscape.experiments.KNOBS`; default None, the profile's value)."""
    from .. import experiments

    out = _parameters_of(read_source(name) if nb is None else nb)
    exp = experiments.EXPERIMENTS.get(Path(name).stem)
    for key, knob in (exp.knobs.items() if exp is not None else ()):
        out.setdefault(key, {"default": "None", "type": knob.type_name,
                             "help": f"{knob.type_name}: {knob.help} [None: the profile's value]",
                             "line": f"{key} = None"})
    return out


# ----------------------------------------------------------------------------- hashing
def library_hash(package_dir: Path | None = None) -> str:
    """SHA-256 over the library's sources and package data (relative path and bytes of each
    ``.py``, ``.cpp`` and ``.csv`` file)."""
    package_dir = Path(package_dir or PACKAGE_DIR)
    h = hashlib.sha256()
    files = [p for ext in ("py", "cpp", "csv") for p in Path(package_dir).rglob(f"*.{ext}")]
    for path in sorted(files):
        if "__pycache__" in path.parts:
            continue
        h.update(path.relative_to(package_dir).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def data_hash(data_dir: Path | None = None) -> str:
    """SHA-256 over the shipped results (``results/``) that notebooks may read."""
    data_dir = Path(data_dir or RESULTS_DIR)
    h = hashlib.sha256()
    if data_dir.is_dir():
        for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
            h.update(path.relative_to(data_dir).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def content_hash(name: str, parameters: Mapping[str, Any]) -> str:
    """Hash of what an execution depends on: notebook source, parameters, library source and
    the shipped results in ``results/``."""
    h = hashlib.sha256()
    h.update(notebook_path(name).read_bytes() + b"\0")
    h.update(json.dumps(dict(parameters), sort_keys=True, default=str).encode() + b"\0")
    h.update(library_hash().encode() + b"\0")
    h.update(data_hash().encode())
    return h.hexdigest()


def _stored_hash(path: Path) -> str | None:
    """The content hash an executed notebook records, or None (missing, unreadable or malformed:
    the notebook is then executed again)."""
    try:
        with open(path) as fh:
            nb = json.load(fh)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    meta = nb.get("metadata") if isinstance(nb, dict) else None
    record = meta.get(METADATA_KEY) if isinstance(meta, dict) else None
    digest = record.get("hash") if isinstance(record, dict) else None
    return digest if isinstance(digest, str) else None


# ----------------------------------------------------------------------------- helpers
def default_kernel_name() -> str:
    """``landscape`` when that kernel is registered and runs this interpreter, else ``python3``.

    ``python3`` is the current interpreter's own kernel when ipykernel is installed in it.
    """
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        exe = Path(spec.argv[0])
        if exe.is_absolute() and exe.exists() and exe.resolve() != Path(sys.executable).resolve():
            # registered by another environment (e.g. an older checkout): use ours instead
            return "python3"
        return KERNEL_NAME
    except Exception:  # noqa: BLE001 - no such kernel, or no jupyter_client
        return "python3"


#: Tags with which a cell already says how the book shows it (Jupyter Book's, and ours:
#: ``show-input`` keeps a cell's code visible).
BOOK_DISPLAY_TAGS = frozenset({"hide-cell", "hide-input", "hide-output", "remove-cell", "remove-input",
                               "remove-output", "show-input"})


def _tag_for_book(nb) -> None:
    """How the book shows each code cell: the parameters that ran (papermill's injected cell, or
    the notebook's own when nothing was injected) and the key numbers nbval checks fold whole
    (``hide-cell``); the notebook's own defaults, overridden by an injected cell, are removed (the
    book would show ``profile = "smoke"`` on a page executed at paper scale); every other
    code cell folds its code and shows its output (``hide-input``), unless it is tagged already."""
    injected = any(INJECTED_TAG in c.get("metadata", {}).get("tags", []) for c in nb.cells)
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        tags = list(cell.get("metadata", {}).get("tags", []))
        if BOOK_DISPLAY_TAGS & set(tags):
            continue
        if injected and "parameters" in tags:  # its defaults are not what ran: the injected cell is
            cell.metadata.tags = [*tags, "remove-cell"]
            continue
        whole = {INJECTED_TAG, "parameters", "nbval-check-output"} & set(tags)
        cell.metadata.tags = [*tags, BOOK_HIDE_TAG if whole else "hide-input"]


def _check_parameters(name: str, nb, parameters: Mapping[str, Any]) -> None:
    if not any("parameters" in _cell_tags(c) for c in nb.cells):
        raise ValueError(f"notebook {name!r} has no cell tagged 'parameters'")
    declared = list(declared_parameters(name, nb))
    for key in parameters:
        if key not in declared:
            hint = closest(key, declared)
            raise ValueError(f"notebook {name!r} has no parameter {key!r}{hint}; "
                             f"its parameters: {', '.join(declared) or '(none)'}")


# ----------------------------------------------------------------------------- execution
def execute(name: str, out_dir: Path | str | None = None,
            parameters: Mapping[str, Any] | None = None, *, profile: str = DEFAULT_PROFILE,
            kernel_name: str | None = None, progress: bool | None = None,
            force: bool = False, log=print, stderr_file: Any = None) -> Path:
    """Execute ``notebooks/<name>.py`` into ``<out_dir>/<name>.ipynb`` and return that path.

    ``parameters`` override the notebook's ``parameters`` cell (unknown names are an error);
    ``profile`` (``smoke`` or ``paper``) is passed as the parameter ``profile`` when the notebook
    declares one. Skips the run when ``<out_dir>/<name>.ipynb`` already holds an execution of
    the same source, parameters and library (unless ``force``). ``stderr_file``: where to
    stream the kernel's stderr (training progress bars), or None.
    """
    import nbformat
    import papermill

    from .provenance import collect

    params = dict(parameters or {})
    profile = params.get("profile", profile)
    if profile not in PROFILES:
        hint = closest(str(profile), PROFILES)
        raise ValueError(f"unknown profile {profile!r}{hint}; valid profiles: {', '.join(PROFILES)}")
    src = notebook_path(name)
    name = src.stem
    nb = read_source(name)
    _check_parameters(name, nb, params)
    if "profile" in _parameters_of(nb):
        params.setdefault("profile", profile)
    elif profile != DEFAULT_PROFILE:
        log(f"[execute] note: {name} declares no 'profile' parameter; profile {profile!r} "
            "only reaches it as $LANDSCAPE_PROFILE")

    out_dir = Path(out_dir or BOOK_EXECUTED).resolve()
    out_path = out_dir / f"{name}.ipynb"
    artefacts = out_dir / name
    digest = content_hash(name, {**params, "__profile__": profile})
    if not force and out_path.exists() and _stored_hash(out_path) == digest:
        log(f"[execute] {name}: up to date ({digest[:12]}), not re-executed")
        return out_path

    out_dir.mkdir(parents=True, exist_ok=True)
    if artefacts.is_dir():  # no stale figures from an earlier execution
        shutil.rmtree(artefacts)
    artefacts.mkdir(parents=True)
    failed_path = out_dir / f"failed-{name}.ipynb"
    kernel = kernel_name or default_kernel_name()
    if progress is None:
        progress = sys.stderr.isatty()
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".ipynb", dir=out_dir)
    os.close(fd)
    tmp_path = Path(tmp)
    start = _dt.datetime.now(_dt.timezone.utc)
    t0 = time.perf_counter()
    log(f"[execute] {name}: running (profile={profile}, kernel={kernel}, parameters={params})")
    import logging

    # papermill re-inspects the parameters cell line by line and warns ("Unable to parse line",
    # "Passed unknown parameter") about comments holding '='; parse_parameters has already
    # validated the parameters, so keep those warnings quiet while it runs.
    quiet = [logging.getLogger(n) for n in ("papermill", "papermill.translators")]
    levels = [lg.level for lg in quiet]
    for lg in quiet:
        lg.setLevel(logging.ERROR)

    def _restore_logging() -> None:
        for lg, lvl in zip(quiet, levels):
            lg.setLevel(lvl)

    try:
        # the inline backend whatever the caller's MPLBACKEND (e.g. Agg in tests): an executed
        # notebook always carries its figures
        with environ(LANDSCAPE_OUTPUT_DIR=str(artefacts), LANDSCAPE_NOTEBOOK=name,
                     LANDSCAPE_PROFILE=profile, MPLBACKEND=INLINE_BACKEND):
            # shutdown_kernel "immediate": the kernel is stopped with a signal once the notebook
            # is done or interrupted; a graceful shutdown of a kernel still running a cell (Ctrl-C)
            # makes it print a ZMQError traceback when its reply finds the socket closed
            papermill.execute_notebook(nb, str(tmp_path), parameters=params, kernel_name=kernel,
                                       progress_bar=bool(progress), cwd=str(artefacts),
                                       report_mode=False, stderr_file=stderr_file,
                                       shutdown_kernel="immediate")
    except BaseException as exc:
        _restore_logging()
        if tmp_path.exists() and tmp_path.stat().st_size > 0:
            os.chmod(tmp_path, 0o644)  # mkstemp's 0600 is for the working copy, not what is kept
            os.replace(tmp_path, failed_path)
        else:
            tmp_path.unlink(missing_ok=True)
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise NotebookExecutionError(name, failed_path, exc) from exc
    _restore_logging()
    wall = time.perf_counter() - t0
    end = _dt.datetime.now(_dt.timezone.utc)

    executed = nbformat.read(tmp_path, as_version=4)
    _tag_for_book(executed)
    executed.metadata[METADATA_KEY] = {
        "notebook": name, "profile": profile, "parameters": params, "hash": digest,
    }
    nbformat.write(executed, tmp_path)
    os.chmod(tmp_path, 0o644)
    os.replace(tmp_path, out_path)
    failed_path.unlink(missing_ok=True)
    record = collect(notebook=name, source=str(src.resolve().relative_to(REPO_ROOT))
                     if src.resolve().is_relative_to(REPO_ROOT) else str(src),
                     parameters=params, profile=profile, kernel=kernel, hash=digest,
                     start=start.isoformat(timespec="seconds"),
                     end=end.isoformat(timespec="seconds"), wall_time_s=round(wall, 3))
    write_json(artefacts / "provenance.json", record)
    log(f"[execute] {name}: done in {wall:.1f} s -> {out_path}")
    return out_path


#: Pages that read what the others wrote (shipped runs, verdicts, figures): executed last, in this order.
READERS = ("scorecard", "gallery", "cite")


def _execute_one(name: str, out_dir: Path | str | None, profile: str,
                 kwargs: dict[str, Any]) -> tuple[str, Path | None, Path | None, str]:
    """:func:`execute` in a worker process (its own environment: ``execute`` sets the output
    folder in ``os.environ`` for the kernel it starts); a failure as (name, None, kept, message)."""
    try:
        return name, execute(name, out_dir, profile=profile, **kwargs), None, ""
    except NotebookExecutionError as exc:
        return name, None, exc.failed_path, str(exc)


def _each(worker: Callable[..., tuple[str, Path | None, Path | None, str]], names: list[str],
          jobs: int, *args: Any) -> list[Path]:
    """``worker(name, *args)`` for every name, ``jobs`` at a time in spawned processes, the
    :data:`READERS` after the others; every failure reported at the end."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ValueError(f"jobs must be an integer >= 1, got {jobs!r}")
    for name in names:  # fail fast on a typo before running anything
        notebook_path(name)
    done: dict[str, tuple[str, Path | None, Path | None, str]] = {}
    for group in ([n for n in names if n not in READERS], [n for n in READERS if n in names]):
        if jobs == 1 or len(group) < 2:
            results = (worker(name, *args) for name in group)
        else:
            pool = ProcessPoolExecutor(max_workers=min(jobs, len(group)),
                                       mp_context=multiprocessing.get_context("spawn"))
            with pool:
                results = list(pool.map(worker, group, *([a] * len(group) for a in args)))
        for result in results:
            done[result[0]] = result
            if result[1] is None:
                print(f"[execute] FAILED: {result[3]}", file=sys.stderr)
    failed = [done[n] for n in names if done[n][1] is None]
    if failed:
        kept = ", ".join(str(f[2]) for f in failed)
        raise NotebookExecutionError(
            ", ".join(f[0] for f in failed), failed[0][2],
            message=f"{len(failed)} of {len(names)} notebooks failed: "
                    f"{', '.join(f[0] for f in failed)} (partial notebooks: {kept}); first: {failed[0][3]}")
    return [done[n][1] for n in names]


def execute_all(names: Iterable[str], out_dir: Path | str | None = None, *,
                profile: str = DEFAULT_PROFILE, jobs: int = 1, **kwargs: Any) -> list[Path]:
    """Execute several notebooks, ``jobs`` at a time (each in its own process and kernel), the
    pages that read the others' results (:data:`READERS`) last; report every failure at the end."""
    return _each(_execute_one, list(names), jobs, out_dir, profile, kwargs)


# ----------------------------------------------------------------------------- goldens
_VOLATILE_NB_PAPERMILL = ("start_time", "end_time", "duration", "input_path", "output_path",
                          "environment_variables", "exception")


def strip_volatile(nb, *, drop_stderr: bool = True):
    """A copy of an executed notebook without what changes from run to run.

    Removes execution timestamps and durations (papermill's per-cell and per-notebook records,
    ``metadata.execution``), file paths, the library hash, and (by default) stderr streams
    (progress bars, warnings); outputs that nbval compares are kept.  Cell ids, random in each
    conversion, become their positions (``cell-0``, ``cell-1``, ...), so that a golden made
    again from the same notebook is the same file.
    """
    nb = copy.deepcopy(nb)
    pm = nb.metadata.get("papermill")
    if pm is not None:
        for key in _VOLATILE_NB_PAPERMILL:
            pm.pop(key, None)
    meta = nb.metadata.get(METADATA_KEY)
    if meta is not None:
        meta.pop("hash", None)
    nb.metadata.pop("widgets", None)
    for i, cell in enumerate(nb.cells):
        if "id" in cell:
            cell["id"] = f"cell-{i}"
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code" and drop_stderr:
            cell.outputs = [o for o in cell.outputs
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    return nb


def source_code_cells(nb) -> list[str]:
    """Code cells' sources, without papermill's injected-parameters cell."""
    return [c.source for c in nb.cells if c.cell_type == "code"
            and INJECTED_TAG not in c.get("metadata", {}).get("tags", [])]


def make_golden(name: str, golden_dir: Path | str | None = None, **kwargs: Any) -> Path:
    """Execute ``name`` with the smoke profile and store it, stripped, as ``<golden_dir>/<name>.ipynb``.

    Runs with an empty training cache, so the golden holds what the library computes now.
    """
    import nbformat

    golden_dir = Path(golden_dir or GOLDEN_DIR)
    golden_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"golden-{name}-") as tmp:
        # an empty training cache: goldens hold what the code computes now, as nbval will; the
        # full-precision key numbers are recorded beside the golden (page.golden_check)
        with environ(LANDSCAPE_CACHE_DIR=str(Path(tmp) / "cache"), LANDSCAPE_GOLDEN_DIR=str(golden_dir),
                     LANDSCAPE_GOLDEN_MODE="record"):
            path = execute(name, Path(tmp) / "executed", profile=GOLDEN_PROFILE, force=True, **kwargs)
        nb = strip_volatile(nbformat.read(path, as_version=4))
    out = golden_dir / f"{Path(path).stem}.ipynb"
    atomic_write(out, lambda tmp: nbformat.write(nb, tmp))
    return out


def _golden_one(name: str, kwargs: dict[str, Any]) -> tuple[str, Path | None, Path | None, str]:
    try:
        return name, make_golden(name, **kwargs), None, ""
    except NotebookExecutionError as exc:
        return name, None, exc.failed_path, str(exc)


def make_goldens(names: Iterable[str], *, jobs: int = 1, **kwargs: Any) -> list[Path]:
    """:func:`make_golden` for every name, ``jobs`` at a time (the :data:`READERS` last)."""
    return _each(_golden_one, list(names), jobs, kwargs)
