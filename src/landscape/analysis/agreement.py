"""Two samples of runs set side by side (ours and the authors' code, seed by seed): their means
and spreads, Welch's two-sample t-test, and whether the difference lies inside the seed spread."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class SampleComparison:
    """``ours`` and ``theirs``: one number per run. ``spread`` is the larger of the two sample
    standard deviations (ddof 1); the difference is *within the seed spread* when
    ``|mean ours - mean theirs| <= 2 spread``; ``p_value`` is Welch's two-sided t-test (NaN when
    either sample has fewer than two runs or both have no spread)."""

    ours: tuple[float, ...]
    theirs: tuple[float, ...]

    @property
    def ours_mean(self) -> float:
        return float(np.mean(self.ours))

    @property
    def theirs_mean(self) -> float:
        return float(np.mean(self.theirs))

    @property
    def diff(self) -> float:
        return self.ours_mean - self.theirs_mean

    @staticmethod
    def _std(x: Sequence[float]) -> float:
        return float(np.std(x, ddof=1)) if len(x) > 1 else float("nan")

    @property
    def ours_std(self) -> float:
        return self._std(self.ours)

    @property
    def theirs_std(self) -> float:
        return self._std(self.theirs)

    @property
    def spread(self) -> float:
        return max(self.ours_std, self.theirs_std)

    @property
    def within_spread(self) -> bool:
        return not math.isnan(self.spread) and abs(self.diff) <= 2 * self.spread

    @property
    def p_value(self) -> float:
        from scipy import stats

        if len(self.ours) < 2 or len(self.theirs) < 2 or (self.ours_std == 0 and self.theirs_std == 0):
            return float("nan")
        return float(stats.ttest_ind(self.ours, self.theirs, equal_var=False).pvalue)


def compare_samples(ours: Sequence[float], theirs: Sequence[float]) -> SampleComparison:
    """The comparison of two samples of per-run numbers (see :class:`SampleComparison`)."""
    if not len(ours) or not len(theirs):
        raise ValueError("both samples need at least one run")
    return SampleComparison(tuple(float(x) for x in ours), tuple(float(x) for x in theirs))
