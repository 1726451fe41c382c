"""The ``landscape`` command: list, run, sweep and cite the companion's notebooks, and build
the book's executions or the test goldens.

::

    landscape list [NAME ...] [--brief] [--json]
    landscape run NAME [-p KEY VALUE ...] [--profile smoke|paper] [--device auto|cpu|cuda]
                       [--out DIR] [--force] [--quiet]
    landscape sweep NAME -p KEY v1,v2,... [-p KEY2 ...] [--profile ...] [--workers N]
                       [--scheduler ADDRESS] [--out DIR] [--plot-keys K1,K2] [--force]
    landscape cite NAME [--out DIR] [-p KEY VALUE ...] [--profile ...]
    landscape book [NAME ...] [--profile ...] [-p KEY VALUE ...] [--out DIR] [--force]
    landscape goldens [NAME ...]

Names and values follow :mod:`landscape.companion.parameters`; run folders
:mod:`landscape.companion.runs`; every notebook is executed by
:func:`landscape.companion.execute.execute` (papermill).

Exit status: 0 success, 1 a notebook failed, 2 bad input (unknown name or parameter, wrong type,
out-of-range value, a size that cannot fit), 3 training diverged, 130 interrupted (Ctrl-C or
SIGTERM).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import signal
import sys
from pathlib import Path
from typing import Any, Iterator, Sequence

from .. import __version__, page_knobs
from ..experiments import DEVICES
from ..fileio import read_json
from . import DEFAULT_PROFILE, PROFILES
from . import execute as _execute
from .parameters import (_FRIENDLY, _KINDS, UsageError, _experiment, _help_of, _label, _parameter_pairs,
                         _prepare, _require_cuda, _section_order, _sections, _type_of, jsonable,
                         parse_value, resolve_name, split_values, validate_parameters)
from .provenance import PAPER_BIBTEX, companion_bibtex, figure_credit
from .runs import (EXIT_DIVERGED, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, RUNS_DIR,
                   RunOutcome, check_destination, default_run_dir, params_hash, run_one)

__all__ = ["main", "build_parser"]


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
    page = page_knobs.PAGES.get(name)
    knobs = ({**page_knobs.EXPERIMENT_PAGE_KNOBS, **exp.knobs} if exp is not None
             else (page.knobs if page is not None else {}))
    if exp is not None:
        profiles = {p: jsonable(exp.defaults(p)) for p in PROFILES}
    elif page is not None:
        profiles = {p: {k: pair[i] for k, pair in page.profile_values.items()} for i, p in enumerate(PROFILES)}
    params = []
    for key, info in declared.items():
        entry = {"name": key, "type": _type_of(info), "default": info.get("default"),
                 "help": _help_of(info)}
        if key in knobs:
            entry["valid"] = _valid(knobs[key])
        for p, vals in profiles.items():
            if key in vals:
                entry[p] = vals[key]
        params.append(entry)
    return {"name": name, "label": label, "title": _title(name),
            "sections": sections or ([label] if label else []), "parameters": params}


def _valid(knob: Any) -> str:
    """A knob's valid values in words: ``> 0 and <= 1``, ``one of paper, code``."""
    parts = [f"one of {', '.join(knob.choices)}"] if knob.choices else []
    rng = knob._range()
    if rng:
        parts.append(f"{'each ' if knob.kind in ('floats', 'ints') else ''}{rng}")
    return "; ".join(parts) or knob.type_name


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
            if p["help"] or p.get("valid"):
                valid = f" [valid: {p['valid']}]" if p.get("valid") else ""
                print(f"    {'':<{width}}    {p['help']}{valid}")
        print()
    return EXIT_OK


# ============================================================================ run
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


def training_estimate(name: str, profile: str, points: Sequence[dict[str, Any]]):
    """(estimate of the trainings that are neither cached nor shipped, how many of how many)
    for the runs of ``name`` with each of ``points`` (validated parameters)."""
    from .. import budget
    from ..cache import is_stored
    from .parameters import training_groups

    est, todo, count = budget.NOTHING, 0, 0
    for params in points:
        for cfgs in training_groups(name, profile, params):
            count += 1
            if not is_stored(cfgs, device=params.get("device", "auto")):
                todo += 1
                est = est.then(budget.estimate(cfgs[0], len(cfgs)))
    return est, todo, count


def warn_if_long(name: str, profile: str, points: Sequence[dict[str, Any]]) -> None:
    """Warn on stderr, before a kernel starts, when the trainings the run must do (neither cached
    nor shipped) are estimated to take longer than :data:`landscape.budget.WARN_SECONDS`."""
    from .. import budget

    est, todo, count = training_estimate(name, profile, points)
    if est.seconds >= budget.WARN_SECONDS:
        print(f"[landscape] {name}: warning: {todo} of {count} trainings are neither cached nor shipped; "
              f"training them takes {budget.describe(est)} (Ctrl-C stops; finished trainings stay "
              "cached and a re-run resumes)", file=sys.stderr, flush=True)


def cmd_run(args: argparse.Namespace) -> int:
    name, params = _prepare(args.name, args.profile, args.parameter, args.device)
    dest = Path(args.out) if args.out else default_run_dir(name, args.profile, params)
    check_destination(dest)
    log = (lambda *a, **k: None) if args.quiet else (lambda msg: print(msg, file=sys.stderr))
    if not args.quiet:
        warn_if_long(name, args.profile, [params])
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
        if len({json.dumps(jsonable(v), default=str) for v in values}) != len(values):
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
    if args.scheduler:
        _sweep.check_scheduler(args.scheduler)
    warn_if_long(name, args.profile, points)
    out = Path(args.out) if args.out else RUNS_DIR / (
        f"sweep-{name}-{params_hash(name, args.profile, {k: jsonable(v) for k, v in axes.items()})}")
    plot_keys = [k.strip() for k in args.plot_keys.split(",") if k.strip()] if args.plot_keys else None
    return _sweep.run_sweep(name, points, axes, args.profile, out,
                            workers=args.workers or (os.cpu_count() or 1), scheduler=args.scheduler,
                            force=args.force, plot_keys=plot_keys,
                            command=_command_line(args._argv))


# ============================================================================ cite
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
            if isinstance(read_json(p), dict) and read_json(p).get("notebook") == name]
    if runs:
        return max(runs, key=lambda p: p.stat().st_mtime), "run"
    book = _execute.BOOK_EXECUTED / name / "provenance.json"
    if book.exists():
        return book, "book"
    return None, "not executed yet"


def cmd_cite(args: argparse.Namespace) -> int:
    name = resolve_name(args.name)
    friendly = args.name.strip()
    m = _FRIENDLY.match(friendly)
    section = (f"{_KINDS[m.group(1).lower()].capitalize()} {int(m.group(2))}" if m else _label(name)
               or name)
    path, where = _find_provenance(name, args)
    prov = read_json(path) if path else None
    if path is not None and not (isinstance(prov, dict) and isinstance(prov.get("git", {}), dict)
                                 and prov.get("notebook") == name):
        raise UsageError(f"{path} is not a readable provenance record of {name} (malformed JSON, or "
                         f"another notebook's); run `landscape run {name}` again to replace it")
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


# ============================================================================ book and goldens
def cmd_book(args: argparse.Namespace) -> int:
    """Execute notebooks into the book's folder (default: every notebook of ``_toc.yml``)."""
    names = [resolve_name(n) for n in args.names] or _execute.toc_notebooks()
    params = {k: parse_value(v) for k, v in _parameter_pairs(args.parameter)}
    try:
        _execute.execute_all(names, args.out, profile=args.profile, parameters=params,
                             kernel_name=args.kernel, force=args.force, jobs=args.jobs)
    except _execute.NotebookExecutionError as exc:
        print(f"landscape: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_goldens(args: argparse.Namespace) -> int:
    """Regenerate ``tests/goldens/`` (smoke profile) from ``notebooks/*.py``."""
    names = [resolve_name(n) for n in args.names] or _execute.list_notebooks()
    for path in _execute.make_goldens(names, kernel_name=args.kernel, jobs=args.jobs):
        print(f"[goldens] wrote {path}")
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

    p_book = sub.add_parser("book", help="execute the book's notebooks into book/executed/")
    p_book.add_argument("names", nargs="*", metavar="NAME", help="only these (default: _toc.yml)")
    p_book.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("KEY", "VALUE"),
                        help="a parameter of every notebook (VALUE a Python literal)")
    p_book.add_argument("--profile", default=None, choices=PROFILES, help="default smoke")
    p_book.add_argument("--out", type=Path, default=_execute.BOOK_EXECUTED, metavar="DIR",
                        help="folder for executed notebooks (default: book/executed)")
    p_book.add_argument("--kernel", default=None, help="Jupyter kernel (default: landscape)")
    p_book.add_argument("--force", action="store_true", help="re-execute even if up to date")
    p_book.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="notebooks executed at once, each in its own kernel (default 1)")
    p_book.set_defaults(func=cmd_book)

    p_gold = sub.add_parser("goldens", help="regenerate tests/goldens/ (smoke profile)")
    p_gold.add_argument("names", nargs="*", metavar="NAME", help="only these (default: all)")
    p_gold.add_argument("--kernel", default=None, help="Jupyter kernel (default: landscape)")
    p_gold.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="goldens made at once, each in its own kernel (default 1)")
    p_gold.set_defaults(func=cmd_goldens)
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: partial outputs are set aside, finished ones kept."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated()


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """While the command runs, SIGTERM raises :class:`Terminated` (main thread only), so that a
    killed run cleans up as an interrupted one does instead of leaving its temporary folder."""
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)  # exits with status 2 on malformed command lines
    args._argv = argv
    if hasattr(args, "profile"):
        args.profile_given = args.profile is not None
        args.profile = args.profile or DEFAULT_PROFILE
    try:
        with _sigterm_as_interrupt():
            return args.func(args)
    except UsageError as exc:
        print(f"landscape: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `landscape list | head`: the reader has gone
        sys.stdout = open(os.devnull, "w")
        return EXIT_OK
    except KeyboardInterrupt as exc:
        how = "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted"
        print(f"landscape: {how}; finished outputs are kept, partial ones were discarded "
              "(re-run the same command to resume)", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
