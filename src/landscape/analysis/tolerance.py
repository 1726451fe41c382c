"""The one tolerance rule for a number the paper reports:
``|ours - paper| <= min(max(2 * std_paper, 0.05), 0.15)``.

The floor keeps a number the paper gives without a spread (or with a tiny one) from demanding
more precision than three runs can give; the cap keeps a huge paper spread (0.30 for some
NCL-linear cells) from making any value pass."""
from __future__ import annotations

import math

#: Tolerance of a table cell: |ours - paper| <= min(max(TOL_STD_FACTOR * std_paper, TOL_FLOOR), TOL_CAP).
TOL_STD_FACTOR = 2.0
TOL_FLOOR = 0.05
TOL_CAP = 0.15
#: The rule in words, for pages and tables.
RULE = f"min(max({TOL_STD_FACTOR:g} std, {TOL_FLOOR:g}), {TOL_CAP:g})"


def tolerance(paper_std: float | None) -> float:
    """The allowed gap to a paper number: min(max(2 * std_paper, 0.05), 0.15) (0.05 when no
    std is given)."""
    if paper_std is None or (isinstance(paper_std, float) and math.isnan(paper_std)):
        return TOL_FLOOR
    return min(max(TOL_STD_FACTOR * float(paper_std), TOL_FLOOR), TOL_CAP)


def within_tolerance(ours: float, paper_mean: float, paper_std: float | None) -> bool:
    """``|ours - paper| <= tolerance(paper_std)`` (with a 1e-9 slack for rounding)."""
    return abs(float(ours) - float(paper_mean)) <= tolerance(paper_std) + 1e-9
