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
# # Paper vs code: the ambiguities, the choices, and what they change
#
# The paper's text and its public code (github.com/ashwinipokle/contrastive_landscape) disagree
# or leave room on thirteen points. For each one this page says what the text says, what the code
# does, what this companion does **by default** (always the text's reading, with the code's
# reading one parameter away) and why, and then **measures** what the other reading changes by
# training both, here, when the page is built.
#
# **The main finding.** Contrastive learning with BatchNorm and symmetric ReLU (Figure 2's CL,
# Table 2's CL-basic) is very sensitive to these readings. In this execution, with the text's
# readings its final minimum max-cosine averages {glue:text}`cl_paper_min:.2f` (median
# {glue:text}`cl_paper_median:.2f`); with all six of the public code's readings together it
# averages {glue:text}`cl_code_min:.2f` (median {glue:text}`cl_code_median:.2f`). The paper
# reports 0.88 / 0.91 / 0.93 (minimum / median / maximum) for CL-basic at Pr(sparse) 0.1. Which
# readings matter is measured {ref}`below <pvc-measured>`, one at a time and all but one at a
# time. The noise level is the first suspect: the text's $\mathcal{N}(0, \log d / d)$ gives a
# noise vector of norm {glue:text}`noise_norm_paper:.2f`, larger than the signal $\|Mz\|$
# ({glue:text}`signal_norm:.2f` on average), while the code's standard deviation
# $\sqrt{\ln d}/d$ gives {glue:text}`noise_norm_code:.2f`. The second is the contrastive
# script's complementary masks (Eq. 2). Every experiment's page ends with a check that trains
# its models again at the paper's full length with the code's noise level, with these masks for
# its contrastive models, and with the code's meaning of the masking probability for the
# others' independent masks where it changes them (Table 1, Figures 7 and 16).
#
# **Profiles.** `smoke` runs every comparison at toy scale (n = 250, 60 epochs) in about a
# minute: it checks the page, and its numbers say nothing about the paper. `paper` runs them
# with the paper's sizes (p = 50, d = 10, m = 50, n = 1000, batch 512), Pr(sparse) 0.1, 0.2 and
# 0.3, one seed and 2000 epochs (a quarter of the paper's 8000: enough to separate the readings,
# at a moderate cost); results are cached.

# %% tags=["parameters"]
profile = "smoke"  # str: "smoke" (toy scale, a pipeline check) or "paper" (the paper's sizes, 2000 epochs, one seed)
device = "auto"  # str: "auto" (a GPU if there is one), "cpu" or "cuda"
epochs = None  # int: training epochs of every comparison [None: 2000 for paper, 40 for smoke]
seed = 0  # int: seed of the runs (data, dictionary, initialisation)

# %%
import math

import numpy as np
import torch
from IPython.display import Markdown, display

from landscape import cache, data, paper_vs_code
from landscape.companion import page
from landscape.companion.page import key_numbers

COMMON = paper_vs_code.sizes(profile, epochs, seed)
PS = paper_vs_code.P_SPARSE
COMPARE = paper_vs_code.comparisons()
print(f"profile {profile}: {COMMON}, Pr(sparse) {PS}")
if profile == "smoke":
    print("SMOKE PROFILE: a pipeline check at toy scale; the numbers below say nothing about the paper.")


def train_groups(variants):
    """``{name: final [min, median, max] per Pr(sparse)}`` of the variants (cached)."""
    return paper_vs_code.train_groups(variants, COMMON, device=device)


def fmt(v):
    return " / ".join(f"{x:.2f}" for x in v)


def table(results, reading_of=None):
    head = "| Reading | " + " | ".join(f"Pr(sparse) {ps:g}: min / median / max" for ps in PS) + " | mean min | mean median |"
    lines = [head, "|" + "---|" * (len(PS) + 3)]
    for name, fin in results.items():
        lines.append(f"| {name} | " + " | ".join(fmt(fin[i]) for i in range(len(PS)))
                     + f" | {fin[:, 0].mean():.2f} | {fin[:, 1].mean():.2f} |")
    return "\n".join(lines)

# %% [markdown]
# (pvc-noise)=
# ## The noise level
#
# The text draws $\epsilon \sim \mathcal{N}(0, \frac{\log d}{d})$ per coordinate; the public
# code draws standard deviation $\sqrt{\ln d}/d$, a variance $d$ times smaller (ambiguity 4
# below). With $p = 50$ and $d = 10$ the text's noise dominates the signal:

# %%
gen = torch.Generator().manual_seed(0)
M = data.dictionary(50, 10, generator=gen)
signal = []
for ps in PS:
    X, Z = data.make_dataset(20000, M, ps, "paper", "none", generator=gen)
    signal.append(X.norm(dim=1).mean().item())
std_paper, std_code = data.noise_std(10, "paper"), data.noise_std(10, "code")
noise_norm = {k: math.sqrt(50) * s for k, s in (("paper", std_paper), ("code", std_code))}
signal_norm = float(np.mean(signal))
print(f"noise std per coordinate: text {std_paper:.3f}, code {std_code:.3f}")
print(f"noise norm (sqrt(p) std): text {noise_norm['paper']:.2f}, code {noise_norm['code']:.2f}")
print("mean signal norm ||Mz||: " + ", ".join(f"Pr(sparse) {ps:g}: {s:.2f}" for ps, s in zip(PS, signal)))

# %% [markdown]
# (pvc-measured)=
# ## Measured: contrastive learning under each reading
#
# Figure 2's CL model (Table 2's CL-basic: one linear layer, BatchNorm, symmetric ReLU, NT-Xent
# with temperature 0.05, random initialisation) trained with the text's readings, with each of
# six readings switched to the code's alone, with all six switched, and with all but one
# switched. The six readings:
#
# | Setting | Text (default) | Public code | Ambiguity |
# |---|---|---|---|
# | `augmentation` | independent masks, Eq. 3 | dependent masks 2Dx, 2(I−D)x, Eq. 2 | {ref}`2 <pvc-2>` |
# | `symrelu_form` | Eq. 14 | ReLU(Wx+b) − ReLU(−Wx+b) | {ref}`7 <pvc-7>` |
# | `latents` | independent coordinates | exactly ⌈d Pr(sparse)⌉ non-zeros | {ref}`3 <pvc-3>` |
# | `noise` | variance log d / d | std √(ln d) / d | {ref}`4 <pvc-4>` |
# | `lr` | 0.025 | 0.005 | {ref}`5 <pvc-5>` |
# | `drop_last` | keep the last partial batch | drop it (one step per epoch at n = 1000) | {ref}`5 <pvc-5>` |
#
# Final minimum / median / maximum max-cosine per Pr(sparse) (one seed), and the means over
# Pr(sparse):

# %%
TEXT, CODE = paper_vs_code.TEXT, paper_vs_code.CODE
cl = train_groups(COMPARE["cl"])
display(Markdown(table(cl)))


def gain(name, base, metric=0):
    return float(cl[name][:, metric].mean() - cl[base][:, metric].mean())


single = {k: gain(f"text, {k} = code", "text (default)") for k in TEXT}
loo = {k: gain(f"code, {k} = text", "code (all six)") for k in CODE}
lines = ["| Setting | min max-cos gained by switching it alone to the code's reading | min max-cos lost by switching it alone back to the text's |",
         "|---|---|---|"]
for k in TEXT:
    lines.append(f"| `{k}` | {single[k]:+.2f} | {loo[k]:+.2f} |")
display(Markdown("\n".join(lines)))
most_alone = max(single, key=single.get)
most_needed = min(loo, key=loo.get)
print(f"largest gain alone: {most_alone} ({single[most_alone]:+.2f}); "
      f"largest loss when reverted alone: {most_needed} ({loo[most_needed]:+.2f})")

# %% [markdown]
# The two readings with the largest gains alone, the code's noise level and its masks, switched
# together (everything else the text's, as in the check at the end of every experiment's page):

# %%
pair = train_groups(COMPARE["pair"])
display(Markdown(table(pair)))
(pair_fin,) = pair.values()

# %% [markdown]
# In this execution the text's readings give a mean final minimum max-cosine of
# {glue:text}`cl_paper_min:.2f` and the code's {glue:text}`cl_code_min:.2f`. Switching the noise
# alone to the code's level changes it by {glue:text}`cl_gain_noise:+.2f`, the dependent masks
# alone by {glue:text}`cl_gain_augmentation:+.2f`; reverting the noise alone from the code's
# readings changes it by {glue:text}`cl_loss_noise:+.2f`, the masks alone by
# {glue:text}`cl_loss_augmentation:+.2f`, the learning rate alone by
# {glue:text}`cl_loss_lr:+.2f` and dropping the last batch by {glue:text}`cl_loss_drop_last:+.2f`.
# The code's noise and masks together, with the text's other readings, give
# {glue:text}`cl_pair_min:.2f` (median {glue:text}`cl_pair_median:.2f`), against
# {glue:text}`cl_code_min:.2f` with all six: in these runs, shorter than the paper's, the
# readings with a positive entry in the last column hold the all-six reading back.

# %% [markdown]
# (pvc-authors)=
# ## The authors' code side by side: Figure 14's setting
#
# The companion's engine is checked step by step against the authors' own code on fixed inputs
# (`tests/test_authors_code.py`: for every model family of the paper, the losses, the first
# gradients and every weight after ten SGD steps agree to float32 precision). Here both are
# trained in full, seed by seed, in Figure 14's setting ($p = d = m = 20$, warm start $c = 1.25$,
# the rows of both encoders normalised after every step, Pr(sparse) 0.1, masking probability
# 0.5) as the authors' `main.py` runs it: $n = 3000$, learning rate 0.005, their latents, noise,
# masks and biases, 1500 epochs, their seeds 1-3. The authors' run was made once with their
# unmodified code on this project's CPU machine and is shipped (`results/authors/figure-14.json`,
# {glue:text}`authors_fig14_wall_s:.0f` s); ours is the companion under
# `TrainConfig.code_reading()`, once with the code's `nn.Linear` biases and once with the text's
# zero biases.

# %%
authors = page.authors_run("figure-14")
sbs = {name: cache.cached_train(cfgs, device=device, progress=False)
       for name, cfgs in paper_vs_code.side_by_side(profile).items()}
sbs_numbers = page.side_by_side(authors, sbs, figure="paper-vs-code-authors-figure-14",
                                caption="Figure 14's setting: minimum max-cosine of the authors' code and of the companion under the code's reading")

# %% [markdown]
# In this execution the final minimum max-cosine is {glue:text}`sbs_authors_final_min:.3f` with
# the authors' code and {glue:text}`sbs_0_final_min_ours:.3f` with the companion under the code's
# reading: a difference of {glue:text}`sbs_0_final_min_diff:+.3f`,
# {glue:text}`sbs_0_final_min_spread` the seed spread (twice the larger standard deviation over
# seeds). Both rise from about {glue:text}`sbs_authors_initial_min:.2f`. With the text's zero
# biases the companion ends at {glue:text}`sbs_1_final_min_ours:.3f`
# ({glue:text}`sbs_1_final_min_spread` the seed spread of the authors' runs): the bias
# initialisation is ambiguity {ref}`12 <pvc-12>` below. Until the companion started both encoders'
# rows at the same dictionary columns when $m = d$, as the authors' `gen_Winit` does, it fell in
# this setting instead of rising (ambiguity {ref}`10 <pvc-10>`).

# %% [markdown]
# The same comparison in more settings, each at the length and with the seeds the authors' runs
# were recorded with (their records are in `results/authors/`; ours under
# `TrainConfig.code_reading()`). A difference inside the seed spread is no evidence of a
# difference between the two implementations; one outside it is named in bold.

# %%
others = {}
for name in list(paper_vs_code.SIDE_BY_SIDE)[1:]:
    display(Markdown(f"**{paper_vs_code.SIDE_BY_SIDE[name]['title']}**"))
    runs = {v: cache.cached_train(cfgs, device=device, progress=False)
            for v, cfgs in paper_vs_code.side_by_side(profile, name=name).items()}
    others.update(page.side_by_side(page.authors_run(name), runs, prefix=f"sbs_{name.replace('-', '_')}"))
patch = page.authors_run("figure-02-cl")["check"]
prefixes = ["sbs"] + [f"sbs_{name.replace('-', '_')}" for name in list(paper_vs_code.SIDE_BY_SIDE)[1:]]
others.update(sbs_settings=len(prefixes),
              sbs_all_inside=sum({**sbs_numbers, **others}[f"{p}_inside"] for p in prefixes),
              sbs_all_compared=sum({**sbs_numbers, **others}[f"{p}_compared"] for p in prefixes))
others.update(cl_patch_speedup=f"{patch['s_per_epoch_plain'] / patch['s_per_epoch_launcher']:.0f}",
              cl_patch_max_diff=f"{max(patch[k] for k in patch if k.startswith('max_abs_diff')):.0e}")

# %% [markdown]
# **In this execution, over all {glue:text}`sbs_settings` settings (Figure 14's above included),
# {glue:text}`sbs_all_inside` of {glue:text}`sbs_all_compared` numbers of the companion under the
# code's reading lie inside the seed spread of the authors' runs.** In Figure 2's non-contrastive setting
# {glue:text}`sbs_figure_02_ncl_inside` of {glue:text}`sbs_figure_02_ncl_compared` numbers lie
# inside the seed spread (final minimum max-cosine: the authors' code
# {glue:text}`sbs_figure_02_ncl_authors_final_min:.3f`, ours
# {glue:text}`sbs_figure_02_ncl_0_final_min_ours:.3f`), and in Figure 5's
# {glue:text}`sbs_figure_05_inside` of {glue:text}`sbs_figure_05_compared` (the authors' code
# {glue:text}`sbs_figure_05_authors_final_min:.3f`, ours {glue:text}`sbs_figure_05_0_final_min_ours:.3f`),
# and with the two-layer model {glue:text}`sbs_figure_03_inside` of
# {glue:text}`sbs_figure_03_compared` (the authors' code {glue:text}`sbs_figure_03_authors_final_min:.3f`,
# ours {glue:text}`sbs_figure_03_0_final_min_ours:.3f`); with Figure 2's contrastive model
# {glue:text}`sbs_figure_02_cl_inside` of {glue:text}`sbs_figure_02_cl_compared` (the authors' code
# {glue:text}`sbs_figure_02_cl_authors_final_min:.3f`, ours
# {glue:text}`sbs_figure_02_cl_0_final_min_ours:.3f`); with Table 1's Simplified-SimSiam
# {glue:text}`sbs_table_1_simsiam_inside` of {glue:text}`sbs_table_1_simsiam_compared` (the authors' code
# {glue:text}`sbs_table_1_simsiam_authors_final_min:.3f`, ours
# {glue:text}`sbs_table_1_simsiam_0_final_min_ours:.3f`); with Table 1's Simplified-SimCLR
# {glue:text}`sbs_table_1_simclr_inside` of {glue:text}`sbs_table_1_simclr_compared` (the authors' code
# {glue:text}`sbs_table_1_simclr_authors_final_min:.3f`, ours
# {glue:text}`sbs_table_1_simclr_0_final_min_ours:.3f`); and in Figure 15's setting, Figure 14's with
# the columns normalised instead of the rows, {glue:text}`sbs_figure_15_inside` of
# {glue:text}`sbs_figure_15_compared` (the authors' code, rising from
# {glue:text}`sbs_figure_15_authors_initial_min:.2f` to {glue:text}`sbs_figure_15_authors_final_min:.3f`;
# ours {glue:text}`sbs_figure_15_0_final_min_ours:.3f`). Each table compares the final loss too,
# as both sides log it: the mean over the steps of the last ten epochs. For the two models with a
# predictor the loss once lay far outside the spread while every max-cosine lay inside it. The cause
# was the initial weights of the predictor (and of SimSiam's projection layer): the authors' scripts
# overwrite only the encoder's first layer, so those layers keep `nn.Linear`'s default weights,
# uniform in $\pm 1/\sqrt{\text{fan-in}}$, where the companion drew the text's $\mathcal N(0, 1/(pd))$
# (ambiguity {ref}`13 <pvc-13>`; `tests/test_authors_code.py` now compares their distribution with
# the weights the authors' code drew). With the text's head weights Figure 5's model ends with a loss
# {glue:text}`sbs_figure_05_1_final_loss_diff:+.3f` from the authors' ({glue:text}`sbs_figure_05_1_final_loss_spread`
# the seed spread), with the code's {glue:text}`sbs_figure_05_0_final_loss_diff:+.3f`
# ({glue:text}`sbs_figure_05_0_final_loss_spread`); Table 1's Simplified-SimSiam
# {glue:text}`sbs_table_1_simsiam_1_final_loss_diff:+.3f` ({glue:text}`sbs_table_1_simsiam_1_final_loss_spread`)
# and {glue:text}`sbs_table_1_simsiam_0_final_loss_diff:+.3f` ({glue:text}`sbs_table_1_simsiam_0_final_loss_spread`).
# For Table 1's Simplified-SimCLR the projector's weights show in the max-cosine rather than the loss:
# with the text's head weights its final median max-cosine lies
# {glue:text}`sbs_table_1_simclr_1_final_median_diff:+.3f` from the authors'
# ({glue:text}`sbs_table_1_simclr_1_final_median_spread` the seed spread), with the code's
# {glue:text}`sbs_table_1_simclr_0_final_median_diff:+.3f`
# ({glue:text}`sbs_table_1_simclr_0_final_median_spread`).
#
# The Simplified-SimCLR comparison found one more difference, in the data. The authors' contrastive
# dataset (`DependentMaskContrastiveDataset`) draws $D \sim$ Bernoulli(0.5) whatever the masking
# probability, which only names its output file; the companion's code reading drew $D$ with Table 1's
# masking probability 0.1. With those masks the final loss lies
# {glue:text}`sbs_table_1_simclr_2_final_loss_diff:+.3f` from the authors'
# ({glue:text}`sbs_table_1_simclr_2_final_loss_spread` the seed spread) and the final median
# max-cosine {glue:text}`sbs_table_1_simclr_2_final_median_diff:+.3f`
# ({glue:text}`sbs_table_1_simclr_2_final_median_spread`), the last column of its table. The code's
# reading now draws Bernoulli(0.5) for every contrastive model, and `tests/test_authors_code.py`
# compares its masks with the authors' at masking probabilities 0.1, 0.5 and 0.75. Only Table 1's
# runs changed: every other contrastive setting of the paper masks with probability 0.5.
# The authors'
# contrastive run was made with
# one change for speed, named in its record: their NT-Xent's cosine similarity, a
# $[2N, 2N, 50]$ broadcast, computed as $z z^\top$ of the unit rows it already has
# ({glue:text}`cl_patch_speedup` times faster; on three epochs the two differ by at most
# {glue:text}`cl_patch_max_diff` in any logged number or parameter).

# %% [markdown]
# ## The thirteen ambiguities
#
# (pvc-1)=
# ### 1. "Masking probability" vs Bernoulli(α)
#
# **Text:** mask entries $D_{jj} \sim \mathrm{Bernoulli}(\alpha)$, 1 = keep; Table 1 says
# "Bernoulli(0.1)", Figure 17 (the same runs) "probability of random masking is 0.1".
# **Code:** the number is the probability of *zeroing* a coordinate.
# **Default:** `mask_meaning="keep"` (the text's equation); `"drop"` is the code's. At 0.5 they
# agree; they differ for Table 1 (0.1), Figure 7 (0.9) and Figure 16 (0.75), whose pages check
# their claims with the code's meaning too (with its noise level).
# The contrastive script ignores the number: its complementary masks always draw
# $D \sim$ Bernoulli(0.5) (see {ref}`the side-by-side comparisons <pvc-authors>`).
# **Measured** on Table 1's models (masking 0.1; Simplified-SimCLR and Simplified-SimSiam):

# %%
masks = train_groups(COMPARE["masks"])
display(Markdown(table(masks)))
mask_gap = {m: float(masks[f"{m}, drop 0.1 (code)"][:, 0].mean() - masks[f"{m}, keep 0.1 (default)"][:, 0].mean())
            for m in ("Simplified-SimCLR", "Simplified-SimSiam")}

# %% [markdown]
# Reading 0.1 as the probability of zeroing changes the mean final minimum max-cosine by
# {glue:text}`mask_gap_simclr:+.2f` for Simplified-SimCLR and {glue:text}`mask_gap_simsiam:+.2f`
# for Simplified-SimSiam. (The paper's Table 1 reports 0.83 / 0.90 / 0.57 and 0.47 / 0.45 / 0.37
# for the minimum at Pr(sparse) 0.1 / 0.2 / 0.3; see {doc}`table-1`.)
#
# (pvc-2)=
# ### 2. Augmentation of the contrastive runs
#
# **Text:** only the independent scheme (Eq. 3) is reported. **Code:** the contrastive script
# uses complementary masks $2Dx$, $2(I-D)x$ (Eq. 2) and ignores the masking probability.
# **Default:** `augmentation="independent"`. **Measured** {ref}`above <pvc-measured>`: alone
# {glue:text}`cl_gain_augmentation:+.2f`, reverted alone from the code's readings
# {glue:text}`cl_loss_augmentation:+.2f` (mean final minimum max-cosine).
#
# (pvc-3)=
# ### 3. Latents
#
# **Text:** each coordinate independently non-zero with probability Pr(sparse). **Code:**
# exactly $\lceil d\,\Pr(\text{sparse})/2 \rceil$ entries $-1$ and $\max(\lceil d\,\Pr(\text{sparse})
# \rceil, \lceil d\,\Pr(\text{sparse})/2 \rceil + 1)$ non-zeros in all per sample (so for d = 10,
# Pr(sparse) 0.1 and 0.2 both give one $-1$ and one $+1$: the same data). **Default:** `latents="paper"`. **Measured** above: alone
# {glue:text}`cl_gain_latents:+.2f`, reverted alone {glue:text}`cl_loss_latents:+.2f`.
#
# (pvc-4)=
# ### 4. Noise
#
# **Text:** $\mathcal{N}(0, \log d / d)$. **Code:** standard deviation $\sqrt{\ln d}/d$, and its
# `sigma0: 0` entry is overridden, so noise is present. **Default:** `noise="paper"`
# (`"code"` and `"none"` are the alternatives). {ref}`Norms <pvc-noise>`: noise
# {glue:text}`noise_norm_paper:.2f` (text) vs {glue:text}`noise_norm_code:.2f` (code), signal
# {glue:text}`signal_norm:.2f`. **Measured** above: alone {glue:text}`cl_gain_noise:+.2f`,
# reverted alone {glue:text}`cl_loss_noise:+.2f`.
#
# (pvc-5)=
# ### 5. Dataset size, learning rate, steps
#
# **Text:** n = 1000, lr 0.025. **Code:** configs with 3000 samples, scripts passing lr 0.005;
# the contrastive script drops the last partial batch (one step per epoch at n = 1000).
# **Default:** n = 1000, `lr=0.025`, `drop_last=False`. **Measured** above for the learning rate
# (alone {glue:text}`cl_gain_lr:+.2f`, reverted alone {glue:text}`cl_loss_lr:+.2f`) and the last
# batch (alone {glue:text}`cl_gain_drop_last:+.2f`, reverted alone
# {glue:text}`cl_loss_drop_last:+.2f`); the sample size is a parameter (`n`) of every experiment
# and is not measured here.
#
# (pvc-6)=
# ### 6. BatchNorm in the non-contrastive model of Figures 1-2
#
# **Text:** Figure 2's caption and Table 2 put BatchNorm in NCL-basic. **Code:** the scripts pass
# "use BN" to the non-contrastive model, which ignores it. **Default:** BatchNorm
# (`ncl_batchnorm=True`; Figure 1 has none in either model, its caption mentions none).
# **Measured** on Figure 2's NCL with the text's other readings:

# %%
bn = train_groups(COMPARE["bn"])
display(Markdown(table(bn)))
bn_gap = float(bn["NCL, no BatchNorm (code)"][:, 0].mean() - bn["NCL, BatchNorm (default)"][:, 0].mean())

# %% [markdown]
# Dropping BatchNorm changes the mean final minimum max-cosine of NCL by
# {glue:text}`bn_gap:+.2f`.
#
# (pvc-7)=
# ### 7. Symmetric ReLU
#
# **Text:** Eq. 14 thresholds at $\pm b$. **Code:** $\mathrm{ReLU}(Wx + b) - \mathrm{ReLU}(-Wx +
# b)$, Eq. 14 with $b$ replaced by $-b$; after BatchNorm it becomes asymmetric. **Default:**
# `symrelu_form="paper"`. **Measured** above: alone {glue:text}`cl_gain_symrelu_form:+.2f`,
# reverted alone {glue:text}`cl_loss_symrelu_form:+.2f`.
#
# (pvc-8)=
# ### 8. Non-contrastive updates
#
# **Text:** training alternates between the online network (target under stop-gradient) and the
# target network. **Code:** it alternates per batch (online on the first batch of an epoch,
# target on the next...), two plain SGD optimisers, metric on the online encoder; the predictor
# variant trains the predictor on the branch being updated at every step. **Default:** the code's
# scheme, which is one way of doing what the text says; no other reading is implemented, so
# nothing is measured.
#
# (pvc-9)=
# ### 9. NT-Xent
#
# **Text:** Eq. 8 with a temperature; "Simplified-SimCLR" for Table 1. **Code:** cosine
# similarities divided by $\tau = 0.05$, one positive and $2N - 2$ negatives per row, summed
# cross-entropy divided by $2N$; no projection head in Figure 2's script. **Default:** the code's
# NT-Xent (`temperature` is a parameter); the projection head only in Table 1's
# Simplified-SimCLR. No other reading is implemented.
#
# (pvc-10)=
# ### 10. Warm start
#
# **Text:** rows of $W$ from randomly chosen columns of $M$ plus noise. **Code:** when $m = d$,
# row $i$ of *both* encoders starts at column $i$, so that neuron $i$ of the online and of the
# target network start at the same column (the non-contrastive loss compares them neuron by
# neuron). Until this version the companion gave each network its own random order when
# $m = d$: the two networks started misaligned and the warm-started, normalised runs of
# Figures 13-15 fell where the authors' code rises (found by the differential tests; those
# figures were retrained). With
# replacement when $m > d$, so some columns may get no neuron (probability about
# $d\,(1 - 1/d)^m \approx 0.05$ per run for $m = 50$, $d = 10$); such a run starts with a
# minimum max-cosine near 0 and must find that column from scratch. **Default:** the code's
# (`warm_pick="code"`); `"cover"` starts every column at least once. The warm-started pages
# (Figures 4, 5, 7, 16, Table 4) count the runs whose start left a column out. **Measured** on Figure 4's
# setup (warm-started NCL with BatchNorm and symmetric ReLU, c = 1):

# %%
warm = train_groups(COMPARE["warm"])
display(Markdown(table(warm)))
warm_gap = float(warm["every column at least once"][:, 0].mean()
                 - warm["with replacement (default, code)"][:, 0].mean())

# %% [markdown]
# Starting every column at least once changes the mean final minimum max-cosine by
# {glue:text}`warm_gap:+.2f`.
#
# (pvc-11)=
# ### 11. Figure 8's m
#
# **Caption:** m = 10; **title:** "over-parametrised" (m = 50 elsewhere). **Default:** m = 50,
# since with m = 10 Figure 8 would repeat Figure 9 (`m=10` gives the caption's reading). The
# effect of the other reading is Figure 9 itself: compare {doc}`figure-08` with
# {doc}`figure-09`.
#
# (pvc-12)=
# ### 12. Bias initialisation
#
# **Text:** biases start at zero. **Code:** only the weights are overwritten; every bias keeps
# `nn.Linear`'s default, uniform in $\pm 1/\sqrt{\text{fan-in}}$ (found by running the code).
# With a zero bias the code's symmetric ReLU is exactly the identity at the start; with the
# code's bias it is not. **Default:** the text's (`bias_init="zero"`); `bias_init="torch"` is the
# code's, and part of `TrainConfig.code_reading()`. **Measured** in Figure 14's setting above:
# the companion with the code's biases ends at {glue:text}`sbs_0_final_min_ours:.3f`, with zero
# biases at {glue:text}`sbs_1_final_min_ours:.3f` (the authors' code:
# {glue:text}`sbs_authors_final_min:.3f`).
#
# (pvc-13)=
# ### 13. Initial weights of the predictor and projection layers
#
# **Text:** every weight starts $\mathcal N(0, 1/(pd))$ (Sec. 4.2). **Code:** each script overwrites
# only the encoder's first layer ({ref}`12 <pvc-12>` for its biases); the predictor, the projector
# and SimSiam's projection layer keep `nn.Linear`'s default weights, uniform in
# $\pm 1/\sqrt{\text{fan-in}}$ (found by comparing the companion's final loss with the authors' runs,
# then in the initial weights their code recorded). **Default:** the text's (`head_init="paper"`);
# `head_init="torch"` is the code's, and part of `TrainConfig.code_reading()` for every model with
# such a layer. **Measured** in Figure 5's setting above: final loss
# {glue:text}`sbs_figure_05_0_final_loss_ours:.3f` with the code's head weights,
# {glue:text}`sbs_figure_05_1_final_loss_ours:.3f` with the text's (the authors' code:
# {glue:text}`sbs_figure_05_authors_final_loss:.3f`); final minimum max-cosine
# {glue:text}`sbs_figure_05_0_final_min_ours:.3f` and {glue:text}`sbs_figure_05_1_final_min_ours:.3f`
# (the authors' code: {glue:text}`sbs_figure_05_authors_final_min:.3f`).
#
# ## Choices made elsewhere
#
# Each experiment's notebook lists its own choices (e.g. Figure 7's $c = 2$, which starts near a
# minimum max-cosine of 0.99 rather than the 0.62 the text reports; the max-cosine of two-layer
# encoders; Table 4's σ given directly). The {doc}`scorecard` links every miss to the page that
# explains it.

# %% tags=["nbval-check-output"]
key_numbers(notebook="paper-vs-code", numbers={"noise_norm_paper": noise_norm["paper"], "noise_norm_code": noise_norm["code"],
             "signal_norm": signal_norm,
             "cl_paper_min": cl["text (default)"][:, 0].mean(), "cl_paper_median": cl["text (default)"][:, 1].mean(),
             "cl_code_min": cl["code (all six)"][:, 0].mean(), "cl_code_median": cl["code (all six)"][:, 1].mean(),
             "cl_pair_min": pair_fin[:, 0].mean(), "cl_pair_median": pair_fin[:, 1].mean(),
             **{f"cl_gain_{k}": v for k, v in single.items()},
             **{f"cl_loss_{k}": v for k, v in loo.items()},
             "mask_gap_simclr": mask_gap["Simplified-SimCLR"], "mask_gap_simsiam": mask_gap["Simplified-SimSiam"],
             "bn_gap": bn_gap, "warm_gap": warm_gap,
             "authors_fig14_wall_s": authors["wall_s"], **sbs_numbers, **others}, digits=3)
