"""Test-session set-up shared by the library tests and the nbval notebook tests.

Kernels started by nbval inherit this process's environment, so setting it here keeps the
notebooks' figures and training cache out of the repository, and makes every notebook compute
its numbers afresh (an empty training cache) instead of reading earlier results.
"""
from __future__ import annotations

import os
import shutil
import tempfile

_TMP: str | None = None


def pytest_configure(config):
    global _TMP
    config.addinivalue_line("markers", "authors_code: differential tests against the authors' code, "
                            "from the fixtures in tests/fixtures/authors (scripts/authors_fixtures.py)")
    _TMP = tempfile.mkdtemp(prefix="landscape-tests-")
    os.environ["LANDSCAPE_OUTPUT_DIR"] = os.path.join(_TMP, "outputs")
    os.environ["LANDSCAPE_CACHE_DIR"] = os.path.join(_TMP, "cache")
    os.environ["LANDSCAPE_SHIPPED_DIR"] = os.path.join(_TMP, "no-shipped-results")
    # each golden's checked cell also compares its full-precision key numbers with
    # tests/goldens/<name>.key_numbers.json (landscape.companion.page.golden_check)
    os.environ["LANDSCAPE_GOLDEN_DIR"] = os.path.join(os.path.dirname(__file__), "goldens")
    os.environ.pop("LANDSCAPE_GOLDEN_MODE", None)
    os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_unconfigure(config):
    if _TMP is not None:
        shutil.rmtree(_TMP, ignore_errors=True)
