"""Keep in results/runs/ only the results of the paper-scale runs (CPU, float32): every
experiment's models under both readings and under the authors' scripts, the paper-vs-code
comparisons and the Atlas pages' grids.

    .venv/bin/python scripts/prune_shipped.py [--dry-run]
"""
from __future__ import annotations

import argparse
import sys

import torch

from landscape import atlas, experiments
from landscape.cache import run_key, use_compile
from landscape.companion import REPO_ROOT
from landscape.companion.atlas_page import paper_cells

SHIPPED_DIR = REPO_ROOT / "results" / "runs"


def paper_keys() -> set[str]:
    runs = [cfgs for name in (*experiments.names(), "paper-vs-code")
            for cfgs in experiments.paper_runs(name) + (experiments.authors_runs(name) if name != "paper-vs-code" else [])]
    runs += [cfgs for name in atlas.names() for cfgs in paper_cells(name)]
    return {run_key(cfgs, torch.device("cpu"), torch.float32, use_compile(cfgs, "auto")) for cfgs in runs}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    keep = paper_keys()
    for f in sorted(SHIPPED_DIR.glob("*.npz")):
        if f.stem not in keep:
            print(f"{'would remove' if args.dry_run else 'removing'} {f.name} (not a paper-profile run)")
            if not args.dry_run:
                f.unlink()
    print(f"{len([f for f in SHIPPED_DIR.glob('*.npz') if f.stem in keep])} paper-profile results kept")
    return 0


if __name__ == "__main__":
    sys.exit(main())
