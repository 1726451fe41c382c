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
# # Atlas: sparsity × width
#
# ```{glue:md} finding
# :format: myst
# ```
#
# **The question.** The paper reads its Table 2 as evidence of an "abundance of bad minima" for the
# non-contrastive loss, from three sparsity levels and one width. Does it hold across sparsity and
# over- or under-parametrisation? This page is **ours, not the paper's** (what it trains: below the map).

# %% tags=["parameters"]
profile = "smoke"  # str: "smoke" (seconds: a pipeline check, not a finding) or "paper" (Sec. 4.2's sizes)
device = "auto"  # str: "auto" (a GPU if there is one), "cpu" or "cuda"
p_sparses = None  # list[float]: Pr(sparse) values (columns); None: smoke [0.1, 0.3], paper [0.05, 0.1, 0.2, 0.3, 0.5]
widths = None  # list[int]: neurons m (rows; d = 10); None: smoke [10, 50], paper [10, 20, 50, 100]
noise = "code"  # str: "code" (std sqrt(ln d)/d) or "paper" (variance log d / d)
cl_augmentation = "dependent"  # str: masks of CL: "dependent" (Eq. 2) or "independent" (Eq. 3)
runs = None  # int: seeds per point and model; None: smoke 2, paper 3
epochs_cl = None  # int: epochs of CL; None: smoke 50, paper 2000 (a cell still moving trains longer: extend)
epochs_ncl = None  # int: epochs of the NCL models; None: smoke 50, paper 8000 (the paper's)
extend = None  # int: a cell still moving over its last quarter is trained again at 2, 4, ... times its epochs, up to this factor; None: smoke 1 (never), paper 4
seed = 0  # int: run i of every point uses seed + i
train_missing = None  # bool: train points not stored; None: smoke True, paper False (the sweep trains them)

# %% tags=["hide-input"]
from landscape.companion.atlas_page import AtlasPage
from landscape.companion.page import key_numbers

atlas = AtlasPage("atlas-sparsity", profile, globals(), device)
atlas.train()

# %% [markdown]
# ## The map
#
# Each cell: the final minimum max-cosine, mean ± standard deviation over the runs. The white line
# separates neighbouring cells on either side of 0.8 (the boundary of recovery). In a difference
# map, a cell is in italics and marked "≈0" (inconclusive) unless its difference exceeds both twice
# its standard error over the runs and 0.02; the black line separates cells of opposite sign.

# %% tags=["hide-input"]
atlas.heatmaps("Final minimum max-cosine of CL, NCL, NCL with a predictor and NCL from a warm start over Pr(sparse) and the width m / d, and CL - NCL.")

# %% [markdown]
# **What is trained.** The final minimum max-cosine (Eq. 11) over Pr(sparse) (columns) and the number
# of neurons $m$ against $d = 10$ (rows), for four models: CL-basic and NCL-basic (Table 2), NCL-basic
# with a linear predictor (Eq. 5), and NCL-basic from a warm start ($c = 1$, Sec. 5.2.2). By default
# the data carry the public code's noise level and the contrastive model its complementary masks
# (Eq. 2), the reading under which CL recovers the dictionary at all (see {doc}`atlas-noise`);
# `noise="paper"` and `cl_augmentation="independent"` give the text's.

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
key_numbers(notebook="atlas-sparsity", numbers=atlas.numbers(), digits=3)
