"""Parameter sweeps: a grid of independent notebook executions on Dask distributed.

``landscape sweep NAME -p KEY v1,v2 -p KEY2 w1,w2`` runs every combination as its own papermill
execution (:func:`landscape.companion.runs.run_one`, hence :func:`landscape.companion.execute.execute`) on a Dask
cluster: a :class:`distributed.LocalCluster` of ``--workers`` processes with one thread each on
this machine, or the cluster behind ``--scheduler ADDRESS``.  Layout of the output folder::

    <out>/points/<k1>=<v1>__<k2>=<v2>-<hash>/   one complete `landscape run` folder per point
    <out>/summary.csv                          one row per grid point: parameters, status, key numbers
    <out>/sweep.png|pdf|svg                    key numbers over the grid (heat maps for 2-D grids,
                                               line plots otherwise), provenance embedded
    <out>/provenance.json                      the sweep's command, grid, versions, git state, times

A point's folder appears only once its execution is complete (temporary folder + rename), so an
interrupted sweep keeps its finished points and re-running the same command skips them.
Each point's kernel gets ``OMP_NUM_THREADS=1`` (unless set) so that N workers use N cores, and
not the ``MALLOC_TRIM_THRESHOLD_`` that Dask sets in its workers (see :data:`_DASK_MALLOC`).
Workers of an external cluster need this package installed and one thread each (a per-process
lock serialises points on multi-threaded workers, as execution sets environment variables).
"""
from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import io
import itertools
import json
import logging
import math
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from ..fileio import environ, read_json, write_json, write_text
from . import runs
from .parameters import UsageError, jsonable
from .provenance import git_state
from .runs import params_hash, run_one

__all__ = ["expand_grid", "point_folder", "run_point", "run_sweep", "summary_text",
           "plot_sweep"]

_LOCK = threading.Lock()
MAX_PANELS = 6


def expand_grid(axes: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the axes' values, the first axis varying slowest."""
    keys = list(axes)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(axes[k] for k in keys))]


def _slug(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        text = "+".join(_slug(v) for v in value)
    else:
        text = str(value)
    return re.sub(r"[^A-Za-z0-9.+_-]", "_", text)


def point_folder(name: str, profile: str, point: Mapping[str, Any], varying: Sequence[str]) -> str:
    """``lr=0.01__masking_prob=0.3-1a2b3c``: the varying values, then a hash of every value."""
    text = "__".join(f"{k}={_slug(point[k])}" for k in varying) or "point"
    return f"{text[:100]}-{params_hash(name, profile, point)}"


#: Set by Dask's nanny in its workers' environment (``distributed.nanny.pre-spawn-environ``), so
#: inherited by a point's kernel, where it makes glibc return every large tensor's memory to the
#: system when freed: the contrastive step's similarity matrices are then mapped afresh at every
#: step (measured: a contrastive Atlas cell trains 2.3 times slower with it).  Points run without it.
_DASK_MALLOC = "MALLOC_TRIM_THRESHOLD_"


def run_point(name: str, params: Mapping[str, Any], profile: str, dest: str,
              command: str | None = None, force: bool = False) -> dict[str, Any]:
    """One grid point (runs on a Dask worker): :func:`landscape.companion.runs.run_one`, as a plain dict.

    Never raises for a failed notebook: the outcome's ``status`` says what happened.
    """
    t0 = time.perf_counter()
    threads = {k: os.environ.get(k, "1") for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}  # 1 unless set
    with _LOCK, environ(**threads, **{_DASK_MALLOC: None}):
        try:
            outcome = run_one(name, params, profile, Path(dest), force=force,
                              log=lambda *a, **k: None, command=command)
        except Exception as exc:  # noqa: BLE001 - report it with the point, keep the sweep going
            return {"status": "failed", "notebook": name, "dest": dest, "failed_path": None,
                    "message": f"{type(exc).__name__}: {exc}", "key_numbers": {},
                    "wall_s": time.perf_counter() - t0}
    return outcome.as_dict()


#: Seconds to wait for a Dask scheduler to accept a connection.
CONNECT_TIMEOUT_S = 5.0


def check_scheduler(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Raise :class:`~landscape.companion.parameters.UsageError` (quickly) when the Dask
    scheduler at ``address`` (``tcp://host:port``, ``tls://host:port`` or ``host:port``; port
    8786 by default) is malformed or does not accept a TCP connection."""
    import socket
    from urllib.parse import urlsplit

    text = address if "://" in address else f"tcp://{address}"
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port or 8786
    except ValueError as exc:
        raise UsageError(f"--scheduler {address!r} is not an address such as tcp://host:8786 ({exc})") from None
    if parts.scheme not in ("tcp", "tls") or not host:
        raise UsageError(f"--scheduler {address!r} is not an address such as tcp://host:8786 "
                         "(protocols: tcp, tls)")
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        reason = "no answer" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise UsageError(f"cannot reach the Dask scheduler at {address} ({host}:{port}: {reason} within "
                         f"{timeout:g} s); start one there (`dask scheduler`), or drop --scheduler to run "
                         "on a local cluster") from None


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A Dask client: on an existing scheduler, or on a local cluster closed afterwards."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S * 2:g}s")
        except Exception as exc:  # noqa: BLE001 - whatever answered there is no Dask scheduler
            raise UsageError(f"cannot connect to the Dask scheduler at {scheduler} (is it one?): "
                             f"{type(exc).__name__}: {str(exc)[:200]}") from None
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, host="127.0.0.1", silence_logs=logging.CRITICAL)
    try:
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


def _as_completed(futures: Any) -> Iterator[Any]:
    from distributed import as_completed

    return iter(as_completed(futures))


def _existing_point(points_dir: Path, point: Mapping[str, Any], name: str, profile: str) -> Path | None:
    """A finished folder of this point from an earlier sweep with other axes (same hash)."""
    for path in sorted(points_dir.glob(f"*-{params_hash(name, profile, point)}")):
        if path.is_dir() and (path / "provenance.json").exists():
            return path
    return None


def _describe(point: Mapping[str, Any], varying: Sequence[str]) -> str:
    return ", ".join(f"{k}={point[k]!r}" for k in varying) or "the single point"


def _clean_stale(points_dir: Path) -> None:
    """Temporary folders of executions that were killed (their points are simply re-run)."""
    for path in points_dir.glob(".tmp-*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in points_dir.glob(".old-*"):
        shutil.rmtree(path, ignore_errors=True)


def run_sweep(name: str, points: Sequence[Mapping[str, Any]], axes: Mapping[str, Sequence[Any]],
              profile: str, out: Path | str, *, workers: int = 2, scheduler: str | None = None,
              force: bool = False, plot_keys: Sequence[str] | None = None,
              command: str | None = None, log: Callable[[str], Any] | None = None) -> int:
    """Run validated grid ``points`` of notebook ``name``; write summary, plot and provenance.

    Returns the exit status: 0 all points finished, 1 some failed, 3 some diverged (and none
    failed otherwise).  ``KeyboardInterrupt`` propagates once the cluster is shut down; the
    points finished so far stay in place and a re-run skips them.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    out = Path(out).absolute()
    points_dir = out / "points"
    fresh = not out.exists()
    points_dir.mkdir(parents=True, exist_ok=True)
    _clean_stale(points_dir)
    varying = [k for k, v in axes.items() if len(v) > 1]
    dests = [_existing_point(points_dir, p, name, profile)
             or points_dir / point_folder(name, profile, p, varying) for p in points]
    outcomes: list[dict[str, Any] | None] = [None] * len(points)
    todo, stale = [], 0
    for i, (point, dest) in enumerate(zip(points, dests)):
        if not force and runs.is_complete(dest, runs.run_hash(name, profile, point)):
            outcomes[i] = {"status": "reused", "dest": str(dest), "message": "", "failed_path": None,
                           "key_numbers": read_json(dest / "key_numbers.json") or {}}
        else:
            todo.append(i)
            stale += (dest / "provenance.json").exists()
    start = _dt.datetime.now(_dt.timezone.utc)
    git_start = git_state()
    t0 = time.perf_counter()
    where = scheduler or f"a local cluster of {workers} worker process(es)"
    log(f"[sweep] {name} ({profile} profile): {len(points)} point{'s' if len(points) != 1 else ''}, "
        f"{len(points) - len(todo)} already finished, {len(todo)} to run on {where} -> {out}")
    if stale and not force:
        log(f"[sweep] {stale} finished point(s) are out of date (the notebook or the library "
            "changed since) and run again")
    if todo:
        try:
            with _client(scheduler, workers) as client:
                futures = {client.submit(run_point, name, dict(points[i]), profile, str(dests[i]),
                                         command, force, pure=False): i for i in todo}
                for n, fut in enumerate(_as_completed(list(futures)), 1):
                    i = futures[fut]
                    try:
                        res = fut.result()
                    except Exception as exc:  # noqa: BLE001 - a worker died, a task was lost
                        res = {"status": "failed", "dest": str(dests[i]), "failed_path": None,
                               "message": f"{type(exc).__name__}: {exc}", "key_numbers": {}}
                    outcomes[i] = res
                    log(f"[sweep] {n}/{len(todo)} {res['status']}: {_describe(points[i], varying)}"
                        f" ({res.get('wall_s', 0.0):.1f} s)"
                        + (f": {res['message']}" if res.get("message") else ""))
        except UsageError:  # no cluster to run on: leave no empty sweep folder behind
            if fresh and not any(points_dir.iterdir()):
                shutil.rmtree(out, ignore_errors=True)
            raise
        except KeyboardInterrupt:
            done = sum(1 for o in outcomes if o and o["status"] in ("done", "reused"))
            log(f"[sweep] interrupted: {done}/{len(points)} points finished and kept in "
                f"{points_dir}; re-run the same command to resume")
            raise
    wall = time.perf_counter() - t0
    rows = _rows(points, axes, outcomes, out)
    summary = summary_text(rows, list(axes))
    previous = out / "summary.csv"
    if (not todo and previous.exists() and previous.read_text() == summary
            and (out / "sweep.png").exists() and (out / "provenance.json").exists()):
        figure = out / "sweep.png"  # nothing changed: keep the plot and the provenance
    else:
        write_text(previous, summary)
        figure = None
        try:
            figure = plot_sweep(name, profile, rows, axes, varying, plot_keys, out, log=log)
        except Exception as exc:  # noqa: BLE001 - the summary is the result; the plot a view of it
            log(f"[sweep] warning: could not draw the plot: {type(exc).__name__}: {exc}")
        _write_provenance(out, name, profile, axes, rows, workers, scheduler, command, start, wall,
                          figure, git_start)
    failed = [r for r in rows if r["status"] not in ("done", "reused")]
    log(f"[sweep] {len(rows) - len(failed)}/{len(rows)} points finished; summary: "
        f"{out / 'summary.csv'}" + (f"; plot: {figure}" if figure else ""))
    for r in failed:
        log(f"[sweep] {r['status']}: {_describe(r['params'], varying)}: {r['message']} "
            f"(partial notebook: {r['failed_path']})")
    print(out)
    if any(r["status"] == "failed" for r in failed):
        return runs.EXIT_FAILED
    if failed:
        return runs.EXIT_DIVERGED
    return runs.EXIT_OK


def _rows(points, axes, outcomes, out: Path) -> list[dict[str, Any]]:
    rows = []
    for point, res in zip(points, outcomes):
        res = res or {"status": "missing", "message": "", "key_numbers": {}, "dest": "", "failed_path": None}
        dest = Path(res.get("dest") or "")
        try:
            folder = str(dest.relative_to(out))
        except ValueError:
            folder = str(dest)
        rows.append({"params": dict(point), "status": res["status"], "message": res.get("message") or "",
                     "key_numbers": own_condition_keys(dict(res.get("key_numbers") or {}), point),
                     "folder": folder, "failed_path": res.get("failed_path")})
    return rows


def own_condition_keys(numbers: Mapping[str, Any], point: Mapping[str, Any]) -> dict[str, Any]:
    """Drop the point's own swept condition from key names, so that points of a sweep share
    keys: at ``p_sparse=0.1`` (or ``[0.1]``) ``ncl_ps0p1_min`` becomes ``ncl_min``."""
    from ..analysis.summaries import _cond_slug

    slugs = []
    for k, v in point.items():
        if isinstance(v, (list, tuple)) and len(v) == 1:
            v = v[0]
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            slugs.append("_" + _cond_slug(k, float(v)))
    out = {}
    for key, value in numbers.items():
        new = key
        for slug in slugs:
            new = re.sub(re.escape(slug) + r"(?=_|$)", "", new)
        out.setdefault(new, value)
    return out


def _cell(value: Any) -> str:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value)
    if value is None:
        return ""
    return str(value)


def summary_text(rows: Sequence[Mapping[str, Any]], param_keys: Sequence[str]) -> str:
    """CSV: the parameters, the status, every key number, the point's folder, a message."""
    keys: list[str] = []
    for row in rows:
        for k in row["key_numbers"]:
            if k not in keys:
                keys.append(k)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*param_keys, "status", *keys, "folder", "message"])
    for row in rows:
        writer.writerow([*(_cell(row["params"].get(k)) for k in param_keys), row["status"],
                         *(_cell(row["key_numbers"].get(k)) for k in keys), row["folder"],
                         row["message"].replace("\n", " ")])
    return buf.getvalue()


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _plot_keys(rows, requested: Sequence[str] | None, log) -> list[str]:
    numeric: list[str] = []
    for row in rows:
        for k, v in row["key_numbers"].items():
            if _number(v) is not None and k not in numeric:
                numeric.append(k)
    if requested:
        keys = [k for k in requested if k in numeric]
        missing = [k for k in requested if k not in numeric]
        if missing:
            log(f"[sweep] warning: no numeric key number {', '.join(map(repr, missing))}; "
                f"available: {', '.join(numeric) or '(none)'}")
        if keys:
            return keys
    keys = [k for k in numeric if k.endswith("_min")] or numeric
    if len(keys) > MAX_PANELS:
        log(f"[sweep] plotting the first {MAX_PANELS} of {len(keys)} key numbers "
            "(--plot-keys chooses others)")
    return keys[:MAX_PANELS]


def _axis_positions(values: Sequence[Any]) -> tuple[list[float], list[str], bool]:
    nums = [_number(v) for v in values]
    labels = [_slug(v) if isinstance(v, (list, tuple)) else str(v) for v in values]
    if all(n is not None for n in nums):
        return [float(n) for n in nums], labels, True
    return [float(i) for i in range(len(values))], labels, False


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON, a one-element list counting as its element (p_sparse [0.1] is 0.1)."""
    unwrap = lambda v: v[0] if isinstance(v, (list, tuple)) and len(v) == 1 else v
    return (json.dumps(unwrap(a), sort_keys=True, default=str)
            == json.dumps(unwrap(b), sort_keys=True, default=str))


def _value(rows, point: Mapping[str, Any], key: str) -> float:
    for row in rows:
        if all(_same(row["params"].get(k), v) for k, v in point.items()):
            n = _number(row["key_numbers"].get(key))
            return math.nan if n is None else n
    return math.nan


def plot_sweep(name: str, profile: str, rows, axes: Mapping[str, Sequence[Any]],
               varying: Sequence[str], plot_keys: Sequence[str] | None, out: Path,
               log=print) -> Path | None:
    """Draw the key numbers over the grid and save ``sweep.png|pdf|svg`` (provenance embedded)."""
    import numpy as np
    from matplotlib.figure import Figure

    from .page import NOTEBOOK_ENV, OUTPUT_DIR_ENV, save_figure

    keys = _plot_keys(rows, plot_keys, log)
    if not varying or not keys:
        log("[sweep] no plot: " + ("a single grid point" if not varying else "no numeric key numbers"))
        return None
    fixed = {k: axes[k][0] for k in axes if k not in varying}
    ncols = min(len(keys), 3)
    nrows = math.ceil(len(keys) / ncols)
    fig = Figure(figsize=(4.6 * ncols, 3.8 * nrows), layout="constrained")
    axs = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axs[len(keys):]:
        ax.set_visible(False)
    if len(varying) == 2:
        ky, kx = varying
        grid = np.array([[[_value(rows, {**fixed, ky: vy, kx: vx}, key) for vx in axes[kx]]
                          for vy in axes[ky]] for key in keys])
        finite = grid[np.isfinite(grid)]
        vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        for ax, key, z in zip(axs, keys, grid):
            im = ax.imshow(z, origin="lower", aspect="auto", cmap="viridis", vmin=vmin, vmax=vmax)
            for (iy, ix), v in np.ndenumerate(z):
                text = "failed" if not np.isfinite(v) else f"{v:.3f}"
                bright = np.isfinite(v) and (v - vmin) > 0.6 * (vmax - vmin)
                ax.text(ix, iy, text, ha="center", va="center", fontsize=8,
                        color="black" if bright or not np.isfinite(v) else "white")
            ax.set_xticks(range(len(axes[kx])), _axis_positions(axes[kx])[1], rotation=30)
            ax.set_yticks(range(len(axes[ky])), _axis_positions(axes[ky])[1])
            ax.set_xlabel(kx)
            ax.set_ylabel(ky)
            ax.set_title(key)
        fig.colorbar(im, ax=list(axs[:len(keys)]), shrink=0.8)
    else:
        kx, others = varying[0], list(varying[1:])
        xs, labels, numeric = _axis_positions(axes[kx])
        combos = expand_grid({k: axes[k] for k in others}) if others else [{}]
        for ax, key in zip(axs, keys):
            for combo in combos:
                ys = [_value(rows, {**fixed, **combo, kx: vx}, key) for vx in axes[kx]]
                label = ", ".join(f"{k}={v}" for k, v in combo.items()) or key
                ax.plot(xs, ys, marker="o", label=label)
            ax.set_xlabel(kx)
            ax.set_ylabel(key)
            ax.set_title(key)
            if not numeric:
                ax.set_xticks(xs, labels)
            if others:
                ax.legend(fontsize=7)
    fixed_text = ", ".join(f"{k}={v}" for k, v in fixed.items())
    fig.suptitle(f"{name} sweep ({profile} profile)" + (f"; {fixed_text}" if fixed_text else ""),
                 fontsize=10)
    with environ(**{OUTPUT_DIR_ENV: str(out), NOTEBOOK_ENV: name}):
        paths = save_figure(fig, "sweep", params={"notebook": name, "profile": profile,
                                                  "axes": {k: list(v) for k, v in axes.items()},
                                                  "keys": keys},
                            caption=f"{name}: {', '.join(keys)} over {' x '.join(varying)} "
                                    f"({profile} profile)")
    return paths["png"]


def _write_provenance(out: Path, name, profile, axes, rows, workers, scheduler, command, start,
                      wall, figure, git_start: dict[str, Any]) -> None:
    """The sweep's record: ``git`` is the tree at its end, and ``git_at_start`` the tree it started
    from where that differs (a commit or an edit during a long sweep)."""
    from .provenance import collect

    end = _dt.datetime.now(_dt.timezone.utc)
    record = collect(kind="sweep", notebook=name, profile=profile, command=command,
                     axes=jsonable({k: list(v) for k, v in axes.items()}),
                     points=[{"parameters": r["params"], "status": r["status"], "folder": r["folder"]}
                             for r in rows],
                     cluster=scheduler or {"local_workers": workers, "threads_per_worker": 1},
                     start=start.isoformat(timespec="seconds"), end=end.isoformat(timespec="seconds"),
                     wall_time_s=round(wall, 3), summary="summary.csv",
                     plot=None if figure is None else [f"sweep.{ext}" for ext in ("png", "pdf", "svg")])
    if record["git"] != git_start:
        record["git_at_start"] = git_start
    write_json(out / "provenance.json", record)
