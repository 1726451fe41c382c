"""What a figure or table page opens with (its verdict banner), shows under each figure (caption
and downloads) and ends with (re-run and cite boxes), and how the book shows its cells."""
from __future__ import annotations

import nbformat

from landscape.analysis.claims import Verdict
from landscape.companion import execute as E
from landscape.companion import page as P


def _claims(text: bool | None, authors: bool | None = None, code: bool | None = None) -> list[Verdict]:
    out = [Verdict("CL beats NCL", text, "0.9 vs 0.5")]
    if authors is not None:
        out.append(Verdict(P.AUTHORS_CHECK_PREFIX + "CL beats NCL", authors, "", paper_claim=False))
    if code is not None:
        out.append(Verdict(P.CODE_CHECK_PREFIX + "CL beats NCL", code, "", paper_claim=False))
    return out


def test_the_banner_says_the_verdict_under_each_reading():
    md = P.banner_markdown(_claims(True, False), "paper")
    assert md.startswith(":::{admonition} Reproduces under the text's reading\n:class: verdict verdict-holds")
    assert "| 1. CL beats NCL | ✓ holds | ✗ does not hold |" in md and md.endswith(":::")
    assert "**Why" not in md                         # nothing missed, nothing to explain
    md = P.banner_markdown(_claims(False, True), "paper", name="figure-02")
    assert "Does not reproduce under the text's reading" in md and "verdict-fails" in md
    assert ("- **1.** does not hold ({ref}`0.9 vs 0.5 <figure-02-claims>`); holds under the authors' "
            "scripts' settings: a setting the text gives differently causes the miss "
            "({ref}`readings <figure-02-readings>`") in md
    md = P.banner_markdown(_claims(None, None), "paper", authors_trained=False)
    assert "Inconclusive under the text's reading" in md and "| ≈ inconclusive | not trained at paper scale yet |" in md
    assert "not trained under the authors' scripts' settings at paper scale yet: cause open" in md.split("**Why the misses:**")[1]
    mixed = _claims(True) + [Verdict("NCL rises", False)]
    assert "Partly reproduces" in P.banner_markdown(mixed, "paper", why="see {ref}`x`")
    assert "see {ref}`x`" in P.banner_markdown(mixed, "paper", why="see {ref}`x`")


def test_every_miss_gets_one_sentence_of_why():
    """One line per claim that does not hold (or is inconclusive) under the text's reading, with
    the cause the re-checks on other runs point to, most telling first."""
    def why(*verdicts, trained=None):
        md = P.banner_markdown(list(verdicts), "paper", authors_trained=trained, name="figure-09")
        head = "**Why the misses:**"
        return [l for l in md.split(head)[1].splitlines() if l.startswith("- ")] if head in md else []

    miss = Verdict("CL beats NCL", False, "; ".join(f"Pr(sparse) 0.{i}: CL - NCL = -0.1{i} (2 SE 0.03)" for i in range(5)))
    code_ok = Verdict(P.CODE_CHECK_PREFIX + miss.claim, True, "", paper_claim=False)
    authors_no = Verdict(P.AUTHORS_CHECK_PREFIX + miss.claim, False, "", paper_claim=False)
    authors_maybe = Verdict(P.AUTHORS_CHECK_PREFIX + miss.claim, None, "", paper_claim=False)
    assert why(Verdict("CL beats NCL", True)) == []
    [line] = why(miss, code_ok)
    assert line.startswith("- **1.** does not hold ({ref}`numbers <figure-09-claims>`); ")  # long numbers: linked
    assert "public code's noise and masks alone" in line and "{ref}`readings <figure-09-readings>`" in line
    [line] = why(miss, authors_no, code_ok)                             # the authors' verdict first
    assert "does not hold under the authors' scripts' settings too" in line and "<pvc-authors>`" in line
    assert "noise and masks alone make it hold" in line
    assert "is inconclusive under the authors' scripts' settings too" in why(miss, authors_maybe)[0]
    assert "cause open" in why(miss, trained=False)[0]
    two = why(Verdict("CL beats NCL", True), miss, Verdict("NCL rises", None, "8 of 45 cells"))
    assert len(two) == 2 and two[0].startswith("- **2.** ") and two[1].startswith(
        "- **3.** inconclusive ({ref}`8 of 45 cells <figure-09-claims>`); ")


def test_a_claim_text_cannot_break_the_banner_table():
    md = P.banner_markdown([Verdict("A | B\nC", True)], "paper")
    assert "| 1. A \\| B C | ✓ holds |" in md


def test_paper_marks_take_the_paper_values():
    from types import SimpleNamespace
    from landscape import analysis

    s = SimpleNamespace(model="NCL", cond={"p_sparse": 0.1})
    marks = P.paper_marks([s], "Table 2", {"NCL": "NCL-basic"}, ["NCL"])
    want = {m: analysis.reported("table2", "NCL-basic", m, p_sparse=0.1).mean for m in analysis.METRICS}
    assert {m["panel"]: m["y"] for m in marks} == want and all(m["x"] == "end" for m in marks)
    assert P.paper_marks([s], "Table 2", None, ["other"]) == []           # not drawn: no star
    start, end = P.paper_marks([s], ("fig5", "NCL-warmstart-predictor"), None, ["NCL"])
    assert (start["x"], start["y"], end["x"], end["y"]) == ("start", 0.7, "end", 0.87)


def test_the_book_folds_code_and_the_parameters_that_did_not_run():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("profile = 'smoke'", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("profile = 'paper'", metadata={"tags": [E.INJECTED_TAG]}),
                nbformat.v4.new_code_cell("fig.train()"),
                nbformat.v4.new_code_cell("print(1)", metadata={"tags": ["show-input"]}),
                nbformat.v4.new_code_cell("key_numbers()", metadata={"tags": ["nbval-check-output"]})]
    E._tag_for_book(nb)
    tags = [c.metadata["tags"] for c in nb.cells]
    assert tags == [["parameters", "remove-cell"], [E.INJECTED_TAG, "hide-cell"], ["hide-input"],
                    ["show-input"], ["nbval-check-output", "hide-cell"]]
    E._tag_for_book(nb)                                                     # tagging twice changes nothing
    assert [c.metadata["tags"] for c in nb.cells] == tags
