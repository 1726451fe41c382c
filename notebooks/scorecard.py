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
# Every number the paper reports, next to ours **at paper scale**, and every qualitative claim
# of its figures and tables, with this reproduction's verdict.
#
# **In short:** of the {glue:text}`score_cells` table cells the paper reports,
# {glue:text}`score_cells_run` are run at paper scale and {glue:text}`score_cells_within` of
# them are within tolerance; {glue:text}`score_quoted_within` of {glue:text}`score_quoted_run`
# numbers quoted in the text for Figures 5 and 7 are within tolerance; of
# {glue:text}`score_claims` qualitative claims, {glue:text}`score_claims_run` are run at paper
# scale and {glue:text}`score_claims_hold` of them hold; {glue:text}`score_claims_code_hold` of
# the claims that do not hold do hold when the same models are trained with the public code's
# readings (its noise level, its masks for contrastive models and its meaning of the masking
# probability for the others; see {doc}`paper-vs-code`).
#
# **Where the numbers come from.** This page trains nothing: it only reads files committed with
# the repository, so it is the same whatever `profile` the book is built with. Its logic is the
# library module `landscape.companion.scorecard` (unit-tested in `tests/test_scorecard.py`); each
# step below is one call to it, folded above its output ("Show code cell source").
#
# - Table cells: the paper's numbers are the package data of `landscape.analysis`
#   (`analysis.load_reported()`); ours are the paper-scale training results shipped in
#   `results/runs/`. For each table, the experiment's paper-profile configurations are rebuilt
#   (`experiments.get(name).configs(...)`) and looked up with the training cache's own lookup
#   (`landscape.cache.find_cached`, in `results/runs/` only, never the local cache); a model whose
#   runs are not there is marked *not run at paper scale*. Nothing is interpolated or copied from
#   elsewhere.
# - The numbers quoted for Figures 5 and 7: the same shipped runs of those figures (mean over runs
#   and Pr(sparse), as their pages compute it).
# - Claims: the verdicts each notebook recorded (`landscape.companion.page.verdict`, in its
#   `claims.json`) when `scripts/paper_run.py` executed it at paper scale
#   (`results/paper/summary.json`). A notebook with no paper-scale record there is listed as
#   *not run at paper scale*, without claims or verdicts.
# - Tolerance (one definition, `landscape.analysis.tolerance`): a cell is within tolerance when
#   $|\text{ours} - \text{paper}| \le \max(2\,\mathrm{std}_\text{paper}, 0.05)$.
# - The same scorecard, machine-readable and under both readings (the text's, and the public
#   code's readings of each experiment's last section), is `results/paper/scorecard.csv`, which
#   this page writes when it is executed with `profile="paper"`: one row per reported number and
#   reading, one per claim and reading.
#
# Each miss links to its explanation: the notebook of the experiment (its "choices" and its
# discussion) and the {doc}`paper-vs-code` page, which measures how much each reading of an
# ambiguous setting moves the result.

# %% tags=["parameters"]
profile = "smoke"  # str: "smoke" or "paper"; this page shows the paper-scale results in either case

# %% tags=["hide-input"]
from IPython.display import Markdown, display

from landscape.companion import scorecard
from landscape.companion.page import key_numbers

card = scorecard.build()   # results/paper/summary.json, results/runs/, the paper's numbers
print(scorecard.sources_text(card))

# %% [markdown]
# ## Tables 1-4
#
# One row per number in the paper's tables (Table 3 repeats Table 1). Ours: mean ± std over the
# runs of the paper-scale result; Δ = ours − paper; ✓ within tolerance, ✗ outside, — not run.

# %% tags=["hide-input"]
display(Markdown(scorecard.cells_markdown(card)))
print(scorecard.per_table_text(card))

# %% [markdown]
# ## Numbers quoted in the text: Figures 5 and 7
#
# The text gives the average minimum max-cosine at the start and at the end of training for
# Figures 5 and 7, without a spread (tolerance 0.05).

# %% tags=["hide-input"]
display(Markdown(scorecard.quoted_markdown(card)))

# %% [markdown]
# ## Qualitative claims of the figures and tables
#
# Each experiment's notebook states the paper's claims about its figure and prints a verdict
# (`CLAIM ...: HOLDS` or `DOES NOT HOLD`) computed from its runs; here is the verdict its
# paper-scale execution recorded. Checks that are not claims of the paper (`CHECK ...` lines)
# are not counted; one of them is shown beside its claim: the same claim checked on the runs
# with the public code's readings (its noise level, and for contrastive models its masks; one
# run per condition; the last section of every experiment's page), which tells whether a miss
# comes from those readings. The "within tolerance in every cell" claims of the tables and the
# "about 0.7 to 0.87" / "about 0.62 to 0.85" claims of Figures 5 and 7 are the numbers above,
# and are not counted again.

# %% tags=["hide-input"]
display(Markdown(scorecard.claims_markdown(card)))

# %% [markdown]
# ## Theorems
#
# The theorem notebooks check each statement numerically on the theorem's own assumptions; their
# checks do not depend on the training profile. Boolean checks recorded at their paper-profile
# execution (each notebook explains its checks, including those expected to fail, such as a
# statement read outside its assumptions):

# %% tags=["hide-input"]
display(Markdown(scorecard.theorems_markdown(card)))

# %% [markdown]
# ## Paper-scale executions and their cost
#
# Every notebook executed at paper scale (`results/paper/summary.json`): when, the wall time of
# that execution, and the training wall time of its runs as stored in the shipped result files
# (a notebook executed again on cached runs is quick; its runs were not). On this repository's
# machine: two CPU cores.

# %% tags=["hide-input"]
display(Markdown(scorecard.executions_markdown(card)))
print(scorecard.executions_text(card))

# %% [markdown]
# ## Summary

# %% tags=["hide-input"]
scorecard.write_csv(card, profile)   # results/paper/scorecard.csv, at profile "paper" only
print(scorecard.summary_line(card))

# %% tags=["nbval-check-output", "hide-input"]
key_numbers(scorecard.key_numbers(card))
