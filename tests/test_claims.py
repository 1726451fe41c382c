"""Claims recorded at execution time: ``verdict`` -> ``claims.json``, the claims every golden
prints, and the start/end claims shared by Figures 5 and 7."""
from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest

import landscape.companion.execute as E
from landscape.companion import page as N
from landscape import analysis as plotting
from landscape.analysis import claims

GOLDENS = Path(E.GOLDEN_DIR)


def test_verdict_records_claims_and_replaces_a_repeated_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(N.OUTPUT_DIR_ENV, str(tmp_path))
    N.verdict("CL beats NCL", False, "0.5 vs 0.6", key="claim_cl_above_ncl")
    N.verdict("with the public code's readings CL beats NCL", True, paper_claim=False)
    N.verdict("CL beats NCL", True, "0.7 vs 0.6", key="claim_cl_above_ncl")  # the cell run again
    assert capsys.readouterr().out.splitlines() == [
        "CLAIM CL beats NCL: DOES NOT HOLD (0.5 vs 0.6)",
        "CHECK with the public code's readings CL beats NCL: HOLDS",
        "CLAIM CL beats NCL: HOLDS (0.7 vs 0.6)"]
    recorded = json.loads((tmp_path / N.CLAIMS_FILE).read_text())
    assert recorded == N.read_claims(tmp_path) == [
        {"claim": "CL beats NCL", "holds": True, "verdict": "holds", "detail": "0.7 vs 0.6",
         "key": "claim_cl_above_ncl", "paper_claim": True},
        {"claim": "with the public code's readings CL beats NCL", "holds": True, "verdict": "holds",
         "detail": "", "key": None, "paper_claim": False}]


def test_verdict_without_output_dir_records_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv(N.OUTPUT_DIR_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert N.verdict("x", True) == "CLAIM x: HOLDS"
    assert list(tmp_path.iterdir()) == [] and N.read_claims(tmp_path) == []


@pytest.mark.parametrize("name", [n for n in E.toc_notebooks() if n.startswith(("figure-", "table-"))])
def test_every_figure_and_table_golden_prints_a_paper_claim(name):
    nb = nbformat.read(GOLDENS / f"{name}.ipynb", as_version=4)
    printed = [line for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
               if out.get("output_type") == "stream" for line in "".join(out.get("text", "")).splitlines()]
    assert any(re.match(r"^CLAIM .+: (HOLDS|DOES NOT HOLD|INCONCLUSIVE)( \(.*\))?$", line) for line in printed), name


def _stats(mean: float, std: float = 0.01, n: int = 3) -> plotting.Stats:
    return plotting.Stats(mean, std, mean - std, mean + std, n)


def _summary(p_sparse: float, start: float, final: float, std: float = 0.01, n: int = 3) -> SimpleNamespace:
    stats = lambda v: {"min": _stats(v, std, n)}  # noqa: E731
    return SimpleNamespace(cond={"p_sparse": p_sparse}, start=stats(start), final=stats(final))


def test_the_spread_rule_gives_holds_fails_or_inconclusive():
    """A difference must clear 2 standard errors to count: +0.06 with a spread of 0.1 over 3
    runs is inconclusive, not a pass; -0.00 is inconclusive, not a fail; one run cannot decide."""
    se = lambda s, n=3: claims.difference(_stats(0.5 + s, 0.1, n), _stats(0.5, 0.1, n))  # noqa: E731
    # population std 0.1 over 3 runs: sample variance 0.01 * 3 / 2, squared standard error that / 3
    assert claims.difference(_stats(0.7, 0.1), _stats(0.5, 0.1)) == pytest.approx((0.2, (2 * 0.01 / 2) ** 0.5))
    assert claims.clear_of_spread([se(0.3)]) is True
    assert claims.clear_of_spread([se(0.06)]) is None
    assert claims.clear_of_spread([se(-0.0)]) is None
    assert claims.clear_of_spread([se(-0.3)]) is False
    assert claims.clear_of_spread([se(0.3), se(0.06)]) is None      # every condition must clear
    assert claims.clear_of_spread([se(0.3), se(-0.3)]) is False     # one clear reversal fails
    assert claims.clear_of_spread([se(0.3, n=1)]) is None           # one run: spread unknown
    with pytest.raises(ValueError, match="at least one"):
        claims.clear_of_spread([])
    v = claims.claim_verdict("A beats B", None, "close")
    assert v.line == "CLAIM A beats B: INCONCLUSIVE (close)" and v.word == "inconclusive"
    assert v.record()["holds"] is None and v.record()["verdict"] == "inconclusive"


def test_start_end_claims(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(N.OUTPUT_DIR_ENV, str(tmp_path))
    start = plotting.reported("fig5", "NCL-warmstart-predictor", "min_maxcos_start").mean
    end = plotting.reported("fig5", "NCL-warmstart-predictor", "min_maxcos_end").mean
    summaries = [_summary(0.1, start, end), _summary(0.2, start, start)]
    numbers = N.start_end_claims(summaries, "fig5", "NCL-warmstart-predictor", "NCL")
    assert list(numbers) == ["min_start_mean", "min_final_mean", "claim_min_rises",
                             "claim_matches_paper"]
    assert numbers["min_start_mean"] == pytest.approx(start)
    assert numbers["min_final_mean"] == pytest.approx((start + end) / 2)
    assert numbers["claim_min_rises"] == "inconclusive"  # Pr(sparse) 0.2 stays where it started
    recorded = N.read_claims(tmp_path)
    assert [(c["key"], c["verdict"]) for c in recorded] == [
        ("claim_min_rises", "inconclusive"), ("claim_matches_paper", numbers["claim_matches_paper"])]
    assert recorded[0]["claim"] == "the minimum max-cosine of NCL rises at every Pr(sparse)"
    assert f"about {start:g} to about {end:g}" in recorded[1]["claim"]
    assert capsys.readouterr().out.splitlines() == [
        claims.verdict_from_record(c).line for c in recorded]


def test_check_above_and_the_check_of_the_code_readings(tmp_path, monkeypatch, capsys):
    """check_above's gaps are the differences of the final minimum max-cosine; with
    code_readings=True it is a CHECK whose text is the claim's after CODE_CHECK_PREFIX."""
    from landscape import experiments
    monkeypatch.setenv("LANDSCAPE_CACHE_DIR", str(tmp_path / "cache"))
    exp = experiments.get("figure-02")
    params = exp.resolve("smoke", n=60, batch_size=30, epochs=2, runs=1, p_sparse=[0.2, 0.3])
    summaries = plotting.summarise_all(exp.run(params, progress=False))
    gaps = claims.min_gaps(summaries, "CL", "NCL", params["p_sparse"])
    for ps, (gap, se) in gaps.items():
        want = (plotting.find(summaries, "CL", p_sparse=ps).final["min"].mean
                - plotting.find(summaries, "NCL", p_sparse=ps).final["min"].mean)
        assert gap == pytest.approx(want) and np.isnan(se)  # one run each: no spread
    v = claims.check_above(summaries, "CL", "NCL", params["p_sparse"])
    assert isinstance(v, claims.Verdict) and v.paper_claim and capsys.readouterr().out == ""
    assert N.show(v) == v.holds == claims.clear_of_spread(list(gaps.values()))
    check = claims.check_above(summaries, "NCL", "CL", params["p_sparse"], code_readings=True)
    assert not check.paper_claim and N.show(check) == check.holds
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("CLAIM CL has a higher final minimum max-cosine than NCL at every Pr(sparse): ")
    assert out[1].startswith("CHECK " + claims.CODE_CHECK_PREFIX + "NCL has a higher final minimum")
    code = N.code_readings(exp, params, figure=None)
    assert {s.model for s in code} == {"NCL", "CL"} and all(s.runs == 1 for s in code)
    assert set(claims.code_key_numbers(code)) == {f"code_{m}_ps0p{k}_min" for m in ("ncl", "cl") for k in (2, 3)}
    assert N.code_readings(exp, {**params, "reading_runs": 0}) == []


def test_check_trend_rises_and_decreases(capsys):
    rising = [_summary(0.1, 0.5, 0.7), _summary(0.2, 0.6, 0.65)]
    assert N.show(claims.check_trend(rising, "NCL", "rises")) is True
    assert N.show(claims.check_trend(rising, "NCL", "decreases", code_readings=True)) is False
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("CLAIM the minimum max-cosine of NCL rises at every Pr(sparse): HOLDS "
                      "(Pr(sparse) 0.1: final - start = +0.20 (2 SE 0.02); "
                      "Pr(sparse) 0.2: final - start = +0.05 (2 SE 0.02))")
    assert out[1].startswith("CHECK " + claims.CODE_CHECK_PREFIX + "the minimum max-cosine of NCL decreases")
    assert claims.check_trend(rising[:1] + [_summary(0.3, 0.6, 0.5)], "NCL", "rises").holds is False
    # the same rise inside a wide seed spread decides nothing
    assert claims.check_trend([_summary(0.1, 0.5, 0.55, std=0.1)], "NCL", "rises").holds is None
    with pytest.raises(ValueError, match="unknown direction 'up'; valid choices: rises, decreases"):
        claims.check_trend(rising, "NCL", "up")


def test_missed_warm_starts_counts_runs_that_start_with_a_column_left_out():
    from landscape.config import TrainConfig

    warm = TrainConfig(init="warm", warm_c=2.0)          # sigma 0.02: a warm row starts at cos 0.99
    cold = TrainConfig()
    maxcos = np.zeros((3, 2, 3))
    maxcos[:, 0, 0] = [0.99, 0.05, 0.30]                  # run 1 left a column out; run 2 is cold
    res = SimpleNamespace(configs=[warm, warm, cold], maxcos=maxcos)
    assert claims.missed_warm_starts({"NCL": res}) == (1, 2)
    c1 = TrainConfig(init="warm", warm_c=1.0)             # sigma 0.14: a warm row starts at cos 0.71
    res = SimpleNamespace(configs=[c1, c1], maxcos=np.array([[[0.70, 0, 0]], [[0.30, 0, 0]]]))
    assert claims.missed_warm_starts({"NCL": res}) == (1, 2)


def test_compare_samples_respects_the_seed_spread():
    from landscape.analysis.agreement import compare_samples

    same = compare_samples([0.88, 0.90, 0.92], [0.89, 0.90, 0.91])
    assert same.within_spread and same.p_value > 0.5
    apart = compare_samples([0.50, 0.51, 0.52], [0.89, 0.90, 0.91])
    assert not apart.within_spread and apart.p_value < 0.01
    assert apart.diff == pytest.approx(-0.39) and apart.spread == pytest.approx(0.01)
    one = compare_samples([0.5], [0.9, 0.91])
    assert not one.within_spread and np.isnan(one.p_value)
    with pytest.raises(ValueError, match="at least one run"):
        compare_samples([], [0.9])


def test_a_rise_is_judged_run_by_run():
    """Every run rising by 0.05 is a rise, although the runs start 0.2 apart: the rule takes
    each run's own change (paired), not the difference of two spread-out means."""
    starts, finals = np.array([0.4, 0.5, 0.6]), np.array([0.45, 0.56, 0.64])
    s = SimpleNamespace(cond={"p_sparse": 0.1}, start={"min": plotting.Stats.of(starts)},
                        final={"min": plotting.Stats.of(finals)},
                        change={"min": plotting.Stats.of(finals - starts)})
    unpaired = SimpleNamespace(cond=s.cond, start=s.start, final=s.final)
    assert claims.check_trend([s], "NCL", "rises").holds is True
    assert claims.check_trend([unpaired], "NCL", "rises").holds is None
    assert claims.rise(s) == pytest.approx((0.05, np.std([0.05, 0.06, 0.04], ddof=1) / np.sqrt(3)))


def _authors_record(epochs: int, n: int, final_mins: list[float]) -> dict:
    runs = [dict(init_min=0.5, final_min=v, final_median=0.8, final_max=0.9, min_maxcos=[0.5, v])
            for v in final_mins]
    return dict(epochs=epochs, config=dict(nn=n), curve_epochs=[0, epochs], runs=runs)


def _ours(epochs: int, n: int, final_mins: list[float]) -> SimpleNamespace:
    R = len(final_mins)
    maxcos = np.zeros((R, 2, 3))
    maxcos[:, 0] = 0.5
    maxcos[:, 1] = np.stack([final_mins, [0.8] * R, [0.9] * R], axis=-1)
    return SimpleNamespace(epochs=np.array([0, epochs]), configs=[SimpleNamespace(n=n)] * R,
                           maxcos=maxcos, loss=np.zeros((R, 2)))


def test_the_side_by_side_compares_only_runs_of_the_authors_length_and_size(monkeypatch):
    """Ours beside the authors' record: counted and judged at their epochs and n; a smoke run
    (shorter, smaller) is shown with 'not compared' and counts for nothing."""
    shown = []
    monkeypatch.setattr(N, "_markdown", shown.append)
    authors = _authors_record(1500, 3000, [0.90, 0.91, 0.89])
    same = N.side_by_side(authors, {"code reading": _ours(1500, 3000, [0.90, 0.90, 0.91])})
    assert (same["sbs_inside"], same["sbs_compared"]) == (4, 4)
    assert same["sbs_0_final_min_spread"] == "inside"
    far = N.side_by_side(authors, {"code reading": _ours(1500, 3000, [0.50, 0.52, 0.51])})
    assert (far["sbs_inside"], far["sbs_compared"]) == (3, 4) and far["sbs_0_final_min_spread"] == "outside"
    smoke = N.side_by_side(authors, {"code reading": _ours(60, 250, [0.50, 0.52, 0.51])})
    assert (smoke["sbs_inside"], smoke["sbs_compared"]) == (0, 0)
    assert smoke["sbs_0_final_min_spread"] == "not measured against"
    assert "not compared: 60 epochs on n = 250, theirs 1500 on n = 3000" in shown[-1]
    assert "outside the seed spread" not in shown[-1]
