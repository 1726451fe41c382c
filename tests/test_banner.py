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
    assert "| CL beats NCL | ✓ holds | ✗ does not hold |" in md and md.endswith(":::")
    assert "**Why:**" not in md                      # nothing missed, nothing to explain
    md = P.banner_markdown(_claims(False, True), "paper")
    assert "Does not reproduce under the text's reading" in md and "verdict-fails" in md
    assert "**Why:** under the authors' scripts' settings it holds" in md
    md = P.banner_markdown(_claims(None, None), "paper", authors_trained=False)
    assert "Inconclusive under the text's reading" in md and "| ≈ inconclusive | not trained at paper scale yet |" in md
    mixed = _claims(True) + [Verdict("NCL rises", False)]
    assert "Partly reproduces" in P.banner_markdown(mixed, "paper", why="see {ref}`x`")
    assert "see {ref}`x`" in P.banner_markdown(mixed, "paper", why="see {ref}`x`")
    assert P.banner_markdown(_claims(True), "smoke").startswith(":::{admonition} Smoke profile, not a reproduction")
    code = P.banner_markdown(_claims(False), "paper", reading="code")
    assert "under the authors' scripts' settings" in code.splitlines()[0]
    assert "| The paper's claim | The authors' scripts' settings |" in code
    # checks of ours are never rows of the banner
    assert P.banner_markdown([Verdict("a check of ours", False, paper_claim=False)], "paper").startswith(
        ":::{admonition} No claim of the paper")


def test_a_claim_text_cannot_break_the_banner_table():
    md = P.banner_markdown([Verdict("A | B\nC", True)], "paper")
    assert "| A \\| B C | ✓ holds |" in md


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
