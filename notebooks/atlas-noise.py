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
# # Atlas: noise × augmentation
#
# ```{glue:md} finding
# :format: myst
# ```
#
# **The question.** Under the text's noise (variance $\log d / d$) contrastive learning recovers
# almost nothing of the dictionary; under the public code's noise (standard deviation
# $\sqrt{\ln d}/d$) and its complementary masks it recovers nearly all of it ({doc}`paper-vs-code`).
# Where, between and beyond those two points, does each method succeed? This page is **ours, not
# the paper's** (what it trains: below the map).

# %% tags=["parameters"]
profile = "smoke"  # str: "smoke" (seconds: a pipeline check, not a finding) or "paper" (Sec. 4.2's sizes)
device = "auto"  # str: "auto" (a GPU if there is one), "cpu" or "cuda"
noise_stds = None  # list[float]: noise standard deviations (columns); None: smoke [0, text], paper 9 values from 0 to 0.8
keep_probs = None  # list[float]: keep probabilities of Eq. 3's masks (rows); None: smoke [0.5], paper [0.2, 0.5, 0.8]
dependent = True  # bool: add a row with Eq. 2's dependent masks
p_sparse = 0.1  # float: Pr(sparse) = Pr(z_i = +-1)
runs = None  # int: seeds per point and model; None: smoke 2, paper 3
epochs_cl = None  # int: epochs of CL; None: smoke 50, paper 2000 (a cell still moving trains longer: extend)
epochs_ncl = None  # int: epochs of NCL; None: smoke 50, paper 8000 (the paper's)
extend = None  # int: a cell still moving over its last quarter is trained again at 2, 4, ... times its epochs, up to this factor; None: smoke 1 (never), paper 4
seed = 0  # int: run i of every point uses seed + i
train_missing = None  # bool: train points not stored; None: smoke True, paper False (the sweep trains them)

# %% tags=["hide-input"]
from landscape.companion.atlas_page import AtlasPage
from landscape.companion.page import key_numbers

atlas = AtlasPage("atlas-noise", profile, globals(), device)
atlas.train()

# %% [markdown]
# ## The map
#
# Each cell: the final minimum max-cosine, mean ± standard deviation over the runs. The white line
# separates neighbouring cells on either side of 0.8 (the boundary of recovery). In a difference
# map, a cell is in italics and marked "≈0" (inconclusive) unless its difference exceeds both twice
# its standard error over the runs and 0.02; the black line separates cells of opposite sign.

# %% tags=["hide-input"]
atlas.heatmaps("Final minimum max-cosine of CL-basic and NCL-basic over the noise level and the "
               "masks, and CL - NCL; outlined: the text's and the code's readings.")

# %% [markdown]
# **What is trained.** CL-basic and NCL-basic (Table 2's models: linear layer, BatchNorm, symmetric
# ReLU; the text's sizes, learning rate and data otherwise) over the noise level (columns) and the
# masks (rows: independent masks of Eq. 3 at several keep probabilities, and the dependent masks
# $2\mathbf D x$, $2(\mathbf I - \mathbf D) x$ of Eq. 2). The outlined cells are the text's reading and
# the code's (for CL its noise and complementary masks; for NCL its noise with independent masks, as
# its non-contrastive script).

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
key_numbers(notebook="atlas-noise", numbers=atlas.numbers(), digits=3)
