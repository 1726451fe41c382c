"""The paper's claims about its figures, checked on an experiment's runs: each check returns a
:class:`Verdict` (the page layer prints and records it).

Most experiments with a contrastive model claim that one model ends with a higher *minimum
max-cosine* (Eq. 11) than another at every Pr(sparse) (Figures 1-3, 8, 9; Tables 1, 2).
:func:`check_above` computes that verdict.  The page layer trains an experiment's models again
with the two readings of the public code that decide whether contrastive learning
recovers the dictionary (:data:`landscape.experiments.CODE_READINGS`); the same checks with
``code_readings=True`` give the verdicts on those runs, so that a page whose claim fails with the
text's readings shows which reading matches the paper.  :func:`start_end_claims` checks the
start and end values that the text quotes for Figures 5 and 7.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ..config import TrainConfig
from .reported import compare_value, paper_number
from .summaries import METRICS, STD_DDOF, ConditionSummary, Stats, find, key_numbers_for

__all__ = ["Verdict", "claim_verdict", "min_gaps", "check_above", "check_trend", "start_end_claims",
           "code_key_numbers", "readings_text", "missed_warm_starts", "check_above_each",
           "check_above_on_all_metrics", "check_warmer_start", "CODE_CHECK_PREFIX",
           "CLAIM_PREFIX", "CHECK_PREFIX", "HOLDS", "FAILS", "INCONCLUSIVE", "WORDS", "SPREAD_SE",
           "clear_of_spread", "difference", "rise", "spread_text", "verdict_from_record"]

#: The text of a check of the public code's readings is its paper claim's text after this.
CODE_CHECK_PREFIX = "With the public code's readings, "
CLAIM_PREFIX = "CLAIM"   # a verdict on a claim of the paper
CHECK_PREFIX = "CHECK"   # a verdict on a check that is not a claim of the paper
HOLDS, FAILS, INCONCLUSIVE = "HOLDS", "DOES NOT HOLD", "INCONCLUSIVE"
#: A claim that one mean exceeds another holds when the difference is more than this many
#: standard errors above 0, fails when it is more than this many below, and is inconclusive
#: otherwise (:func:`clear_of_spread`): the one rule every comparison of runs follows.
SPREAD_SE = 2.0
#: What prose says for a verdict (True, False, None = inconclusive).
WORDS = {True: "holds", False: "does not hold", None: "inconclusive"}


@dataclass(frozen=True)
class Verdict:
    """Whether a claim holds on some runs: ``claim`` (its text), ``holds``, ``detail`` (the
    numbers behind it), ``key`` (its key number ``claim_...``, when it has one) and
    ``paper_claim`` (False: a check of ours, not a claim of the paper)."""

    claim: str
    holds: bool | None   # None: inconclusive (the difference is inside the seed spread)
    detail: str = ""
    key: str | None = None
    paper_claim: bool = True

    @property
    def line(self) -> str:
        """``CLAIM <claim>: HOLDS (<detail>)`` (``CHECK`` for a check of ours)."""
        prefix = CLAIM_PREFIX if self.paper_claim else CHECK_PREFIX
        word = INCONCLUSIVE if self.holds is None else (HOLDS if self.holds else FAILS)
        text = f"{prefix} {self.claim}: {word}"
        return f"{text} ({self.detail})" if self.detail else text

    @property
    def word(self) -> str:
        """``"holds"``, ``"does not hold"`` or ``"inconclusive"``: the verdict in prose."""
        return WORDS[self.holds]

    def record(self) -> dict[str, Any]:
        """The verdict as a JSON-ready record (what ``claims.json`` holds): ``holds`` is null
        for an inconclusive verdict, ``verdict`` its word."""
        return {"claim": str(self.claim), "holds": _tri(self.holds), "verdict": self.word,
                "detail": str(self.detail), "key": self.key, "paper_claim": bool(self.paper_claim)}


def verdict_from_record(record: Mapping[str, Any]) -> Verdict:
    """The :class:`Verdict` a ``claims.json`` record (:meth:`Verdict.record`) stands for."""
    return Verdict(str(record["claim"]), _tri(record.get("holds")), str(record.get("detail", "")),
                   key=record.get("key"), paper_claim=bool(record.get("paper_claim", True)))


def _tri(holds: Any) -> bool | None:
    """A verdict as True, False or None (inconclusive)."""
    return None if holds is None else bool(holds)


def clear_of_spread(diffs: Sequence[tuple[float, float]]) -> bool | None:
    """The verdict of "every difference is positive", given ``(mean difference, its standard
    error)`` per condition: True when every difference exceeds :data:`SPREAD_SE` standard errors,
    False when some difference is below minus that many, None (inconclusive) otherwise. A
    standard error that is unknown (one run: no spread) counts as infinite."""
    if not diffs:
        raise ValueError("clear_of_spread needs at least one difference")
    margins = [(d, se if np.isfinite(se) else np.inf) for d, se in diffs]
    if any(d < -SPREAD_SE * se for d, se in margins):
        return False
    if all(d > SPREAD_SE * se for d, se in margins):
        return True
    return None


def difference(a: Stats, b: Stats) -> tuple[float, float]:
    """``(mean_a - mean_b, standard error of that difference)`` over independent runs
    (Welch's: sqrt(s_a^2 / n_a + s_b^2 / n_b), sample variances; NaN with a single run on
    either side)."""
    if a.n < 2 or b.n < 2:
        return a.mean - b.mean, float("nan")
    return a.mean - b.mean, float(np.sqrt(_sem2(a) + _sem2(b)))


def _sem2(x: Stats) -> float:
    """The squared standard error of a mean over runs, from the sample variance (ddof 1)
    whatever ddof the summaries' std uses (:data:`landscape.analysis.summaries.STD_DDOF`)."""
    var = x.std ** 2 * (x.n / (x.n - 1) if STD_DDOF == 0 else 1.0)
    return var / x.n


def rise(s: ConditionSummary, metric: str = "min") -> tuple[float, float]:
    """``(mean change final - start, its standard error)`` of ``metric`` over the runs of ``s``:
    each run's own change (paired), when the summary has it, else the unpaired
    :func:`difference` of the final and initial values."""
    change = getattr(s, "change", None) or {}
    if metric in change:
        c = change[metric]
        return c.mean, (float(np.sqrt(_sem2(c))) if c.n >= 2 else float("nan"))
    return difference(s.final[metric], s.start[metric])


def spread_text(diff: tuple[float, float]) -> str:
    """A difference with its margin, e.g. ``+0.06 (2 SE 0.08)``."""
    d, se = diff
    return (f"{d:+.2f} ({SPREAD_SE:g} SE {SPREAD_SE * se:.2f})" if np.isfinite(se)
            else f"{d:+.2f} (one run: spread unknown)")


def claim_verdict(claim: str, holds: bool, detail: str = "", code_readings: bool = False,
                  key: str | None = None, check: str | None = None) -> Verdict:
    """A paper claim's verdict, or (``code_readings``) the ``CHECK`` of it on the runs with the
    public code's readings, whose text is the claim's after :data:`CODE_CHECK_PREFIX`; or
    (``check``) a ``CHECK`` of it on other runs, whose text is the claim's after ``check``."""
    if code_readings and check is None:
        check = CODE_CHECK_PREFIX
    if check is not None:
        return Verdict(check + claim, _tri(holds), detail, paper_claim=False)
    return Verdict(claim, _tri(holds), detail, key=key)


def readings_text(configs: Iterable[TrainConfig]) -> str:
    """Which of the public code's readings the check's configurations (one per model) use."""
    code = list(configs)
    has_cl = any(c.method == "cl" for c in code)
    parts = ["noise level (std sqrt(ln d)/d)"]
    if has_cl:
        parts.append("complementary masks (Eq. 2) for the contrastive models")
    if any(c.mask_meaning == "drop" for c in code if c.method != "cl"):
        parts.append("meaning of the masking probability (it zeroes a coordinate)"
                     + (" for the other models" if has_cl else ""))
    text = parts[0] if len(parts) == 1 else ", its ".join(parts[:-1]) + " and its " + parts[-1]
    return "the public code's " + text


def min_gaps(summaries: Sequence[ConditionSummary], better: str, worse: str,
             p_sparse: Sequence[float] | None = None) -> dict[float | None, tuple[float, float]]:
    """``{Pr(sparse): (final min max-cosine of better - that of worse, its standard error)}``
    (:func:`difference` of the runs); ``p_sparse=None`` for an experiment without a Pr(sparse)
    sweep (one entry, key None)."""
    conds = [None] if p_sparse is None else list(p_sparse)

    def final_min(model: str, ps: float | None) -> Stats:
        s = find(summaries, model) if ps is None else find(summaries, model, p_sparse=ps)
        return s.final["min"]

    return {ps: difference(final_min(better, ps), final_min(worse, ps)) for ps in conds}


def check_above(summaries: Sequence[ConditionSummary], better: str, worse: str,
                p_sparse: Sequence[float] | None = None, *, claim: str | None = None,
                code_readings: bool = False) -> Verdict:
    """The verdict of "``better`` has a higher final minimum max-cosine than ``worse`` at
    every Pr(sparse)" (with the gap per Pr(sparse)).

    ``code_readings=True`` (here and in every check of this module): the runs are the check of
    the public code's readings; the verdict is a ``CHECK`` (not a claim of the paper) whose text
    is the claim's after :data:`CODE_CHECK_PREFIX`, which is how the scorecard pairs the two."""
    gaps = min_gaps(summaries, better, worse, p_sparse)
    holds = clear_of_spread(list(gaps.values()))
    if claim is None:
        claim = f"{better} has a higher final minimum max-cosine than {worse}"
        claim += " at every Pr(sparse)" if p_sparse is not None else ""
    detail = "; ".join(("" if ps is None else f"Pr(sparse) {ps:g}: ") + f"{better} - {worse} = {spread_text(g)}"
                       for ps, g in gaps.items())
    return claim_verdict(claim, holds, detail, code_readings)


def check_trend(summaries: Sequence[ConditionSummary], subject: str, direction: str = "rises",
                *, code_readings: bool = False, key: str | None = None, check: str | None = None) -> Verdict:
    """The verdict of "the minimum max-cosine of ``subject`` rises (or decreases) at every
    Pr(sparse)": each run's own change, final minus start, against its standard error
    (:func:`rise`, :func:`clear_of_spread`; Figures 4, 5, 7, 13-16)."""
    if direction not in ("rises", "decreases"):
        raise ValueError(f"unknown direction {direction!r}; valid choices: rises, decreases")
    changes = {s.cond["p_sparse"]: rise(s) for s in summaries}
    sign = 1.0 if direction == "rises" else -1.0
    holds = clear_of_spread([(sign * d, se) for d, se in changes.values()])
    return claim_verdict(f"the minimum max-cosine of {subject} {direction} at every Pr(sparse)", holds,
                         "; ".join(f"Pr(sparse) {ps:g}: final - start = {spread_text(g)}" for ps, g in changes.items()),
                         code_readings, key, check)


def code_key_numbers(summaries: Sequence[ConditionSummary], start: bool = False) -> dict[str, float]:
    """The final (and with ``start`` the initial) minimum max-cosine of the check of the code's
    readings, keys prefixed ``code_``."""
    numbers = key_numbers_for(summaries, metrics=("min",), when="start") if start else {}
    numbers.update(key_numbers_for(summaries, metrics=("min",)))
    return {f"code_{k}": v for k, v in numbers.items()}


def start_end_claims(summaries: Sequence[ConditionSummary], source: str, model: str,
                     subject: str, *, code_readings: bool = False,
                     check: str | None = None) -> tuple[dict[str, Any], list[Verdict]]:
    """The two claims of a figure whose text quotes the minimum max-cosine's start and end.

    1. The minimum max-cosine of ``subject`` rises at every Pr(sparse) (mean over runs, final
       minus start), key ``claim_min_rises``.
    2. On average (over runs and Pr(sparse)) it goes from about the paper's start value to about
       its end value (``source``/``model``'s ``min_maxcos_start`` and ``min_maxcos_end`` in the
       reported numbers, within :func:`landscape.analysis.tolerance.tolerance`), key ``claim_matches_paper``.

    Returns the key numbers ``min_start_mean``, ``min_final_mean``, ``claim_min_rises``,
    ``claim_matches_paper``, and the two verdicts.
    """
    min_rises = check_trend(summaries, subject, "rises", code_readings=code_readings, key="claim_min_rises",
                            check=check)
    start_all = float(np.mean([s.start["min"].mean for s in summaries]))
    final_all = float(np.mean([s.final["min"].mean for s in summaries]))
    start, start_ok, start_detail = compare_value(start_all, source, model, "min_maxcos_start")
    end, end_ok, end_detail = compare_value(final_all, source, model, "min_maxcos_end")
    matches = claim_verdict(f"the minimum max-cosine goes from about {paper_number(start.mean)} to about "
                            f"{paper_number(end.mean)} on average", start_ok and end_ok,
                            f"start: {start_detail}; end: {end_detail}", code_readings,
                            key="claim_matches_paper", check=check)
    return ({"min_start_mean": start_all, "min_final_mean": final_all,
             "claim_min_rises": min_rises.word, "claim_matches_paper": matches.word}, [min_rises, matches])


def missed_warm_starts(results: Mapping[str, Any]) -> tuple[int, int]:
    """``(missed, runs)``: how many warm-started runs began with no row near some dictionary
    column, and how many warm-started runs there are.

    With m > d the public code (``warm_pick="code"``) draws the m columns that start the rows
    *with replacement*, so a column can be left out (probability about d (1 - 1/d)^m, 5% for
    m = 50, d = 10).  A warm row starts at cosine 1/sqrt(1 + p sigma^2) to its own column; a run
    counts as missing a column when its initial minimum max-cosine (Eq. 11) is below half of
    that.  Such a run drags the mean start and end down (its column has to be found from
    scratch); ``warm_pick="cover"`` avoids it."""
    missed = runs = 0
    for res in results.values():
        for k, cfg in enumerate(res.configs):
            if cfg.init != "warm":
                continue
            runs += 1
            own = 1.0 / np.sqrt(1.0 + cfg.p * cfg.sigma ** 2)
            missed += bool(res.maxcos[k, 0, 0] < own / 2)
    return missed, runs


def _final(summaries: Sequence[ConditionSummary], model: str, metric: str = "min", **condition: Any) -> Stats:
    """The final ``metric`` (over runs) of ``model`` under ``condition``."""
    return find(summaries, model, **condition).final[metric]


def check_above_each(summaries: Sequence[ConditionSummary], better: str, worse: Sequence[str],
                     p_sparse: Sequence[float], *, code_readings: bool = False) -> Verdict:
    """The verdict of "``better`` has a higher final minimum max-cosine than each of ``worse``
    at every Pr(sparse)" (Table 2: CL-basic above NCL-basic and NCL-basic-2L), each gap judged
    against the seed spread (:func:`clear_of_spread`), with the final values per Pr(sparse)."""
    models = [better, *worse]
    holds = clear_of_spread([difference(_final(summaries, better, p_sparse=ps), _final(summaries, w, p_sparse=ps))
                             for ps in p_sparse for w in worse])
    claim = (f"{better} has a higher final minimum max-cosine than {' and '.join(worse)} "
             "at every Pr(sparse)")
    detail = "; ".join(f"Pr(sparse) {ps:g}: " + ", ".join(f"{m} {_final(summaries, m, p_sparse=ps)}"
                                                         for m in models) for ps in p_sparse)
    return claim_verdict(claim, holds, detail, code_readings)


def check_above_on_all_metrics(summaries: Sequence[ConditionSummary], better: str, worse: str,
                               p_sparse: Sequence[float], *, code_readings: bool = False) -> Verdict:
    """The verdict of "``better`` beats ``worse`` on minimum, median and maximum max-cosine at
    every Pr(sparse)" (Table 2: CL-linear against NCL-linear), each gap judged against the seed
    spread (:func:`clear_of_spread`), with the minimum per Pr(sparse)."""
    holds = clear_of_spread([difference(_final(summaries, better, m, p_sparse=ps), _final(summaries, worse, m, p_sparse=ps))
                             for ps in p_sparse for m in METRICS])
    detail = "; ".join(f"Pr(sparse) {ps:g}: min {_final(summaries, better, p_sparse=ps)} vs "
                       f"{_final(summaries, worse, p_sparse=ps)}" for ps in p_sparse)
    return claim_verdict(f"{better} beats {worse} on minimum, median and maximum max-cosine at every Pr(sparse)",
                         holds, detail, code_readings)


def check_warmer_start(summaries: Sequence[ConditionSummary], model: str, sigmas: Sequence[float],
                       p_sparse: Sequence[float], *, code_readings: bool = False) -> Verdict:
    """The verdict of "a warmer start helps" (Table 4): every warm-start ``sigma`` below the
    largest gives ``model`` a higher final minimum max-cosine than the largest, at every
    Pr(sparse), each gap judged against the seed spread (:func:`clear_of_spread`); with the
    final values per Pr(sparse) and sigma."""
    def final_min(sigma: float, ps: float) -> Stats:
        return _final(summaries, model, warm_sigma=sigma, p_sparse=ps)

    loosest = max(sigmas)
    holds = clear_of_spread([difference(final_min(s, ps), final_min(loosest, ps))
                             for s in sigmas if s < loosest for ps in p_sparse])
    claim = (f"every sigma below {loosest:g} gives a higher final minimum max-cosine than sigma = {loosest:g} "
             "at every Pr(sparse)")
    detail = "; ".join(f"Pr(sparse) {ps:g}: " + ", ".join(f"σ {s:g}: {final_min(s, ps)}" for s in sigmas)
                       for ps in p_sparse)
    return claim_verdict(claim, holds, detail, code_readings)
