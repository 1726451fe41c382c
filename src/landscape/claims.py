"""The paper's claims about its figures, checked on an experiment's runs, and the check of the
public code's readings.

Most experiments with a contrastive model claim that one model ends with a higher *minimum
max-cosine* (Eq. 11) than another at every Pr(sparse) (Figures 1-3, 8, 9; Tables 1, 2).
:func:`check_above` computes that verdict.  :func:`code_readings` trains an experiment's models
again with the two readings of the public code that decide whether contrastive learning
recovers the dictionary (:data:`landscape.experiments.CODE_READINGS`) and checks the same claim
on them, so that a notebook whose claim fails with the text's readings shows which reading
matches the paper.  :func:`start_end_claims` checks the start and end values that the text
quotes for Figures 5 and 7.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from . import plotting
from .config import TrainConfig
from .experiments import Experiment
from .notebook import save_figure, verdict

__all__ = ["claim_verdict", "min_gaps", "check_above", "check_trend", "start_end_claims", "code_readings",
           "code_key_numbers", "readings_text", "missed_warm_starts", "CODE_CHECK_PREFIX"]

#: The text of a check of the public code's readings is its paper claim's text after this.
CODE_CHECK_PREFIX = "With the public code's readings, "


def claim_verdict(claim: str, holds: bool, detail: str = "", code_readings: bool = False,
                  key: str | None = None, check: str | None = None) -> None:
    """A paper claim's verdict, or (``code_readings``) the ``CHECK`` of it on the runs with the
    public code's readings, whose text is the claim's after :data:`CODE_CHECK_PREFIX`; or
    (``check``) a ``CHECK`` of it on other runs, whose text is the claim's after ``check``."""
    if code_readings and check is None:
        check = CODE_CHECK_PREFIX
    if check is not None:
        verdict(check + claim, holds, detail, paper_claim=False)
    else:
        verdict(claim, holds, detail, key=key)


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


def min_gaps(summaries: Sequence[plotting.ConditionSummary], better: str, worse: str,
             p_sparse: Sequence[float] | None = None) -> dict[float | None, float]:
    """``{Pr(sparse): final min max-cosine of better - that of worse}`` (means over runs);
    ``p_sparse=None`` for an experiment without a Pr(sparse) sweep (one entry, key None)."""
    conds = [None] if p_sparse is None else list(p_sparse)

    def final_min(model: str, ps: float | None) -> float:
        s = plotting.find(summaries, model) if ps is None else plotting.find(summaries, model, p_sparse=ps)
        return s.final["min"].mean

    return {ps: final_min(better, ps) - final_min(worse, ps) for ps in conds}


def check_above(summaries: Sequence[plotting.ConditionSummary], better: str, worse: str,
                p_sparse: Sequence[float] | None = None, *, claim: str | None = None,
                code_readings: bool = False) -> bool:
    """Print the verdict of "``better`` has a higher final minimum max-cosine than ``worse`` at
    every Pr(sparse)" (with the gap per Pr(sparse)) and return whether it holds.

    ``code_readings=True`` (here and in every check of this module): the runs are the check of
    the public code's readings; the verdict is a ``CHECK`` (not a claim of the paper) whose text
    is the claim's after :data:`CODE_CHECK_PREFIX`, which is how the scorecard pairs the two."""
    gaps = min_gaps(summaries, better, worse, p_sparse)
    holds = all(g > 0 for g in gaps.values())
    if claim is None:
        claim = f"{better} has a higher final minimum max-cosine than {worse}"
        claim += " at every Pr(sparse)" if p_sparse is not None else ""
    detail = "; ".join(("" if ps is None else f"Pr(sparse) {ps:g}: ") + f"{better} - {worse} = {g:+.2f}"
                       for ps, g in gaps.items())
    claim_verdict(claim, holds, detail, code_readings)
    return holds


def check_trend(summaries: Sequence[plotting.ConditionSummary], subject: str, direction: str = "rises",
                *, code_readings: bool = False, key: str | None = None, check: str | None = None) -> bool:
    """Print the verdict of "the minimum max-cosine of ``subject`` rises (or decreases) at every
    Pr(sparse)": mean over runs, final minus start (Figures 4, 5, 7, 13-16)."""
    if direction not in ("rises", "decreases"):
        raise ValueError(f"unknown direction {direction!r}; valid choices: rises, decreases")
    changes = {s.cond["p_sparse"]: s.final["min"].mean - s.start["min"].mean for s in summaries}
    holds = all((g > 0) if direction == "rises" else (g < 0) for g in changes.values())
    claim_verdict(f"the minimum max-cosine of {subject} {direction} at every Pr(sparse)", holds,
             "; ".join(f"Pr(sparse) {ps:g}: final - start = {g:+.2f}" for ps, g in changes.items()),
             code_readings, key, check)
    return holds


def code_readings(exp: Experiment, params: Mapping[str, Any], *, device: str = "auto",
                  panels: Sequence[str] = plotting.TWO_PANELS, figure: str | None = None,
                  caption: str = "", by: Sequence[str] | None = None) -> list[plotting.ConditionSummary]:
    """Train ``exp``'s models with the public code's decisive readings (``reading_runs`` runs per
    condition, see :meth:`Experiment.configs`), print their final values and draw them as the
    paper's figure (saved as ``figure``, e.g. ``"figure-02-code-readings"``).  Returns their
    summaries (conditions named by ``by``, as :func:`landscape.plotting.summarise`; empty when
    ``reading_runs`` is 0)."""
    results = exp.run(params, device=device, reading="code")
    if not results:
        print("reading_runs = 0: the check of the public code's readings is skipped.")
        return []
    summaries = plotting.summarise_all(results, by=by)
    print(f"{exp.name} with {readings_text(r.configs[0] for r in results.values())}; "
          f"{params['reading_runs']} run(s) per condition:")
    print(plotting.format_summary(summaries))
    if figure is not None:
        fig = plotting.plot_curves(results, panels, title=caption or figure)
        save_figure(fig, figure, params=params, caption=caption or figure)
    return summaries


def code_key_numbers(summaries: Sequence[plotting.ConditionSummary], start: bool = False) -> dict[str, float]:
    """The final (and with ``start`` the initial) minimum max-cosine of the check of the code's
    readings, keys prefixed ``code_``."""
    numbers = plotting.key_numbers_for(summaries, metrics=("min",), when="start") if start else {}
    numbers.update(plotting.key_numbers_for(summaries, metrics=("min",)))
    return {f"code_{k}": v for k, v in numbers.items()}


def start_end_claims(summaries: Sequence[plotting.ConditionSummary], source: str, model: str,
                     subject: str, *, code_readings: bool = False, check: str | None = None) -> dict[str, Any]:
    """Print the two claims of a figure whose text quotes the minimum max-cosine's start and end.

    1. The minimum max-cosine of ``subject`` rises at every Pr(sparse) (mean over runs, final
       minus start), key ``claim_min_rises``.
    2. On average (over runs and Pr(sparse)) it goes from about the paper's start value to about
       its end value (``source``/``model``'s ``min_maxcos_start`` and ``min_maxcos_end`` in the
       reported numbers, within :func:`landscape.plotting.tolerance`), key ``claim_matches_paper``.

    Returns the key numbers
    ``min_start_mean``, ``min_final_mean``, ``claim_min_rises``, ``claim_matches_paper``.
    """
    min_rises = check_trend(summaries, subject, "rises", code_readings=code_readings, key="claim_min_rises",
                            check=check)
    start_all = float(np.mean([s.start["min"].mean for s in summaries]))
    final_all = float(np.mean([s.final["min"].mean for s in summaries]))
    start, start_ok, start_detail = plotting.compare_value(start_all, source, model, "min_maxcos_start")
    end, end_ok, end_detail = plotting.compare_value(final_all, source, model, "min_maxcos_end")
    matches_paper = start_ok and end_ok
    claim_verdict(f"the minimum max-cosine goes from about {plotting.paper_number(start.mean)} to about "
             f"{plotting.paper_number(end.mean)} on average", matches_paper,
             f"start: {start_detail}; end: {end_detail}", code_readings, key="claim_matches_paper", check=check)
    return {"min_start_mean": start_all, "min_final_mean": final_all,
            "claim_min_rises": min_rises, "claim_matches_paper": matches_paper}


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
    print(f"Warm starts that left a dictionary column out (initial minimum max-cosine below half "
          f"of a warm row's cosine): {missed} of {runs} runs")
    return missed, runs
