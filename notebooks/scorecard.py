# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: landscape
#     language: python
#     name: landscape
# ---

# %% [markdown]
# # Reproduction scorecard
#
# Does the paper reproduce? One row per figure or table page, one column per reading of the
# paper's settings. Each cell counts the page's qualitative claims and the numbers it reports
# that hold (within tolerance), of those run **at paper scale**, and is coloured by the verdict.
# The page trains nothing: it reads the results shipped with the repository, so it is the same
# whatever profile the book is built with.

# %% tags=["parameters", "hide-cell"]
profile = "smoke"  # str: "smoke" or "paper"; this page shows the paper-scale results in either case

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from landscape.companion import scorecard
from landscape.companion.page import key_numbers, save_figure

card = scorecard.build()   # results/paper/summary.json, results/runs/, the paper's numbers
display(Markdown(scorecard.grid_markdown(card)))
display(Markdown(scorecard.grid_legend()))
grid_picture = scorecard.grid_figure(card)   # the same grid as a picture, for the intro
save_figure(grid_picture, "scorecard-grid",
            caption="The reproduction scorecard: claims and numbers that hold, per page and reading (paper scale)")
plt.close(grid_picture)

# %% [markdown]
# ## In short
#
# Under **the text's reading**, {glue:text}`score_claims_hold` of {glue:text}`score_claims_run`
# qualitative claims hold, and {glue:text}`score_cells_within` of {glue:text}`score_cells_run`
# table cells and {glue:text}`score_quoted_within` of {glue:text}`score_quoted_run` numbers
# quoted for Figures 5 and 7 are within tolerance: {glue:text}`score_text_pages_holds` of
# {glue:text}`score_pages` pages reproduce in full. With **every setting of the authors'
# scripts**, trained and shipped so far for {glue:text}`score_authors_pages_run` of
# {glue:text}`score_pages` pages, {glue:text}`score_authors_claims_hold` of the
# {glue:text}`score_authors_claims_run` claims checked hold, and
# {glue:text}`score_authors_cells_within` of {glue:text}`score_authors_cells_run` table cells and
# {glue:text}`score_authors_quoted_within` of {glue:text}`score_authors_quoted_run` quoted numbers
# are within tolerance. With only **the code's noise level and masks** (the check every page
# trains, one run per condition; {ref}`why these two <pvc-measured>`),
# {glue:text}`score_code_claims_hold` of {glue:text}`score_code_claims_run` claims hold and
# {glue:text}`score_code_cells_within` of {glue:text}`score_code_cells_run` table cells are within
# tolerance.
#
# | Totals | The text's reading | The authors' scripts | The code check |
# |---|---|---|---|
# | Pages that reproduce in full | {glue:text}`score_text_pages_holds` | {glue:text}`score_authors_pages_holds` | {glue:text}`score_code_pages_holds` |
# | Pages that reproduce in part | {glue:text}`score_text_pages_partly` | {glue:text}`score_authors_pages_partly` | {glue:text}`score_code_pages_partly` |
# | Pages that do not reproduce | {glue:text}`score_text_pages_fails` | {glue:text}`score_authors_pages_fails` | {glue:text}`score_code_pages_fails` |
# | Pages not run | {glue:text}`score_text_pages_not_run` | {glue:text}`score_authors_pages_not_run` | {glue:text}`score_code_pages_not_run` |
# | Claims that hold | {glue:text}`score_claims_hold` of {glue:text}`score_claims_run` | {glue:text}`score_authors_claims_hold` of {glue:text}`score_authors_claims_run` | {glue:text}`score_code_claims_hold` of {glue:text}`score_code_claims_run` |
# | Claims inconclusive | {glue:text}`score_claims_inconclusive` | {glue:text}`score_authors_claims_inconclusive` | {glue:text}`score_code_claims_inconclusive` |
# | Table cells within tolerance | {glue:text}`score_cells_within` of {glue:text}`score_cells_run` | {glue:text}`score_authors_cells_within` of {glue:text}`score_authors_cells_run` | {glue:text}`score_code_cells_within` of {glue:text}`score_code_cells_run` |
# | Quoted numbers within tolerance | {glue:text}`score_quoted_within` of {glue:text}`score_quoted_run` | {glue:text}`score_authors_quoted_within` of {glue:text}`score_authors_quoted_run` | {glue:text}`score_code_quoted_within` of {glue:text}`score_code_quoted_run` |
#
# **The readings.** *The text's*: the paper's equations and captions (the book's default).
# *The authors' scripts*: every setting of the authors' public scripts for that model
# (`TrainConfig.code_reading()`: their latents, noise, masks, SymReLU form, biases, n = 3000,
# lr 0.005), with the paper's run counts; "not run" until those runs are trained and shipped
# (`scripts/paper_run.py --train-only --reading authors NAME`), never guessed. *The code
# check*: the text's settings with only the code's noise level and masks switched, the check at
# the end of every experiment's page. Tolerance of a number: the one rule of
# `landscape.analysis.tolerance`; a claim "A above B" holds when the gap is clear of the seed
# spread, does not hold when clearly reversed, and is inconclusive otherwise.

# %% [markdown]
# ## Every number and claim
#
# Folded below: the {glue:text}`score_cells` numbers of the paper's tables (Table 3 repeats
# Table 1) and the {glue:text}`score_quoted` numbers its text quotes for Figures 5 and 7, each
# beside ours under the text's reading (mean ± std over runs; Δ = ours − paper, ± the tolerance)
# and under the other two readings; then the {glue:text}`score_claims` qualitative claims. "Why"
# links a miss to its page and to the section of {doc}`paper-vs-code` on the reading that moves
# it. The "within tolerance in every cell" claims of the tables and the start and end values
# quoted for Figures 5 and 7 are these numbers, and are not counted again as claims.

# %% tags=["hide-input"]
display(Markdown("````{dropdown} The " + str(len(card.cells())) + " table cells, reading by reading\n"
                 + scorecard.cells_markdown(card) + "\n````"))
display(Markdown("````{dropdown} The numbers quoted for Figures 5 and 7\n"
                 + scorecard.quoted_markdown(card) + "\n````"))
display(Markdown("````{dropdown} The qualitative claims, reading by reading\n"
                 + scorecard.claims_markdown(card) + "\n````"))
print(scorecard.per_table_text(card))

# %% [markdown]
# ## Theorems
#
# The theorem notebooks check each statement numerically on the theorem's own assumptions; their
# checks do not depend on the training profile. Checks recorded at their paper-profile execution
# (each notebook explains its checks, including those expected to fail, such as a statement read
# outside its assumptions):

# %% tags=["hide-input"]
display(Markdown(scorecard.theorems_markdown(card)))

# %% [markdown]
# ## Where the numbers come from
#
# ```{dropdown} How this page is computed
# Its logic is the library module `landscape.companion.scorecard` (unit-tested in
# `tests/test_scorecard.py`); each step of this page is one call to it ("Show code cell source").
#
# - Table cells: the paper's numbers are the package data of `landscape.analysis`
#   (`analysis.load_reported()`); ours are the paper-scale training results shipped in
#   `results/runs/`. For each table and reading, the experiment's paper-profile configurations
#   are rebuilt (`experiments.get(name).configs(params, reading)`) and looked up with the
#   training cache's own lookup (`landscape.cache.find_cached`, in `results/runs/` only, never
#   the local cache); a model whose runs are not there is *not run*. Nothing is interpolated or
#   copied from elsewhere.
# - The numbers quoted for Figures 5 and 7: the same shipped runs of those figures (mean over runs
#   and Pr(sparse), as their pages compute it).
# - Claims: the verdicts each notebook recorded (`landscape.companion.page.verdict`, in its
#   `claims.json`) when `scripts/paper_run.py` executed it at paper scale
#   (`results/paper/summary.json`): its `CLAIM` lines under the text's reading, and the `CHECK`
#   lines of the same claim on the runs of the other two readings. A claim with no such
#   `CHECK` recorded is *not run* under that reading.
# - The same scorecard, machine-readable, is `results/paper/scorecard.csv`, which this page
#   writes when it is executed with `profile="paper"`: one row per reported number and reading,
#   one per claim and reading (the text's and the authors' scripts' always; the code check's
#   where recorded).
# ```

# %% tags=["hide-input", "hide-output"]
print(scorecard.sources_text(card))

# %% [markdown]
# ## Paper-scale executions and their cost
#
# Every notebook executed at paper scale (`results/paper/summary.json`): when, the wall time of
# that execution, and the training wall time of its runs as stored in the shipped result files
# (a notebook executed again on cached runs is quick; its runs were not). On this repository's
# machine: two CPU cores.

# %% tags=["hide-input"]
display(Markdown("````{dropdown} " + scorecard.executions_text(card) + "\n"
                 + scorecard.executions_markdown(card) + "\n````"))

# %% [markdown]
# ## Summary

# %% tags=["hide-input"]
scorecard.write_csv(card, profile)   # results/paper/scorecard.csv, at profile "paper" only
print(scorecard.summary_line(card))

# %% tags=["nbval-check-output", "hide-input", "hide-output"]
key_numbers(notebook="scorecard", numbers=scorecard.key_numbers(card))
