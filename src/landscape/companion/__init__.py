"""The companion layer: everything that knows the notebooks, the book and the command line.

It sits on the science (:mod:`landscape`), which never imports it:

* :mod:`.execute`: the one executor of notebooks (papermill), for the book, the goldens and runs;
* :mod:`.runs`: run folders (parameter hashes, completeness, the atomic swap into place);
* :mod:`.sweep`: grids of runs on Dask;
* :mod:`.cli`: the ``landscape`` command (argparse and one function per sub-command);
* :mod:`.page`: what a notebook prints, glues, records and saves;
* :mod:`.provenance`: what produced an output (parameters, versions, git commit);
* :mod:`.scorecard`: the scorecard of every reported number and claim, from recorded results.

Importing it points the science's training cache at the checkout's ``.cache/runs`` and its
shipped results at ``results/runs`` (unless ``LANDSCAPE_CACHE_DIR`` / ``LANDSCAPE_SHIPPED_DIR``
are set already).
"""
from __future__ import annotations

import os
from pathlib import Path

from ..cache import CACHE_ENV, SHIPPED_ENV

#: The checkout this layer belongs to (``src/landscape/companion`` -> the repository root).
REPO_ROOT = Path(__file__).resolve().parents[3]
from ..profiles import DEFAULT_PROFILE, PROFILES  # noqa: F401  (one default for every entry point)

os.environ.setdefault(CACHE_ENV, str(REPO_ROOT / ".cache" / "runs"))
os.environ.setdefault(SHIPPED_ENV, str(REPO_ROOT / "results" / "runs"))
