"""From training results to what a page says: per-condition summaries, figures in the paper's
layout, the paper's reported numbers and the one tolerance rule, and the claims as verdicts.

* :mod:`.summaries`: :func:`summarise_all`, :func:`find`, :func:`format_summary`, :func:`key_numbers_for`;
* :mod:`.figures`: :func:`plot_curves` (``TWO_PANELS``, ``FOUR_PANELS``);
* :mod:`.reported`: the paper's numbers (package data), :func:`compare_table`, :func:`compare_value`;
* :mod:`.tolerance`: ``|ours - paper| <= min(max(2 std_paper, 0.05), 0.15)``;
* :mod:`.claims`: checks of the paper's claims that return :class:`~.claims.Verdict` objects.

Nothing here prints or writes files: the page layer (``landscape.companion.page``) does.
"""
from __future__ import annotations

from . import claims  # noqa: F401
from .figures import FOUR_PANELS, TWO_PANELS, YLABELS, plot_curves  # noqa: F401
from .reported import (Cell, Comparison, Reported, compare_table, compare_value,  # noqa: F401
                       load_reported, paper_number, reported, table_source)
from .summaries import (FIELD_LABELS, METRICS, ConditionSummary, Stats, condition_fields,  # noqa: F401
                        find, format_summary, groups, key_numbers_for, slug, summarise,
                        summarise_all, varying_fields)
from .tolerance import TOL_FLOOR, TOL_STD_FACTOR, tolerance, within_tolerance  # noqa: F401
