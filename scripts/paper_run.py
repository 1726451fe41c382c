"""Execute notebooks at paper scale, one after another, and record what it cost.

    .venv/bin/python scripts/paper_run.py [NAME ...] [--out DIR] > paper-run.log 2>&1 &

For each notebook (default: every notebook of ``_toc.yml``, cheapest first) this executes it
with ``profile="paper"`` into ``book/executed/`` (the book renders those copies), then records
its wall time and key numbers in ``results/paper/summary.json`` and copies the finished training
results it produced into ``results/runs/`` (a read-only cache shipped with the repository, so
that ``make book`` on a fresh clone does not retrain what was already run).

``--train-only NAME ...`` only trains the named experiments' models into the paper cache (in the
order given), without executing notebooks: a later execution then finds them cached.  The
summary records each notebook's execution wall time and, separately, the training wall time of
its models as stored in their result files (a notebook re-executed on cached results is fast,
its training was not).

Interrupting it is safe: finished notebooks are skipped on the next run (their executed copy
is up to date), and an interrupted training run resumes from its last checkpoint.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from landscape import atlas
from landscape.companion import atlas_page, execute
from landscape.companion.execute import READERS
from landscape.fileio import write_json
from landscape.companion.page import CLAIMS_FILE, read_claims
from landscape.companion import REPO_ROOT
from landscape.companion.provenance import collect

SHIPPED_DIR = REPO_ROOT / "results" / "runs"
SUMMARY = REPO_ROOT / "results" / "paper" / "summary.json"
PAPER_CACHE = REPO_ROOT / ".cache" / "paper-runs"



def order(names: list[str]) -> list[str]:
    """Theorems first, then experiments by estimated cost (contrastive runs are the costly ones),
    then the pages that read the others' results (:data:`READERS`)."""
    from landscape import experiments

    def cost(name: str) -> float:
        if name not in experiments.names():
            return 0.0
        exp = experiments.get(name)
        total = 0.0
        for cfgs in exp.configs(exp.defaults("paper")).values():
            total += len(cfgs) * cfgs[0].epochs * (10.0 if cfgs[0].method == "cl" else 1.0)
        return total

    readers = [n for n in READERS if n in names]
    return sorted((n for n in names if n not in READERS), key=cost) + readers


def ship_results(name: str) -> tuple[list[str], list[str]]:
    """Copy the notebook's finished paper-scale results not shipped yet into results/runs/;
    returns (the files copied now, all of its shipped result files)."""
    from landscape import experiments
    from landscape.cache import find_cached

    if name not in experiments.names() and name not in ("paper-vs-code", *atlas.names()):
        return [], []
    SHIPPED_DIR.mkdir(parents=True, exist_ok=True)
    copied, shipped = [], []
    for cfgs in paper_runs(name):
        found = find_cached(cfgs)
        if found is None:
            continue
        path = Path(found.extra["cached"])
        if not (SHIPPED_DIR / path.name).exists():
            shutil.copy2(path, SHIPPED_DIR / path.name)
            copied.append(path.name)
        shipped.append(path.name)
    return copied, sorted(set(shipped))


def paper_runs(name: str) -> list[list[Any]]:
    """Every paper-scale batched call of a notebook: an experiment's, or an atlas page's grid."""
    from landscape import experiments

    if name in atlas.names():
        return atlas_page.paper_cells(name)
    return experiments.paper_runs(name)


def sweep_atlas(name: str, workers: int = 2) -> None:
    """Train an atlas page's paper-scale grid with its own `landscape sweep` command (resumable:
    finished points are kept), ship every stored cell, and record the sweep's provenance (its
    command, wall time, workers, machine) in ``results/atlas/<name>-sweep.json``."""
    import shlex
    import subprocess

    params = atlas_page.paper_params(name)
    spec = atlas.get(name)
    out = REPO_ROOT / ".cache" / "sweeps" / name
    cmd = atlas_page.sweep_command(name, spec.x_param, list(params[spec.x_param]), workers=workers) + f" --out {out}"
    print(f"[atlas] {time.strftime('%H:%M:%S')} {cmd}", flush=True)
    argv = shlex.split(cmd)
    rc = subprocess.call([str(Path(sys.executable).parent / argv[0]), *argv[1:]])
    copied, shipped = ship_results(name)
    print(f"[atlas] {name}: sweep exit {rc}; {len(copied)} result file(s) shipped now, {len(shipped)} "
          f"of {len(paper_runs(name))} trainings stored", flush=True)
    prov = out / "provenance.json"
    if prov.exists():
        record = json.loads(prov.read_text())
        record["trained_on"] = trained_on()
        # their wall times are those of one-thread workers running side by side, not of one run
        # on the machine's cores (tests/test_train.py leaves them out of the time estimate's check)
        record["shipped_runs"] = shipped
        write_json(REPO_ROOT / "results" / "atlas" / f"{name}-sweep.json", record)


def training_wall_s(name: str) -> float | None:
    """Sum of the training wall times of a notebook's paper-scale runs (from their result files,
    whether trained by this execution or earlier), or None for a notebook without runs."""
    from landscape import experiments
    from landscape.cache import find_cached

    if name not in experiments.names() and name not in ("paper-vs-code", *atlas.names()):
        return None
    found = [find_cached(cfgs) for cfgs in paper_runs(name)]
    return round(sum(r.wall_s for r in found if r is not None), 1) if all(found) else None


def trained_on() -> str:
    """This machine in words, for the records: cores, CPU model and its vector instructions
    (:mod:`landscape.machine`), torch device (and GPU)."""
    import torch

    from landscape.machine import cpu_model

    gpu = f" ({torch.cuda.get_device_name()})" if torch.cuda.is_available() else ""
    return (f"{os.cpu_count()} CPU cores ({cpu_model()}, {torch.backends.cpu.get_cpu_capability()}), torch device "
            f"{'cuda' if torch.cuda.is_available() else 'cpu'}{gpu}")


def train_only(names: list[str], reading: str = "paper") -> None:
    """Train (into the paper cache) the paper-scale runs of the named notebooks, in order,
    without executing them: a later execution finds every run cached.  ``reading="authors"``:
    their models under the authors' scripts (``experiments.authors_runs``) instead, each result
    copied into ``results/runs/`` as soon as it is trained."""
    from landscape import experiments
    from landscape.cache import cached_train, find_cached

    for name in names:
        t0 = time.time()
        print(f"[train] {time.strftime('%H:%M:%S')} {name} ({reading}): start", flush=True)
        runs = experiments.authors_runs(name) if reading == "authors" else experiments.paper_runs(name)
        for k, cfgs in enumerate(runs):
            result = cached_train(cfgs, progress=f"{name} run {k + 1}")
            if reading == "authors":  # a fresh result does not name its file: find it
                path = Path(find_cached(cfgs).extra["cached"])
                SHIPPED_DIR.mkdir(parents=True, exist_ok=True)
                if not (SHIPPED_DIR / path.name).exists():
                    shutil.copy2(path, SHIPPED_DIR / path.name)
                print(f"[train] {name} run {k + 1}: {result.wall_s:.0f} s, shipped {path.name}", flush=True)
        print(f"[train] {time.strftime('%H:%M:%S')} {name}: done in {time.time() - t0:.0f} s", flush=True)
        if reading == "authors":  # where and how long: recorded beside the notebooks' executions
            summary = json.loads(SUMMARY.read_text()) if SUMMARY.exists() else {"notebooks": {}}
            shipped = [find_cached(cfgs) for cfgs in runs]
            summary.setdefault("authors_reading", {})[name] = collect(
                what=f"{name}'s models under the authors' scripts (experiments.authors_runs), paper scale",
                shipped_runs=sorted(Path(r.extra["cached"]).name for r in shipped if r is not None),
                training_wall_s=round(sum(r.wall_s for r in shipped if r is not None), 1),
                trained_on=trained_on())
            write_json(SUMMARY, summary)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="notebooks (default: all of _toc.yml, cheapest first)")
    ap.add_argument("--train-only", action="store_true",
                    help="only train the named experiments' models into the paper cache")
    ap.add_argument("--reading", choices=("paper", "authors"), default="paper",
                    help="with --train-only: the experiments' own runs (paper) or their models "
                         "under the authors' scripts (authors), shipped as they finish")
    ap.add_argument("--atlas", action="store_true",
                    help="train the named atlas pages' paper-scale grids with their `landscape sweep` "
                         "commands and ship the results (then execute the pages as usual)")
    ap.add_argument("--workers", type=int, default=2,
                    help="with --atlas: the sweep's Dask workers (default 2; 1 is faster on 2 cores for the "
                         "contrastive cells, whose similarity matrices two workers evict from the shared cache)")
    ap.add_argument("--out", type=Path, default=execute.BOOK_EXECUTED,
                    help="folder for the executed notebooks (default: book/executed)")
    args = ap.parse_args()
    names = args.names or order(execute.toc_notebooks())
    # the paper-scale runs have a cache of their own (the kernels inherit it)
    os.environ["LANDSCAPE_CACHE_DIR"] = str(PAPER_CACHE)
    if args.train_only:
        train_only(names, args.reading)
        return 0
    if args.atlas:
        for name in names:
            sweep_atlas(name, args.workers)
        return 0
    summary = json.loads(SUMMARY.read_text()) if SUMMARY.exists() else {"notebooks": {}}
    for name in names:
        print(f"[paper] {time.strftime('%H:%M:%S')} {name}: start", flush=True)
        try:
            path = execute.execute(name, args.out, profile="paper", progress=False)
        except execute.NotebookExecutionError as exc:
            print(f"[paper] {name}: FAILED: {exc}", flush=True)
            continue
        artefacts = path.parent / name
        prov = json.loads((artefacts / "provenance.json").read_text())
        keys = json.loads((artefacts / "key_numbers.json").read_text()) if (artefacts / "key_numbers.json").exists() else {}
        copied, shipped = ship_results(name)
        entry = summary["notebooks"].get(name, {})
        if prov.get("start", "") >= entry.get("start", ""):  # an up-to-date skip keeps the old record
            record = {
                "wall_time_s": prov.get("wall_time_s"), "training_wall_s": training_wall_s(name),
                "start": prov.get("start"), "end": prov.get("end"),
                "key_numbers": keys, "shipped_runs": shipped,
                "git": prov.get("git"), "parameters": prov.get("parameters")}
            # the verdicts (landscape.companion.page.verdict) it recorded; an execution older than
            # claims.json has none, and the scorecard then falls back on its claim_* key numbers
            if (artefacts / CLAIMS_FILE).exists():
                record["claims"] = read_claims(artefacts)
            summary["notebooks"][name] = record
        summary["provenance"] = collect(what="paper-scale execution of the companion's notebooks")
        write_json(SUMMARY, summary)
        print(f"[paper] {time.strftime('%H:%M:%S')} {name}: done, wall {prov.get('wall_time_s')} s, "
              f"{len(copied)} result file(s) shipped now, {len(shipped)} in all", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
