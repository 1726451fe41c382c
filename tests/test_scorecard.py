"""The scorecard (landscape.companion.scorecard): counts, verdicts and the CSV from recorded
results, on small synthetic inputs, and the totals of the shipped paper-scale results."""
from __future__ import annotations

import csv
import dataclasses
import inspect
import io
import json
import os
from collections import Counter

import numpy as np
import pytest
import torch

from landscape import analysis, cache
from landscape.analysis.claims import CODE_CHECK_PREFIX
from landscape.analysis.reported import Reported
from landscape.companion import REPO_ROOT
from landscape.companion import scorecard as S
from landscape.config import TrainConfig
from landscape.train import TrainResult

HEADER = ("source,table,model,condition,metric,paper_mean,paper_std,reading,ours_mean,ours_std,"
          "runs,delta,tolerance,within")


def _row(source, model, metric, mean, std=None, p_sparse=None, sigma="", runs=5):
    return Reported(source=source, model=model, bn="", symrelu="", p_sparse=p_sparse, sigma_ws=sigma,
                    metric=metric, mean=mean, std=std, runs=runs)


# Two cells of Table 1 (one will be within tolerance, one outside) and Figure 5's quoted pair.
REPORTED = [
    _row("table1", "Simplified-SimCLR", "max_maxcos", 0.94, 0.005, p_sparse=0.1),
    _row("table1", "Simplified-SimCLR", "min_maxcos", 0.83, 0.16, p_sparse=0.1),
    _row("fig5", "NCL-warmstart-predictor", "min_maxcos_start", 0.7, runs=3),
    _row("fig5", "NCL-warmstart-predictor", "min_maxcos_end", 0.87, runs=3),
]
CLAIM_A = "Simplified-SimCLR has a higher final minimum max-cosine than Simplified-SimSiam"
CLAIM_B = "the minimum max-cosine of warm-started NCL with a predictor rises at every Pr(sparse)"
RECORDS = {
    "table-1": {"claims": [
        {"claim": CLAIM_A, "holds": True, "key": None, "paper_claim": True},
        {"claim": "Table 1 is reproduced within tolerance in every cell", "holds": False, "key": None,
         "paper_claim": True},
        {"claim": CODE_CHECK_PREFIX + CLAIM_A, "holds": False, "key": None, "paper_claim": False}],
        "end": "2026-01-02T03:04:05+00:00", "wall_time_s": 60.0},
    "figure-05": {"claims": [
        {"claim": CLAIM_B, "holds": False, "key": "claim_min_rises", "paper_claim": True},
        {"claim": "the minimum max-cosine goes from about 0.7 to about 0.87 on average", "holds": False,
         "key": "claim_matches_paper", "paper_claim": True}]},
    "theorem-1": {"key_numbers": {"thm1_a": True, "thm1_b": False, "x": 0.5}},
}
NOTEBOOKS = ["theorem-1", "figure-05", "table-1", "figure-07"]   # figure-07: no paper-scale record


def _result(cfgs, start, final):
    """A fake shipped result of ``cfgs``: min/median/max max-cosine ``start(cfg, i)`` at epoch 0
    and ``final(cfg, i)`` at the end (each a 3-tuple), as the training engine stores them."""
    r = len(cfgs)
    mc = np.zeros((r, 2, 3))
    for i, c in enumerate(cfgs):
        mc[i, 0], mc[i, 1] = start(c, i), final(c, i)
    return TrainResult(configs=list(cfgs), epochs=np.array([0, cfgs[0].epochs]), loss=np.zeros((r, 2)),
                       maxcos=mc, final_weights=np.zeros((r, 1, 1)), dictionaries=np.zeros((r, 1, 1)),
                       wall_s=120.0, extra={"cached": f"fake-{cfgs[0].method}-{cfgs[0].noise}-{r}"})


def fake_lookup(cfgs):
    """Text reading only (the code's readings are 'not shipped'): Table 1's SimCLR ends at max
    0.94 (the paper's: within) and min 0.43 (0.40 below the paper's 0.83, tolerance 0.32:
    outside); Figure 5's runs start at 0.7 (within) and end at 0.97 (outside)."""
    if cfgs[0].noise == "code":
        return None
    if cfgs[0].method == "cl":
        return _result(cfgs, lambda c, i: (0.1, 0.1, 0.1), lambda c, i: (0.43, 0.6, 0.94))
    return _result(cfgs, lambda c, i: (0.7, 0.7, 0.7), lambda c, i: (0.97, 0.97, 0.97))


@pytest.fixture(scope="module")
def card():
    return S.build(RECORDS, lookup=fake_lookup, notebooks=NOTEBOOKS, reported=REPORTED)


def test_a_cell_outside_tolerance_is_counted_as_outside(card):
    cells = card.cells("text")
    assert [(n.reported.metric, n.run, n.within) for n in cells] == [
        ("max_maxcos", True, True), ("min_maxcos", True, False)]
    assert cells[1].delta == pytest.approx(-0.40) and cells[1].tolerance == pytest.approx(0.32)
    assert cells[0].ours.n == 5                      # the paper profile's runs at Pr(sparse) 0.1
    t = card.totals("text")
    assert (t["cells"], t["cells_run"], t["cells_within"]) == (2, 2, 1)
    md = S.cells_markdown(card)
    assert "| 0.94 ± 0.005 | 0.94 ± 0.00 |" in md and "| 0.05 | ✓ |  |" in md and "| -0.40 | 0.32 | ✗ | {doc}`table-1`" in md


def test_a_reading_without_shipped_runs_is_not_run(card):
    code = card.cells("code")
    assert len(code) == 2 and not any(n.run for n in code) and all(n.within is None for n in code)
    assert card.totals("code")["cells_run"] == 0
    assert f"*{S.NOT_RUN}*" in S.cells_markdown(card, "code")


def test_quoted_numbers(card):
    quoted = card.quoted("text")
    assert [(n.reported.metric, round(n.ours.mean, 6), n.within) for n in quoted] == [
        ("min_maxcos_start", 0.7, True), ("min_maxcos_end", 0.97, False)]
    assert quoted[0].ours.n == 3
    assert card.totals("text")["quoted_within"] == 1


def test_quoted_stats_average_pr_sparse_per_run_then_runs():
    cfgs = [TrainConfig(p_sparse=ps, seed=s, epochs=10) for ps in (0.1, 0.2) for s in range(3)]
    res = _result(cfgs, lambda c, i: (c.p_sparse + c.seed / 10, 0, 0), lambda c, i: (0.5, 0, 0))
    start = S.quoted_stats(res, "start")
    per_run = np.array([0.15, 0.25, 0.35])            # mean over Pr(sparse) of each seed
    assert start.mean == pytest.approx(per_run.mean()) and start.std == pytest.approx(per_run.std())
    assert start.n == 3 and S.quoted_stats(res, "end").mean == pytest.approx(0.5)


def test_claims_recorded_false_fail_and_missing_records_are_not_run(card):
    assert [(c.notebook, c.text, c.holds, c.code) for c in card.claims] == [
        ("figure-05", CLAIM_B, False, None),          # the quoted-number claim is not counted again
        ("table-1", CLAIM_A, True, False),            # the table's tolerance claim neither
        ("figure-07", None, None, None)]              # no paper-scale record
    t = card.totals("text")
    assert (t["claims"], t["claims_run"], t["claims_hold"], t["notebooks_not_run"]) == (2, 2, 1, 1)
    assert card.totals("code")["claims_run"] == 1 and card.totals("code")["claims_hold"] == 0
    md = S.claims_markdown(card)
    assert f"| {{doc}}`Figure 7 <figure-07>` | *{S.NOT_RUN}* | *{S.NOT_RUN}* |" in md
    assert f"| {CLAIM_B} | ✗ does not hold |  | {{doc}}`figure-05`" in md
    line = S.summary_line(card)
    assert "1 of 2 qualitative claims hold (not run at paper scale: figure-07)" in line
    assert "of the 1 that do not hold, 0 hold" in line


def test_claims_of_a_record_without_verdicts_come_from_its_claim_key_numbers():
    record = {"key_numbers": {"claim_min_rises": True, "claim_matches_paper": False, "min_final_mean": 0.5}}
    assert S.paper_claims(record) == [{"claim": "claim_min_rises", "holds": True, "key": "claim_min_rises"}]
    assert S.paper_claims(None) == [] and S.code_check(None, "x") is None


def test_key_numbers(card):
    assert S.key_numbers(card) == {
        "score_cells": 2, "score_cells_run": 2, "score_cells_within": 1, "score_cells_not_run": 0,
        "score_quoted": 2, "score_quoted_run": 2, "score_quoted_within": 1, "score_claims": 2,
        "score_claims_run": 2, "score_claims_hold": 1, "score_claims_not_run": 1,
        "score_claims_code_hold": 0}


def test_theorems_and_executions(card):
    assert "| {doc}`theorem-1` | 1 | `thm1_b` |" in S.theorems_markdown(card)
    md = S.executions_markdown(card)
    assert "| {doc}`table-1` | 2026-01-02 03:04 | 1.0 min |" in md
    assert [e["name"] for e in S.executions(card)] == ["theorem-1", "figure-05", "table-1"]
    assert S.executions(card)[0]["runs"] is None      # a theorem trains nothing


def test_csv_has_the_header_and_one_row_per_number_and_reading(card):
    text = S.csv_text(card)
    assert text.splitlines()[0] == HEADER and ",".join(S.CSV_COLUMNS) == HEADER
    rows = list(csv.DictReader(io.StringIO(text)))
    numbers = [r for r in rows if r["metric"] != "claim"]
    assert Counter((r["source"], r["metric"], r["reading"]) for r in numbers) == Counter(
        {(x.source, x.metric, reading): 1 for x in REPORTED for reading in ("text", "code")})
    cell = next(r for r in numbers if r["metric"] == "min_maxcos" and r["reading"] == "text")
    assert cell == {"source": "table1", "table": "Table 1", "model": "Simplified-SimCLR",
                    "condition": "p_sparse=0.1", "metric": "min_maxcos", "paper_mean": "0.83",
                    "paper_std": "0.16", "reading": "text", "ours_mean": "0.43", "ours_std": "0.0",
                    "runs": "5", "delta": "-0.4", "tolerance": "0.32", "within": "False"}
    missing = next(r for r in numbers if r["metric"] == "min_maxcos" and r["reading"] == "code")
    assert (missing["runs"], missing["ours_mean"], missing["within"]) == ("0", "", "")
    claims = [(r["source"], r["condition"], r["reading"], r["within"]) for r in rows if r["metric"] == "claim"]
    assert claims == [("figure-05", CLAIM_B, "text", "False"), ("table-1", CLAIM_A, "text", "True"),
                      ("table-1", CLAIM_A, "code", "False"), ("figure-07", S.NOT_RUN, "text", "")]
    assert all(r["paper_mean"] == r["ours_mean"] == r["runs"] == "" for r in rows if r["metric"] == "claim")


def test_csv_leaves_ours_std_empty_below_two_runs(card):
    one = dataclasses.replace(card.numbers[0], reading="code", ours=analysis.Stats.of([0.9]))
    single = dataclasses.replace(card, numbers=[one], claims=[])
    (row,) = S.csv_rows(single)
    assert (row["runs"], row["ours_mean"], row["ours_std"]) == ("1", "0.9", "")


def test_write_csv_only_at_paper_profile_from_shipped_results(card, tmp_path):
    path = tmp_path / "scorecard.csv"
    assert S.write_csv(card, "paper", path) is None and not path.exists()   # synthetic inputs
    shipped = dataclasses.replace(card, from_shipped=True)
    assert S.write_csv(shipped, "smoke", path) is None and not path.exists()
    assert S.write_csv(shipped, "paper", path) == path
    first = path.read_bytes()
    assert first == S.csv_text(card).encode()
    again = S.build(RECORDS, lookup=fake_lookup, notebooks=NOTEBOOKS, reported=REPORTED)
    S.write_csv(dataclasses.replace(again, from_shipped=True), "paper", path)   # the same inputs
    assert path.read_bytes() == first and not list(tmp_path.glob("*.tmp"))


def test_shipped_result_reads_the_shipped_folder_only(tmp_path, monkeypatch):
    cfgs = [TrainConfig(n=10, batch_size=10, epochs=2, log_every=1, seed=s) for s in range(2)]
    local = tmp_path / "local"
    monkeypatch.setenv(cache.CACHE_ENV, str(local))
    result = _result(cfgs, lambda c, i: (0.1, 0.2, 0.3), lambda c, i: (0.4, 0.5, 0.6))
    key = cache.run_key(cfgs, torch.device("cpu"), torch.float32, False)
    cache.save_result(result, local / f"{key}.npz")          # in the local training cache only
    assert cache.find_cached(cfgs, device="cpu") is not None
    assert S.shipped_result(cfgs, tmp_path / "shipped") is None
    cache.save_result(result, tmp_path / "shipped" / f"{key}.npz")
    found = S.shipped_result(cfgs, tmp_path / "shipped")
    assert found.extra["cached"] == str(tmp_path / "shipped" / f"{key}.npz")
    np.testing.assert_allclose(found.maxcos, result.maxcos)
    assert os.environ[cache.CACHE_ENV] == str(local)         # the lookup leaves the environment alone


def test_reads_recorded_results_only():
    """No goldens, no printed text: neither the module nor the page reads them."""
    source = inspect.getsource(S)
    page = (REPO_ROOT / "notebooks" / "scorecard.py").read_text()
    for text in (source, page):
        assert "golden" not in text.lower() and "printed_claims" not in text and "nbformat" not in text
    assert "\ndef " not in page and "\nclass " not in page   # the page is prose and calls


def test_the_shipped_results_give_the_published_totals():
    card = S.build()
    assert card.from_shipped
    numbers = S.key_numbers(card)
    assert (numbers["score_cells_run"], numbers["score_cells"], numbers["score_quoted_run"]) == (90, 90, 4)
    assert (numbers["score_claims_run"], numbers["score_claims"], numbers["score_claims_not_run"]) == (17, 17, 0)
    # the totals are those the scorecard page recorded when it was executed at paper scale
    records = json.loads(S.SUMMARY_FILE.read_text())["notebooks"]
    recorded = records["scorecard"]["key_numbers"]
    assert {k: numbers[k] for k in recorded} == recorded
    # the quoted numbers from the shipped runs are the ones the figures' pages recorded
    for n in card.numbers:
        if n.quoted:
            key = ("" if n.reading == "text" else "code_") + (
                "min_start_mean" if n.reported.metric.endswith("start") else "min_final_mean")
            assert n.ours.mean == pytest.approx(records[n.notebook]["key_numbers"][key], abs=1e-9)
    # and Table 1's cells under the code's readings are the count its page recorded
    assert sum(bool(n.within) for n in card.cells("code") if n.reported.source == "table1") == \
        records["table-1"]["key_numbers"]["code_table1_cells_within"]
    rows = list(csv.DictReader(io.StringIO(S.csv_text(card))))
    reported = analysis.load_reported()
    assert Counter((r["reading"], r["metric"] == "claim") for r in rows) == {
        ("text", False): len(reported), ("code", False): len(reported), ("text", True): 17, ("code", True): 17}
    assert {r["runs"] for r in rows if r["metric"] != "claim" and r["reading"] == "code"} == {"1"}
