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
# # Gallery
#
# The first figure of each of the {glue:text}`gallery_pages` figure and table pages, as this
# build drew it, with the page's verdicts at paper scale under each reading (the
# {doc}`scorecard`'s: claims and numbers that hold / that ran). Click a card to open its page.

# %% tags=["parameters", "hide-cell"]
profile = "smoke"  # str: "smoke" or "paper"; the profile the figure pages of this build were executed with

# %% tags=["hide-input"]
from IPython.display import Markdown, display

from landscape.companion import scorecard
from landscape.companion.page import glue, key_numbers, output_dir
from landscape.companion.provenance import REPO_ROOT

out = output_dir()
executed = out.parent if out is not None else REPO_ROOT / "book" / "executed"   # the pages' figures
card = scorecard.build()   # the verdicts: results/paper/summary.json, results/runs/
display(Markdown(scorecard.gallery_markdown(card, executed)))
display(Markdown(scorecard.grid_legend()))

# %% [markdown]
# The thumbnails are the figures of this build's pages (profile {glue:text}`gallery_profile`;
# at the smoke profile they are toy runs, not the paper's), while the badges are always the
# paper-scale verdicts. Each page offers its figures as PNG, PDF and SVG, with their provenance;
# all of them are listed on {doc}`cite`.

# %% tags=["hide-input", "hide-output"]
numbers = scorecard.gallery_numbers(card, executed)
print(f"{numbers['gallery_figures']} of {numbers['gallery_pages']} pages have a figure in {executed.name}/")
glue("gallery_profile", profile)

# %% tags=["nbval-check-output", "hide-input", "hide-output"]
key_numbers(notebook="gallery", numbers={"gallery_pages": numbers["gallery_pages"]})
