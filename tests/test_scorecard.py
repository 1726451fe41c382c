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
from pathlib import Path

import numpy as np
import pytest
import torch

from landscape import analysis, cache, experiments
from landscape.analysis.claims import CODE_CHECK_PREFIX
from landscape.analysis.reported import Reported
from landscape.companion import REPO_ROOT
from landscape.companion import scorecard as S
from landscape.companion.page import AUTHORS_CHECK_PREFIX
from landscape.config import TrainConfig
from landscape.train import TrainResult

HEADER = ("source,table,model,condition,metric,paper_mean,paper_std,reading,ours_mean,ours_std,"
          "runs,delta,tolerance,within")
AUTHORS = experiments.AUTHORS
TOL = analysis.tolerance(0.16)          # Table 1's SimCLR minimum below: the paper's std 0.16


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
         "key": "claim_matches_paper", "paper_claim": True},
        {"claim": AUTHORS_CHECK_PREFIX + CLAIM_B, "holds": None, "verdict": "inconclusive", "key": None,
         "paper_claim": False}]},
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


def _authors(cfg):
    """Whether ``cfg`` is a configuration of the authors' scripts (n = 3000, their lr)."""
    return cfg.n == 3000 and cfg.lr == 0.005


def fake_lookup(cfgs):
    """Text reading, and Figure 5 under the authors' scripts (the code's readings and Table 1's
    authors' runs are 'not shipped'): Table 1's SimCLR ends at max 0.94 (the paper's: within)
    and min 0.43 (0.40 below the paper's 0.83: outside); Figure 5's runs start at 0.7 (within)
    and end at 0.97 (outside); under the authors' scripts Figure 5's end at 0.86 (within)."""
    if cfgs[0].noise == "code" and not _authors(cfgs[0]):
        return None
    if _authors(cfgs[0]):
        if cfgs[0].method == "cl" or cfgs[0].method == "simsiam":
            return None
        return _result(cfgs, lambda c, i: (0.7, 0.7, 0.7), lambda c, i: (0.86, 0.86, 0.86))
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
    assert cells[1].delta == pytest.approx(-0.40) and cells[1].tolerance == pytest.approx(TOL)
    assert cells[0].ours.n == 5                      # the paper profile's runs at Pr(sparse) 0.1
    t = card.totals("text")
    assert (t["cells"], t["cells_run"], t["cells_within"]) == (2, 2, 1)
    md = S.cells_markdown(card)
    holds, fails = ('<span class="sc-verdict sc-holds">✓</span>', '<span class="sc-verdict sc-fails">✗</span>')
    assert f"| 0.94 ± 0.005 | 0.94 ± 0.00 | +0.00 (±0.05) | {holds} | — | — |  |" in md
    # a miss links, with short labels, to its page and to the section of paper-vs-code on it
    assert f"| -0.40 (±{TOL:.2f}) | {fails} | — | — | {{doc}}`page <table-1>` · {{ref}}`noise, masks <pvc-measured>` |" in md


def test_a_reading_without_shipped_runs_is_not_run(card):
    for reading in ("code", AUTHORS):
        cells = card.cells(reading)
        assert len(cells) == 2 and not any(n.run for n in cells) and all(n.within is None for n in cells)
        assert card.totals(reading)["cells_run"] == 0
        assert "*not run*" in S.cells_markdown(card, reading)


def test_quoted_numbers(card):
    quoted = card.quoted("text")
    assert [(n.reported.metric, round(n.ours.mean, 6), n.within) for n in quoted] == [
        ("min_maxcos_start", 0.7, True), ("min_maxcos_end", 0.97, False)]
    assert quoted[0].ours.n == 3
    assert card.totals("text")["quoted_within"] == 1
    # the authors' runs of Figure 5 are shipped: looked up like the text's, scored alike
    authors = card.quoted(AUTHORS)
    assert [(round(n.ours.mean, 6), n.within) for n in authors] == [(0.7, True), (0.86, True)]
    assert card.totals(AUTHORS)["quoted_within"] == 2 and card.totals("code")["quoted_run"] == 0


def test_quoted_stats_average_pr_sparse_per_run_then_runs():
    cfgs = [TrainConfig(p_sparse=ps, seed=s, epochs=10) for ps in (0.1, 0.2) for s in range(3)]
    res = _result(cfgs, lambda c, i: (c.p_sparse + c.seed / 10, 0, 0), lambda c, i: (0.5, 0, 0))
    start = S.quoted_stats(res, "start")
    per_run = np.array([0.15, 0.25, 0.35])            # mean over Pr(sparse) of each seed
    assert start.mean == pytest.approx(per_run.mean()) and start.std == pytest.approx(per_run.std())
    assert start.n == 3 and S.quoted_stats(res, "end").mean == pytest.approx(0.5)


def test_claims_recorded_false_fail_and_missing_records_are_not_run(card):
    assert [(c.notebook, c.text, c.holds, c.code, c.authors) for c in card.claims] == [
        ("figure-05", CLAIM_B, False, None, None),    # the quoted-number claim is not counted again
        ("table-1", CLAIM_A, True, False, None),      # the table's tolerance claim neither
        ("figure-07", None, None, None, None)]        # no paper-scale record
    assert [[c.verdict(r) for r in S.GRID_READINGS] for c in card.claims] == [
        ["does not hold", "inconclusive", "not run"],  # the authors' check recorded as inconclusive
        ["holds", "not run", "does not hold"], ["not run"] * 3]
    t = card.totals("text")
    assert (t["claims"], t["claims_run"], t["claims_hold"], t["notebooks_not_run"]) == (2, 2, 1, 1)
    assert card.totals("code")["claims_run"] == 1 and card.totals("code")["claims_hold"] == 0
    a = card.totals(AUTHORS)
    assert (a["claims"], a["claims_run"], a["claims_hold"], a["claims_inconclusive"]) == (2, 1, 0, 1)
    md = S.claims_markdown(card)
    assert f"| {{doc}}`Figure 7 <figure-07>` | *{S.NOT_RUN}* | — | — | — |  |" in md
    assert (f"| {CLAIM_B} | <span class=\"sc-verdict sc-fails\">does not hold</span> | "
            f"<span class=\"sc-verdict sc-inconclusive\">inconclusive</span> | — | {{doc}}`page <figure-05>` · "
            f"{{ref}}`§10 warm start <pvc-10>` |") in md
    line = S.summary_line(card)
    assert "1 of 2 qualitative claims hold (not run at paper scale: figure-07)" in line
    assert "of the 1 that do not hold, 0 hold" in line


def test_claims_of_a_record_without_verdicts_come_from_its_claim_key_numbers():
    record = {"key_numbers": {"claim_min_rises": True, "claim_matches_paper": False, "min_final_mean": 0.5}}
    assert S.paper_claims(record) == [{"claim": "claim_min_rises", "holds": True, "key": "claim_min_rises"}]
    words = {"key_numbers": {"claim_min_rises": "inconclusive", "claim_x": "does not hold"}}
    assert [c["holds"] for c in S.paper_claims(words)] == [None, False]
    assert S.paper_claims(None) == [] and S.code_check(None, "x") is None and S.authors_check(None, "x") is None


def test_key_numbers(card):
    numbers = S.key_numbers(card)
    assert {k: numbers[k] for k in list(numbers)[:12]} == {
        "score_cells": 2, "score_cells_run": 2, "score_cells_within": 1, "score_cells_not_run": 0,
        "score_quoted": 2, "score_quoted_run": 2, "score_quoted_within": 1, "score_claims": 2,
        "score_claims_run": 2, "score_claims_hold": 1, "score_claims_not_run": 1,
        "score_claims_code_hold": 0}
    # the other readings' totals, the grid's pages by verdict, the groups of pages
    assert {k: numbers[f"score_authors_{k}"] for k in ("cells_run", "quoted_run", "quoted_within", "claims_run",
                                                      "claims_hold", "claims_inconclusive")} == {
        "cells_run": 0, "quoted_run": 2, "quoted_within": 2, "claims_run": 1, "claims_hold": 0,
        "claims_inconclusive": 1}
    assert (numbers["score_pages"], numbers["score_text_pages_partly"], numbers["score_text_pages_not_run"],
            numbers["score_authors_pages_inconclusive"], numbers["score_code_pages_fails"]) == (3, 2, 1, 1, 1)
    assert (numbers["score_contrast_pages"], numbers["score_contrast_claims"], numbers["score_contrast_text_hold"],
            numbers["score_warm_norm_pages"], numbers["score_other_pages"]) == ("Table 1", 1, 1, "Figure 7", "Figure 5")
    assert numbers["score_cl_text_min"] is None       # no paper-vs-code record in these inputs


def test_the_grid_has_one_row_per_page_and_a_coloured_cell_per_reading(card):
    rows = S.grid(card)
    assert [next(iter(r.values())).notebook for r in rows] == ["figure-05", "table-1", "figure-07"]
    assert [[r[x].label for x in S.GRID_READINGS] for r in rows] == [
        ["partly 1/3", "inconclusive 2/3", "not run"],   # claim fails, start within, end outside
        ["partly 2/3", "not run", "does not hold 0/1"],
        ["not run", "not run", "not run"]]               # no record, no numbers: never a pass
    md = S.grid_markdown(card)
    assert md.startswith("```{list-table}") and ":class: scorecard-grid" in md and md.endswith("```")
    assert "* - {doc}`Figure 5 <figure-05>`\n  - <span class=\"sc-verdict sc-partly\">partly 1/3</span>" in md
    assert md.count("sc-notrun") == 5 and md.count("* - ") == 4          # header and three pages
    assert all(f"sc-{cls}" in S.grid_legend() for cls in S.VERDICTS.values())
    css = (REPO_ROOT / "_static" / "scorecard.css").read_text()
    assert all(f".sc-{cls}" in css for cls in S.VERDICTS.values()) and "table.scorecard-grid" in css
    for cls, rgb in S.VERDICT_RGB.items():                   # the picture uses the badges' colours
        assert f".sc-{S.VERDICTS[cls]} {{ background: {rgb}; }}" in css


def test_cell_verdicts():
    cell = lambda hold, fail, inc, items=5: S.Cell("figure-02", "text", hold, fail, inc, items)
    assert [cell(*x).verdict for x in ((2, 0, 0), (0, 2, 0), (1, 1, 0), (1, 0, 1), (0, 1, 1), (0, 0, 0))] == [
        "holds", "does not hold", "partly", "inconclusive", "does not hold", "not run"]
    assert cell(2, 1, 0).label == "partly 2/3" and cell(0, 0, 0).label == "not run"


def test_grid_figure_draws_every_cell(card):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = S.grid_figure(card)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["1/3", "2/3", "–", "2/3", "–", "0/1", "–", "–", "–"]
    plt.close(fig)


def test_groups_of_pages():
    assert S.group_of("figure-02") == "contrast" and S.group_of("table-1") == "contrast"
    assert [S.group_of(n) for n in ("figure-07", "figure-13", "figure-16")] == ["warm_norm"] * 3
    assert S.group_of("figure-05") == "other" and S.group_of("table-4") == "other"


def test_theorems_and_executions(card):
    assert "| {doc}`theorem-1` | *not recorded apart* | | 1 of 2 (key numbers) | `thm1_b` |" in S.theorems_markdown(card)
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
        {(x.source, x.metric, reading): 1 for x in REPORTED for reading in ("text", "code", AUTHORS)})
    cell = next(r for r in numbers if r["metric"] == "min_maxcos" and r["reading"] == "text")
    assert cell == {"source": "table1", "table": "Table 1", "model": "Simplified-SimCLR",
                    "condition": "p_sparse=0.1", "metric": "min_maxcos", "paper_mean": "0.83",
                    "paper_std": "0.16", "reading": "text", "ours_mean": "0.43", "ours_std": "0.0",
                    "runs": "5", "delta": "-0.4", "tolerance": S._num(TOL), "within": "False"}
    for reading in ("code", AUTHORS):   # not shipped: not run, never a pass
        missing = next(r for r in numbers if r["metric"] == "min_maxcos" and r["reading"] == reading)
        assert (missing["runs"], missing["ours_mean"], missing["delta"], missing["within"]) == ("0", "", "", "")
    shipped = next(r for r in numbers if r["metric"] == "min_maxcos_end" and r["reading"] == AUTHORS)
    assert (shipped["ours_mean"], shipped["runs"], shipped["delta"], shipped["within"]) == ("0.86", "3", "-0.01", "True")
    claims = [(r["source"], r["condition"], r["reading"], r["within"]) for r in rows if r["metric"] == "claim"]
    assert claims == [("figure-05", CLAIM_B, "text", "False"), ("figure-05", CLAIM_B, AUTHORS, "inconclusive"),
                      ("table-1", CLAIM_A, "text", "True"), ("table-1", CLAIM_A, "code", "False"),
                      ("table-1", CLAIM_A, AUTHORS, ""),
                      ("figure-07", S.NOT_RUN, "text", ""), ("figure-07", S.NOT_RUN, AUTHORS, "")]
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
        if n.quoted and n.ours is not None:
            key = ("" if n.reading == "text" else f"{n.reading}_") + (
                "min_start_mean" if n.reported.metric.endswith("start") else "min_final_mean")
            assert n.ours.mean == pytest.approx(records[n.notebook]["key_numbers"][key], abs=1e-9)
    # and Table 1's cells under the code's readings are the count its page recorded
    assert sum(bool(n.within) for n in card.cells("code") if n.reported.source == "table1") == \
        records["table-1"]["key_numbers"]["code_table1_cells_within"]
    rows = list(csv.DictReader(io.StringIO(S.csv_text(card))))
    reported = analysis.load_reported()
    assert Counter((r["reading"], r["metric"] == "claim") for r in rows) == {
        ("text", False): len(reported), ("code", False): len(reported), ("authors", False): len(reported),
        ("text", True): 17, ("code", True): 17, ("authors", True): 17}
    assert {r["runs"] for r in rows if r["metric"] != "claim" and r["reading"] == "code"} == {"1"}
    # the authors' reading: numbers only where its runs are shipped (summary.json "authors_reading"),
    # claims only where their page recorded the check; everything else not run, never a pass
    shipped = json.loads(S.SUMMARY_FILE.read_text()).get("authors_reading", {})
    listed = {f for rec in shipped.values() for f in rec.get("shipped_runs", [])}

    def recorded(nb: str) -> bool:
        """Some of the page's models under the authors' scripts are runs a record lists (Table 2's
        NCL-basic and CL-basic are Figure 2's models, recorded under Figure 2)."""
        found = [S.shipped_result(cfgs) for cfgs in experiments.authors_runs(nb)]
        return any(r is not None and Path(r.extra["cached"]).name in listed for r in found)

    sources = {r["source"] for r in rows if r["reading"] == "authors" and r["metric"] != "claim" and r["runs"] != "0"}
    assert sources <= {src for src, (nb, _) in S.QUOTED.items() if nb in shipped} | {
        src for src, nb in S.TABLES.items() if nb in shipped or recorded(nb)}
    for r in rows:
        if r["reading"] == "authors" and r["metric"] != "claim" and r["runs"] == "0":
            assert r["ours_mean"] == r["delta"] == r["within"] == ""
    claimed = {r["source"] for r in rows if r["reading"] == "authors" and r["metric"] == "claim" and r["within"]}
    assert claimed <= set(shipped)


def test_theorems_count_statements_and_checks_apart():
    """The theorem table reads the recorded verdicts: CLAIM and CHECK lines in separate columns."""
    records = {"theorem-2": {"claims": [
        {"claim": "Theorem 2: the form holds", "holds": True, "key": None, "paper_claim": True},
        {"claim": "Corollary 1 read on the full rows", "holds": False, "key": None, "paper_claim": True},
        {"claim": "the plane is left with {0, 1} latents", "holds": True, "key": None, "paper_claim": False},
        {"claim": "our drift check", "holds": False, "key": None, "paper_claim": False}]}}
    card = S.Scorecard(numbers=[], claims=[], records=records, notebooks=["theorem-2", "theorem-3"],
                       lookup=lambda cfgs: None)
    md = S.theorems_markdown(card)
    assert ("| {doc}`theorem-2` | 1 of 2 | Corollary 1 read on the full rows | 1 of 2 | our drift check |") in md
    assert f"| {{doc}}`theorem-3` | *{S.NOT_RUN}* |" in md



def test_gallery_shows_each_pages_first_figure_and_its_verdicts(card, tmp_path):
    (tmp_path / "figure-05").mkdir()
    for stem in ("figure-05-code-readings", "figure-12", "figure-05"):   # the section's figure first
        (tmp_path / "figure-05" / f"{stem}.png").write_bytes(b"png")
    (tmp_path / "table-1").mkdir()
    (tmp_path / "table-1" / "table-1-authors.png").write_bytes(b"png")  # no section figure: the earliest
    (tmp_path / "table-1" / "table-1-code-readings.png").write_bytes(b"png")
    os.utime(tmp_path / "table-1" / "table-1-code-readings.png", ns=(1, 1))
    assert S.first_figure("figure-05", tmp_path / "figure-05").name == "figure-05.png"
    assert S.first_figure("table-1", tmp_path / "table-1").name == "table-1-code-readings.png"
    assert S.first_figure("figure-07", tmp_path / "figure-07") is None
    md = S.gallery_markdown(card, tmp_path)
    assert md.startswith("`````{grid} 1 2 3 3") and md.count("````{grid-item-card}") == 3
    assert ":link: figure-05\n:link-type: doc\n:img-top: figure-05/figure-05.png" in md
    assert "````{grid-item-card} Figure 7\n:link: figure-07\n:link-type: doc\n\n*No figure in this build.*" in md
    assert '<span class="sc-verdict sc-partly">text: partly 1/3</span>' in md
    assert S.gallery_numbers(card, tmp_path) == {"gallery_pages": 3, "gallery_figures": 2}


def test_the_gallery_page_is_in_the_book_after_the_experiments():
    from landscape.companion.execute import toc_notebooks

    names = toc_notebooks()
    assert "gallery" in names and names.index("gallery") > max(names.index(n) for n in experiments.names())
    page = (REPO_ROOT / "notebooks" / "gallery.py").read_text()
    assert "\ndef " not in page and "gallery_markdown" in page


def test_the_intro_glues_only_numbers_the_scorecard_records():
    import re

    intro = (REPO_ROOT / "book" / "intro.md").read_text()
    keys = set(re.findall(r"executed/scorecard\.ipynb::(\w+):", intro))
    assert len(keys) > 20 and "executed/scorecard/scorecard-grid.png" in intro
    card = S.build(RECORDS, lookup=fake_lookup, notebooks=NOTEBOOKS, reported=REPORTED)
    assert keys <= set(S.key_numbers(card))
    assert 'save_figure(grid_picture, "scorecard-grid"' in (REPO_ROOT / "notebooks" / "scorecard.py").read_text()


def test_citation_cff():
    import re

    import yaml

    cff = yaml.safe_load((REPO_ROOT / "CITATION.cff").read_text())
    version = re.search(r'^version = "([^"]+)"', (REPO_ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert cff["cff-version"] == "1.2.0" and cff["version"] == version
    assert {"message", "title", "authors", "date-released", "license"} <= set(cff)
    assert all("name" in a or {"family-names", "given-names"} <= set(a) for a in cff["authors"])
    paper = cff["references"][0]
    assert paper["year"] == 2022 and paper["url"] == "https://proceedings.mlr.press/v151/pokle22a.html"
