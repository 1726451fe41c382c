"""The ``landscape`` command: list, re-execute, sweep and cite the companion's notebooks.

::

    landscape list [NAME ...] [--brief] [--json]
    landscape run NAME [-p KEY VALUE ...] [--profile smoke|paper] [--device auto|cpu|cuda]
                       [--out DIR] [--force] [--quiet]
    landscape sweep NAME -p KEY v1,v2,... [-p KEY2 ...] [--profile ...] [--workers N]
                       [--scheduler ADDRESS] [--out DIR] [--plot-keys K1,K2] [--force]
    landscape cite NAME [--out DIR] [-p KEY VALUE ...] [--profile ...]

Every notebook is executed by :func:`landscape.execute.execute` (papermill); this module only
resolves names, parses and validates parameters, and places the outputs:

* ``NAME`` is a notebook (``figure-05``) or a friendly form of it (``figure-5``, ``fig5``,
  ``Figure 5``, ``tab2``, ``thm1``), or a paper section drawn by another notebook
  (``Figure 10`` -> ``figure-03``, ``Table 3`` -> ``table-1``).
* ``-p KEY VALUE``: ``VALUE`` is read with :func:`ast.literal_eval` (never ``eval``); anything it
  cannot read stays a string (``-p latents code``).  Names and types are checked against the
  notebook's own ``parameters`` cell (:func:`landscape.execute.declared_parameters`) and, for the
  figure and table notebooks, against :meth:`landscape.experiments.Experiment.resolve` (ranges,
  impossible configurations such as m < d) before anything runs.
* A run is executed in a hidden temporary folder beside its destination and moved into place
  only when complete; a failure leaves the partial notebook in ``failed-<folder>/`` and nothing
  in the destination.  A destination already holding the same execution (same notebook, library,
  parameters and profile) is reused, so an interrupted sweep resumes where it stopped.

Exit status: 0 success, 1 a notebook failed, 2 bad input (unknown name or parameter, wrong type,
out-of-range value), 3 training diverged, 130 interrupted.
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import difflib
import hashlib
import inspect
import json
import os
import re
import shlex
import shutil
import signal
import sys
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from . import __version__
from .fileio import write_json
from . import execute as _execute

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_DIVERGED = 3
EXIT_INTERRUPTED = 130

PROFILES = ("smoke", "paper")
DEFAULT_PROFILE = "smoke"
DEVICES = ("auto", "cpu", "cuda")
RUNS_DIR = Path("runs")

__all__ = ["main", "resolve_name", "parse_value", "split_values", "validate_parameters",
           "run_one", "RunOutcome", "default_run_dir", "UsageError", "PAPER_BIBTEX"]


class UsageError(ValueError):
    """Bad input: an unknown notebook or parameter, a wrong type or an out-of-range value."""


# ============================================================================ notebook names
_KINDS = {"fig": "figure", "figs": "figure", "figure": "figure", "figures": "figure",
          "tab": "table", "tabs": "table", "table": "table", "tables": "table",
          "th": "theorem", "thm": "theorem", "theorem": "theorem"}
_FRIENDLY = re.compile(r"^(fig|figs|figure|figures|tab|tabs|table|tables|th|thm|theorem)\.?"
                       r"[\s_\-.]*0*(\d+)$", re.IGNORECASE)
_NOTEBOOK = re.compile(r"^(figure|table|theorem)-0*(\d+)$")


def _sections() -> dict[str, str]:
    from . import experiments

    return dict(experiments.SECTIONS)


def _label(name: str) -> str | None:
    """``figure-05`` -> ``Figure 5``; None for a notebook not named after a section."""
    m = _NOTEBOOK.match(name)
    return f"{m.group(1).capitalize()} {int(m.group(2))}" if m else None


def resolve_name(text: str) -> str:
    """The notebook that ``text`` names (see the module docstring); :class:`UsageError` otherwise."""
    valid = _execute.list_notebooks()
    raw = str(text).strip()
    stem = Path(raw).name
    for ext in (".py", ".ipynb"):
        if stem.endswith(ext):
            stem = stem[: -len(ext)]
    if stem in valid:
        return stem
    m = _FRIENDLY.match(stem.strip())
    if m:
        kind, num = _KINDS[m.group(1).lower()], int(m.group(2))
        for name in valid:
            nm = _NOTEBOOK.match(name)
            if nm and nm.group(1) == kind and int(nm.group(2)) == num:
                return name
        section = f"{kind.capitalize()} {num}"
        sections = _sections()
        if section in sections and sections[section] in valid:
            return sections[section]
        raise UsageError(f"no notebook draws {section} (from {text!r}); valid names: "
                         f"{', '.join(valid)} (or a paper section such as "
                         f"{', '.join(sorted(sections, key=_section_order)[:3])})")
    hint = ""
    typo = re.match(r"^([A-Za-z]+)[\s_\-.]*0*(\d+)$", stem.strip())
    if typo:  # a misspelt kind with a number: 'figre-5' -> figure-05
        kind = difflib.get_close_matches(typo.group(1).lower(), list(_KINDS), n=1, cutoff=0.6)
        if kind:
            try:
                hint = f" (did you mean {resolve_name(f'{_KINDS[kind[0]]}-{typo.group(2)}')!r}?)"
            except UsageError:
                hint = ""
    if not hint:
        close = difflib.get_close_matches(raw, valid + list(_sections()), n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise UsageError(f"unknown notebook {text!r}{hint}; valid names: {', '.join(valid)}; "
                     "friendly forms such as fig5, 'Figure 10', tab2 or thm1 also work")


def _section_order(section: str) -> tuple[str, int]:
    kind, _, num = section.partition(" ")
    return kind, int(num) if num.isdigit() else 0


# ============================================================================ parameter values
def parse_value(text: str) -> Any:
    """A command-line value: a Python literal (:func:`ast.literal_eval`), else the string itself."""
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def split_values(text: str) -> list[Any]:
    """``"0.1,0.2"`` -> ``[0.1, 0.2]``: split at top-level commas (not inside brackets or quotes)
    and parse each piece with :func:`parse_value`; ``"[0.1,0.2],[0.3]"`` -> two lists."""
    pieces, depth, quote, cur = [], 0, None, []
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            pieces.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    pieces.append("".join(cur))
    pieces = [p for p in (p.strip() for p in pieces) if p]
    if not pieces:
        raise UsageError(f"no values in {text!r}")
    return [parse_value(p) for p in pieces]


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _conforms(value: Any, type_name: str) -> bool:
    """Whether ``value`` fits a ``# type:`` annotation of a parameters cell (unknown types pass)."""
    t = type_name.strip()
    if not t or t in ("object", "Any", "any"):
        return True
    if "|" in t and "[" not in t.split("|")[0]:
        return any(_conforms(value, part) for part in t.split("|"))
    if t in ("None", "NoneType"):
        return value is None
    if t == "bool":
        return isinstance(value, bool)
    if t == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "str":
        return isinstance(value, str)
    if t == "dict" or t.startswith("dict["):
        return isinstance(value, dict)
    m = re.match(r"^(list|tuple|sequence)\[(.+)\]$", t)
    if m:
        return isinstance(value, (list, tuple)) and all(_conforms(v, m.group(2)) for v in value)
    if t in ("list", "tuple", "sequence"):
        return isinstance(value, (list, tuple))
    return True


def _is_list_type(type_name: str) -> bool:
    return bool(re.match(r"^(list|tuple|sequence)(\[|$)", type_name.strip()))


def _type_of(info: Mapping[str, Any]) -> str:
    return str(info.get("type") or "object")


def _help_of(info: Mapping[str, Any]) -> str:
    """The help text of a declared parameter without its leading ``type:``."""
    text = str(info.get("help") or "")
    head, sep, rest = text.partition(":")
    if sep and head.strip() == _type_of(info):
        text = rest.strip()
    return text


def _coerce(value: Any, type_name: str) -> Any:
    """Small, safe conversions: a number where a list of numbers is expected becomes a
    one-element list; an int where a float is expected becomes a float."""
    if _is_list_type(type_name) and isinstance(value, (int, float)) and not isinstance(value, bool):
        return [value]
    if type_name.strip() == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def validate_parameters(name: str, profile: str, overrides: Mapping[str, Any],
                        declared: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Checked, normalised parameter values for notebook ``name`` (JSON-friendly: lists, not
    tuples).  Raises :class:`UsageError` naming the parameter, the closest valid name and every
    valid name; a wrong type; an out-of-range value; an impossible configuration (m < d)."""
    if profile not in PROFILES:
        close = difflib.get_close_matches(str(profile), PROFILES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UsageError(f"unknown profile {profile!r}{hint}; valid profiles: {', '.join(PROFILES)}")
    declared = dict(declared if declared is not None else _execute.declared_parameters(name))
    settable = [k for k in declared if k != "profile"]
    for key in overrides:
        if key == "profile":
            raise UsageError("set the profile with --profile smoke|paper, not -p profile")
        if key not in declared:
            close = difflib.get_close_matches(key, settable, n=1, cutoff=0.5)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(f"{name} has no parameter {key!r}{hint}; valid parameters: "
                             f"{', '.join(settable) or '(none)'}")
    out: dict[str, Any] = {}
    knobs: dict[str, Any] = {}
    exp = _experiment(name)
    for key, value in overrides.items():
        info = declared[key]
        type_name = _type_of(info)
        if key == "device":
            if value not in DEVICES:
                close = difflib.get_close_matches(str(value), DEVICES, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise UsageError(f"unknown device {value!r}{hint}; valid devices: {', '.join(DEVICES)}")
            out[key] = value
            continue
        if exp is not None and key in exp.knob_names:
            knob = exp.knobs[key]
            knobs[key] = _coerce(value, knob.type_name) if value is not None else None
            continue
        default_none = str(info.get("default")).strip() == "None"
        if value is None and default_none:
            out[key] = None
            continue
        value = _coerce(value, type_name)
        if not _conforms(value, type_name):
            raise UsageError(f"{name}: parameter {key} must be {type_name}"
                             f"{' or None' if default_none else ''}, got {value!r} "
                             f"({type(value).__name__}); {_help_of(info)}")
        out[key] = value
    if exp is not None:
        try:
            resolved = exp.resolve(profile, **knobs)
        except ValueError as exc:
            text = str(exc)
            raise UsageError(text if text.startswith(name) else f"{name}: {text}") from None
        for key, value in knobs.items():
            out[key] = None if value is None else resolved[key]
    return {k: _jsonable(out[k]) for k in overrides}


def _experiment(name: str):
    from . import experiments

    return experiments.EXPERIMENTS.get(name)


def _resolved(name: str, profile: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Every knob's value for a figure/table notebook (profile defaults + overrides)."""
    exp = _experiment(name)
    if exp is None:
        declared = _execute.declared_parameters(name)
        out = {}
        for k, info in declared.items():
            try:
                out[k] = ast.literal_eval(str(info.get("default")))
            except (ValueError, SyntaxError):
                out[k] = info.get("default")
        out.update(params)
        out["profile"] = profile
        return _jsonable(out)
    knob_values = {k: v for k, v in params.items() if k in exp.knob_names}
    return _jsonable({"profile": profile, **{k: v for k, v in params.items() if k not in exp.knob_names},
                      **exp.resolve(profile, **knob_values)})


def _parameter_pairs(pairs: Sequence[Sequence[str]] | None) -> list[tuple[str, str]]:
    out, seen = [], set()
    for key, value in pairs or []:
        if key in seen:
            raise UsageError(f"parameter {key!r} given twice")
        seen.add(key)
        out.append((key, value))
    return out


# ============================================================================ run folders
def params_hash(name: str, profile: str, params: Mapping[str, Any], n: int = 6) -> str:
    blob = json.dumps({"notebook": name, "profile": profile, "parameters": _jsonable(dict(params))},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:n]


def default_run_dir(name: str, profile: str, params: Mapping[str, Any], root: Path | None = None) -> Path:
    """``runs/<name>-<hash of notebook, profile and parameters>`` under the working directory."""
    return Path(root or RUNS_DIR) / f"{name}-{params_hash(name, profile, params)}"


def run_hash(name: str, profile: str, params: Mapping[str, Any]) -> str:
    """What an execution depends on: notebook source, library source, parameters and profile."""
    return _execute.content_hash(name, {"parameters": _jsonable(dict(params)), "profile": profile})


def _load_json(path: Path) -> Any:
    try:
        with open(path) as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def is_complete(dest: Path, digest: str) -> bool:
    """``dest`` holds a finished execution with the content hash ``digest``."""
    prov = _load_json(Path(dest) / "provenance.json")
    return (isinstance(prov, dict) and prov.get("run_hash") == digest
            and (Path(dest) / f"{prov.get('notebook')}.ipynb").exists())


def _replaceable(dest: Path) -> bool:
    if not dest.exists():
        return True
    if not dest.is_dir():
        return False
    return not any(dest.iterdir()) or (dest / "provenance.json").exists()


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


def _move_into_place(src: Path, dest: Path) -> None:
    """Rename ``src`` to ``dest``; an earlier ``dest`` is swapped out and removed afterwards."""
    with _deferred_interrupt():
        if dest.exists():
            old = dest.parent / f".old-{dest.name}-{uuid.uuid4().hex[:8]}"
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
    """``tmp/<name>/*`` (execute's artefact folder) -> ``tmp/*``."""
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


@contextlib.contextmanager
def _kernel_stderr(stream) -> Iterator[dict[str, Any]]:
    """Extra keyword arguments that make :func:`landscape.execute.execute` stream the kernel's
    stderr (training progress bars) to ``stream``.

    ``execute`` does not (yet) take papermill's ``stderr_file``: until it does, papermill's
    ``execute_notebook`` is wrapped for the duration of the call.
    """
    if stream is None:
        yield {}
        return
    params = inspect.signature(_execute.execute).parameters
    if "stderr_file" in params:
        yield {"stderr_file": stream}
        return
    import papermill

    original = papermill.execute_notebook

    def streaming(*args: Any, **kwargs: Any):
        kwargs.setdefault("stderr_file", stream)
        return original(*args, **kwargs)

    papermill.execute_notebook = streaming
    try:
        yield {}
    finally:
        papermill.execute_notebook = original


class _KnownParameterFilter:
    """Drops papermill's "Passed unknown parameter" warning: its line-based parser misreads
    parameters cells whose comments hold '=', and the names were already checked against the
    notebook's own parameters (``landscape.execute.parse_parameters``)."""

    def filter(self, record) -> bool:
        return not str(record.getMessage()).startswith("Passed unknown parameter")


_PAPERMILL_FILTER = _KnownParameterFilter()


def _quiet_papermill() -> None:
    import logging

    log = logging.getLogger("papermill")
    if _PAPERMILL_FILTER not in log.filters:
        log.addFilter(_PAPERMILL_FILTER)


def _keep_failed(tmp: Path, failed_dir: Path, name: str, message: str) -> Path:
    """Move the temporary folder of a failed run to ``failed_dir``; return the partial notebook."""
    _flatten(tmp, name)
    (tmp / "error.txt").write_text(message + "\n")
    if failed_dir.exists():
        shutil.rmtree(failed_dir, ignore_errors=True)
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
    params = _jsonable(dict(params))
    digest = run_hash(name, profile, params)
    if not force and is_complete(dest, digest):
        kn = _load_json(dest / "key_numbers.json") or {}
        log(f"[landscape] {name}: {dest} already holds this execution; reused (--force re-runs)")
        return RunOutcome("reused", name, dest, key_numbers=kn)
    if not _replaceable(dest):
        raise UsageError(f"{dest} exists and is not a landscape run folder (no provenance.json); "
                         "choose another --out")
    dest.parent.mkdir(parents=True, exist_ok=True)
    failed_dir = dest.parent / f"failed-{dest.name}"
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{dest.name}-", dir=dest.parent))
    t0 = time.perf_counter()
    _quiet_papermill()
    try:
        try:
            def relog(msg: str) -> Any:  # name the destination, not the temporary folder
                return log(str(msg).replace(str(tmp / f"{name}.ipynb"), str(dest / f"{name}.ipynb")))

            with _kernel_stderr(stderr) as extra:
                _execute.execute(name, tmp, params, profile=profile, progress=False, force=True,
                                 log=relog, **extra)
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
        prov = _load_json(tmp / "provenance.json") or {}
        kn = _load_json(tmp / "key_numbers.json") or {}
        resolved = _resolved(name, profile, params)
        prov.update(
            run_hash=digest, command=command, folder=str(dest),
            seed=resolved.get("seed"), device=resolved.get("device"),
            resolved_parameters=resolved, library={"name": "landscape", "version": __version__},
            key_numbers=kn, outputs=sorted(p.name for p in tmp.iterdir() if p.name != "provenance.json"),
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


# ============================================================================ list
def _title(name: str) -> str:
    nb = _execute.read_source(name)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def notebook_info(name: str) -> dict[str, Any]:
    """Number, title, sections and parameters of a notebook, read from the notebook itself."""
    declared = _execute.declared_parameters(name)
    exp = _experiment(name)
    sections = sorted({s for s, nb in _sections().items() if nb == name}, key=_section_order)
    label = _label(name)
    profiles = {}
    if exp is not None:
        profiles = {p: _jsonable(exp.defaults(p)) for p in PROFILES}
    params = []
    for key, info in declared.items():
        entry = {"name": key, "type": _type_of(info), "default": info.get("default"),
                 "help": _help_of(info)}
        for p, vals in profiles.items():
            if key in vals:
                entry[p] = vals[key]
        params.append(entry)
    return {"name": name, "label": label, "title": _title(name),
            "sections": sections or ([label] if label else []), "parameters": params}


def _fmt(value: Any) -> str:
    return json.dumps(value) if isinstance(value, str) else repr(value)


def cmd_list(args: argparse.Namespace) -> int:
    names = [resolve_name(n) for n in args.names] if args.names else _execute.list_notebooks()
    infos = [notebook_info(n) for n in names]
    if args.json:
        print(json.dumps(infos, indent=2, default=str))
        return EXIT_OK
    for info in infos:
        extra = [s for s in info["sections"] if s != info["label"]]
        also = f"  [also {', '.join(extra)}]" if extra else ""
        print(f"{info['name']:<11} {info['title']}{also}")
        if args.brief:
            continue
        width = max((len(p["name"]) for p in info["parameters"]), default=0)
        for p in info["parameters"]:
            prof = ""
            if "smoke" in p or "paper" in p:
                prof = f"  (smoke {_fmt(p.get('smoke'))}, paper {_fmt(p.get('paper'))})"
            print(f"    {p['name']:<{width}}  {p['type']} = {p['default']}{prof}")
            if p["help"]:
                print(f"    {'':<{width}}    {p['help']}")
        print()
    return EXIT_OK


# ============================================================================ run
def _prepare(name_text: str, profile: str, pairs, device: str | None) -> tuple[str, dict[str, Any]]:
    name = resolve_name(name_text)
    declared = _execute.declared_parameters(name)
    overrides = {k: parse_value(v) for k, v in _parameter_pairs(pairs)}
    if device is not None:
        if "device" in overrides:
            raise UsageError("give the device once: --device or -p device")
        if "device" in declared:
            overrides["device"] = device
        elif device != "auto":
            raise UsageError(f"{name} has no 'device' parameter (it does not train); drop --device")
    params = validate_parameters(name, profile, overrides, declared)
    if params.get("device") == "cuda":
        _require_cuda()
    return name, params


def _require_cuda() -> None:
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - torch is a dependency
        raise UsageError(f"device 'cuda' needs torch: {exc}") from None
    if not torch.cuda.is_available():
        raise UsageError("device 'cuda' requested but no CUDA GPU is available; "
                         "use --device auto or cpu")


def _command_line(argv: Sequence[str] | None) -> str:
    return "landscape " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))


def _report_failure(outcome: RunOutcome) -> int:
    if outcome.status == "diverged":
        print(f"landscape: error: {outcome.notebook}: {outcome.message}", file=sys.stderr)
        print(f"landscape: partial notebook kept at {outcome.failed_path}", file=sys.stderr)
        return EXIT_DIVERGED
    print(f"landscape: error: notebook {outcome.notebook} failed: {outcome.message}", file=sys.stderr)
    print(f"landscape: partial notebook kept at {outcome.failed_path}", file=sys.stderr)
    return EXIT_FAILED


def cmd_run(args: argparse.Namespace) -> int:
    name, params = _prepare(args.name, args.profile, args.parameter, args.device)
    dest = Path(args.out) if args.out else default_run_dir(name, args.profile, params)
    log = (lambda *a, **k: None) if args.quiet else (lambda msg: print(msg, file=sys.stderr))
    if args.profile == "smoke" and not args.quiet:
        print(f"[landscape] {name}: smoke profile (a pipeline check at toy scale, not a "
              "reproduction; --profile paper for the paper's settings)", file=sys.stderr)
    outcome = run_one(name, params, args.profile, dest, force=args.force,
                      stderr=None if args.quiet else sys.stderr, log=log,
                      command=_command_line(args._argv))
    if not outcome.ok:
        if not args.quiet:
            print(file=sys.stderr)  # end a progress bar's line
        return _report_failure(outcome)
    print(f"{outcome.dest}")
    if not args.quiet:
        for path in sorted(outcome.dest.iterdir()):
            print(f"  {path.name}")
        for key, value in outcome.key_numbers.items():
            print(f"  {key}: {value}")
    return EXIT_OK


# ============================================================================ sweep
def cmd_sweep(args: argparse.Namespace) -> int:
    from . import sweep as _sweep

    name = resolve_name(args.name)
    declared = _execute.declared_parameters(name)
    pairs = _parameter_pairs(args.parameter)
    if not pairs:
        raise UsageError("a sweep needs at least one -p KEY v1,v2,...")
    axes: dict[str, list[Any]] = {}
    for key, text in pairs:
        values = split_values(text)
        if len({json.dumps(_jsonable(v), default=str) for v in values}) != len(values):
            raise UsageError(f"parameter {key!r}: repeated values in {text!r}")
        axes[key] = values
    if args.device is not None:
        if "device" in axes:
            raise UsageError("give the device once: --device or -p device")
        if "device" in declared:
            axes["device"] = [args.device]
        elif args.device != "auto":
            raise UsageError(f"{name} has no 'device' parameter (it does not train); drop --device")
    # validate every grid point before anything starts
    points = []
    for raw in _sweep.expand_grid(axes):
        try:
            points.append(validate_parameters(name, args.profile, raw, declared))
        except UsageError as exc:
            where = ", ".join(f"{k}={v!r}" for k, v in raw.items() if len(axes[k]) > 1)
            raise UsageError(f"{exc} (grid point {where})" if where else str(exc)) from None
    if any(p.get("device") == "cuda" for p in points):
        _require_cuda()
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be >= 1, got {args.workers}")
    if args.scheduler and args.workers is not None:
        raise UsageError("--workers applies to the local cluster; with --scheduler the cluster's "
                         "own workers run the points")
    out = Path(args.out) if args.out else RUNS_DIR / (
        f"sweep-{name}-{params_hash(name, args.profile, {k: _jsonable(v) for k, v in axes.items()})}")
    plot_keys = [k.strip() for k in args.plot_keys.split(",") if k.strip()] if args.plot_keys else None
    return _sweep.run_sweep(name, points, axes, args.profile, out,
                            workers=args.workers or (os.cpu_count() or 1), scheduler=args.scheduler,
                            force=args.force, plot_keys=plot_keys,
                            command=_command_line(args._argv))


# ============================================================================ cite
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
    from .provenance import git_state

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


def _find_provenance(name: str, args: argparse.Namespace) -> tuple[Path | None, str]:
    """(provenance.json, where it came from) for ``cite``; (None, reason) when there is none."""
    if args.out:
        path = Path(args.out) / "provenance.json"
        if not path.exists():
            raise UsageError(f"no provenance.json in {args.out}: not a finished `landscape run` folder")
        return path, "run"
    if args.parameter or args.profile_given:
        _, params = _prepare(name, args.profile, args.parameter, None)
        path = default_run_dir(name, args.profile, params) / "provenance.json"
        if path.exists():
            return path, "run"
        raise UsageError(f"no run of {name} with these parameters in {path.parent}; "
                         f"run `landscape run {name} ...` first, or give --out DIR")
    runs = [p for p in RUNS_DIR.glob(f"{name}-*/provenance.json")
            if (_load_json(p) or {}).get("notebook") == name]
    if runs:
        return max(runs, key=lambda p: p.stat().st_mtime), "run"
    book = _execute.BOOK_EXECUTED / name / "provenance.json"
    if book.exists():
        return book, "book"
    return None, "not executed yet"


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


def cmd_cite(args: argparse.Namespace) -> int:
    name = resolve_name(args.name)
    friendly = args.name.strip()
    m = _FRIENDLY.match(friendly)
    section = (f"{_KINDS[m.group(1).lower()].capitalize()} {int(m.group(2))}" if m else _label(name)
               or name)
    path, where = _find_provenance(name, args)
    prov = _load_json(path) if path else None
    commit = dirty = None
    if prov:
        commit, dirty = (prov.get("git") or {}).get("commit"), (prov.get("git") or {}).get("dirty")
    print(PAPER_BIBTEX)
    print()
    print(companion_bibtex(commit, dirty))
    print()
    print(figure_credit(section if section == _label(name) else f"{section} (notebook {name})",
                        prov, where, path))
    return EXIT_OK


# ============================================================================ entry point
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="landscape",
        description="Re-execute the notebooks of the companion to 'Contrasting the landscape of "
                    "contrastive and non-contrastive learning' (Pokle et al., AISTATS 2022).",
        epilog="Exit status: 0 ok, 1 notebook failed, 2 bad input, 3 training diverged, 130 interrupted.")
    parser.add_argument("--version", action="version", version=f"landscape {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add_common(p: argparse.ArgumentParser, values_help: str) -> None:
        p.add_argument("name", metavar="NAME",
                       help="notebook (figure-05) or a friendly form: figure-5, fig5, 'Figure 10', tab2, thm1")
        p.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                       metavar=("KEY", "VALUE"), help=values_help)
        p.add_argument("--profile", default=None, choices=PROFILES,
                       help="smoke (seconds; a pipeline check) or paper (the paper's settings); default smoke")

    p_list = sub.add_parser("list", help="notebooks, their parameters and profile defaults")
    p_list.add_argument("names", nargs="*", metavar="NAME", help="only these notebooks")
    p_list.add_argument("--brief", action="store_true", help="names and titles only")
    p_list.add_argument("--json", action="store_true", help="machine-readable output")
    p_list.set_defaults(func=cmd_list)

    p_run = sub.add_parser("run", help="execute one notebook with new parameters")
    add_common(p_run, "set a parameter; VALUE is a Python literal (0.01, [0.1, 0.2], True), "
                      "else a string")
    p_run.add_argument("--device", choices=DEVICES, default=None, help="auto (default), cpu or cuda")
    p_run.add_argument("--out", default=None, metavar="DIR",
                       help="output folder (default: runs/<name>-<hash of the parameters>)")
    p_run.add_argument("--force", action="store_true", help="re-execute even if DIR holds this run")
    p_run.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    p_run.set_defaults(func=cmd_run)

    p_sweep = sub.add_parser("sweep", help="run a grid of parameter values on Dask")
    add_common(p_sweep, "a swept parameter: comma-separated values (0.1,0.2 or [0.1],[0.2,0.3]); "
                        "one value fixes it")
    p_sweep.add_argument("--device", choices=DEVICES, default=None, help="auto (default), cpu or cuda")
    p_sweep.add_argument("--workers", type=int, default=None,
                         help="local cluster workers (processes, 1 thread each; default: CPU count)")
    p_sweep.add_argument("--scheduler", default=None, metavar="ADDRESS",
                         help="an existing Dask scheduler (tcp://host:8786) instead of a local cluster")
    p_sweep.add_argument("--out", default=None, metavar="DIR",
                         help="output folder (default: runs/sweep-<name>-<hash of the grid>)")
    p_sweep.add_argument("--plot-keys", default=None, metavar="K1,K2",
                         help="key numbers to plot (default: the *_min ones, else every numeric one)")
    p_sweep.add_argument("--force", action="store_true", help="re-execute finished points too")
    p_sweep.set_defaults(func=cmd_sweep)

    p_cite = sub.add_parser("cite", help="BibTeX for the paper and the companion, and a figure credit")
    add_common(p_cite, "the parameters of the run to credit (finds its default run folder)")
    p_cite.add_argument("--out", default=None, metavar="DIR", help="the run folder to credit")
    p_cite.set_defaults(func=cmd_cite)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)  # exits with status 2 on malformed command lines
    args._argv = argv
    if hasattr(args, "profile"):
        args.profile_given = args.profile is not None
        args.profile = args.profile or DEFAULT_PROFILE
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"landscape: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("landscape: interrupted; finished outputs are kept, partial ones were discarded "
              "(re-run the same command to resume)", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
