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
# # Atlas: warm start × normalisation
#
# ```{glue:md} finding
# :format: myst
# ```
#
# **The question.** Section 5.2.3 claims that from a warm start, normalising the rows (Figures 13
# and 14) or the columns (Figures 15 and 16) of the weights after every step moves the
# non-contrastive loss *towards* the ground truth; Theorem 3 proves it for rows, without a
# predictor, with $\mathbf M = \mathbf I$. Where, if anywhere, does training raise the minimum
# max-cosine from a warm start? This page is **ours, not the paper's** (what it trains: below the map).

# %% tags=["parameters"]
profile = "smoke"  # str: "smoke" (seconds: a pipeline check, not a finding) or "paper" (the paper's training)
device = "auto"  # str: "auto" (a GPU if there is one), "cpu" or "cuda"
warm_cs = None  # list[float]: warm-start c, sigma = p^(-c/2) (columns); None: smoke [1, 4], paper [0.5, 1, 1.25, 1.5, 2, 3, 4]
d = 20  # int: p = d = m (Figures 14 and 15)
p_sparse = 0.1  # float: Pr(sparse) = Pr(z_i = +-1)
noise = "paper"  # str: "paper" (variance log d / d) or "code" (std sqrt(ln d)/d)
dictionary = "qr"  # str: "qr" (the paper's random orthonormal M) or "identity" (Theorem 3's M = I)
runs = None  # int: seeds per point and model; None: smoke 2, paper 3
epochs_ncl = None  # int: epochs; None: smoke 50, paper 8000 (the paper's)
extend = None  # int: a cell still moving over its last quarter is trained again at 2, 4, ... times its epochs, up to this factor; None: smoke 1 (never), paper 8
seed = 0  # int: run i of every point uses seed + i
train_missing = None  # bool: train points not stored; None: smoke True, paper False (the sweep trains them)

# %% tags=["hide-input"]
from landscape.companion.atlas_page import AtlasPage
from landscape.companion.page import key_numbers

atlas = AtlasPage("atlas-warm", profile, globals(), device)
atlas.train()

# %% [markdown]
# ## The map
#
# Each cell: the final minimum max-cosine, mean ± standard deviation over the runs. The white line
# separates neighbouring cells on either side of 0.8 (the boundary of recovery). In a difference
# map, a cell is in italics and marked "≈0" (inconclusive) unless its difference exceeds both twice
# its standard error over the runs and 0.02; the black line separates cells of opposite sign.

# %% tags=["hide-input"]
atlas.heatmaps("Final minimum max-cosine of the warm-started NCL model of Figures 13-16 without and with a predictor, over the warm start's closeness c and the normalisation.")

# %% [markdown]
# **What is trained.** The model of Figures 13-16 (linear layer with symmetric ReLU, no BatchNorm,
# normalised outputs) without and with a linear predictor without bias (the authors' scripts'
# `simplified-pred`), at Figure 14's sizes $p = d = m = 20$, over the warm start's closeness $c$
# ($\sigma = p^{-c/2}$, larger $c$ closer; columns) and the normalisation (rows). The outlined cells
# are Theorem 3's setting: rows normalised, no predictor, $c$ at least that of the Theorem 3 page's
# warm start ($\Delta_{ij} \sim \mathcal N(0, (0.1/d)^2)$); the theorem also takes $\mathbf M = \mathbf I$
# (`dictionary="identity"`). A warm start already starts high, so the lower maps show the change
# from the start.

# %% [markdown]
# ## Did training finish?
#
# A map is only worth reading where the curves have flattened. Each cell below is how far the
# mean minimum max-cosine moved over the last quarter of training, with its sign (negative: still
# falling); red where it moved by more than 0.02. A cell still moving is trained again at twice
# its epochs, then four times (`extend`; a longer training continues from the shorter one's final
# state when the cache kept it, to the numbers of a training from the start). The map above
# shows each cell at the shortest of these lengths at which it had flattened, or at the longest,
# and a cell trained longer than the base says so below its change ("×2", "×4"). A flat last
# quarter is what can be checked; it does not rule out a later fall, and the finding says how far
# the longer trainings moved their cells' final values from the first training's. It also checks
# that each longer training repeats the shorter one over their shared epochs: bit for bit when
# both were trained in one session, while one trained from the start in another session can
# differ in its last bits (we have not found the cause; results stored from 2026-12-03 on name
# the machine they were trained on, to trace it).

# %% tags=["hide-input"]
atlas.convergence("Change of the mean minimum max-cosine over the last quarter of training, per cell.")

# %% [markdown]
# ## Finding
#
# ```{glue:md} finding_text
# :format: myst
# ```

# %% tags=["hide-input"]
atlas.publish()

# %% tags=["nbval-check-output", "hide-output"]
key_numbers(notebook="atlas-warm", numbers=atlas.numbers(), digits=3)
