"""The one tolerance rule for a number the paper reports:
``|ours - paper| <= max(2 * std_paper, 0.05)``."""
from __future__ import annotations

import math

#: Tolerance of a table cell: |ours - paper| <= max(TOL_STD_FACTOR * std_paper, TOL_FLOOR).
TOL_STD_FACTOR = 2.0
TOL_FLOOR = 0.05


def tolerance(paper_std: float | None) -> float:
    """The allowed gap to a paper number: max(2 * std_paper, 0.05) (0.05 when no std is given)."""
    if paper_std is None or (isinstance(paper_std, float) and math.isnan(paper_std)):
        return TOL_FLOOR
    return max(TOL_STD_FACTOR * float(paper_std), TOL_FLOOR)


def within_tolerance(ours: float, paper_mean: float, paper_std: float | None) -> bool:
    """``|ours - paper| <= max(2 * std_paper, 0.05)`` (with a 1e-9 slack for rounding)."""
    return abs(float(ours) - float(paper_mean)) <= tolerance(paper_std) + 1e-9
