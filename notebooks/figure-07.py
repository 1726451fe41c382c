# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: landscape
#     language: python
#     name: landscape
# ---

# %% [markdown]
# # Figure 7: NCL with warm start and row-normalised encoders
#
# **What the paper {cite:p}`pokle2022contrasting` shows.** A predictor can be skipped if the encoder is warm-started and the
# rows of $W^o$ and $W^t$ are normalised after every update: the *minimum max-cosine* "increases
# on average from around 0.62 to 0.85 as the training proceeds" (Sec. 5.2.2; compare Theorem 3).
#
# **Setup (Sec. 4.2, Sec. 5.2.2 and the caption).** Data $x = Mz + \epsilon$ (Eq. 1), $n = 1000$,
# Pr(sparse) $\in \{0.1, 0.2, 0.3\}$, noise variance $\log d / d$; independent masks (Eq. 3) with
# masking probability 0.9. Encoder: a linear layer and a symmetric ReLU, no BatchNorm, no
# predictor; warm start with $c = 2$ ($\sigma = 1/p = 0.02$); the encoder's outputs are
# normalised before the loss (Eq. 4 form) and the rows of $W^o$, $W^t$ are normalised after
# every SGD step; online and target updated in turn. SGD, learning rate 0.025, batch 512, 8000
# epochs, 3 runs.
#
# **Choices where the paper is ambiguous** (each one knob away):
# - The caption gives no sizes: the defaults $p = 50$, $d = 10$, $m = 50$ of Sec. 4.2 (`p`, `d`,
#   `m`).
# - "Masking probability 0.9" is read as the text's $D_{jj} \sim$ Bernoulli(0.9): a coordinate is
#   *kept* with probability 0.9. The public code zeroes it with that probability
#   (`mask_meaning="drop"`, keeping 0.1).
# - Symmetric ReLU after the linear layer (Sec. 4.2's default activation; Theorem 3's SReLU),
#   `activation="relu"` or `"none"` otherwise.
# - No predictor, as the text says ("works even in the absence of a prediction head"). The public
#   script builds these runs with a linear predictor that is never optimised; the engine can
#   freeze a predictor (`TrainConfig(predictor=True, freeze_predictor=True)`), but this notebook
#   does not expose that reading.
# - Warm start as the public code: every dictionary column once when $m \le d$, $m$ columns
#   drawn with replacement when $m > d$ (`warm_pick="cover"` uses every column at least once,
#   `"with_replacement"` always draws with replacement).
# - The quoted 0.62 → 0.85 is compared with the mean over runs and Pr(sparse) values. Note that
#   the stated warm start cannot start at 0.62: with $\sigma = p^{-c/2} = 0.02$ each warm row has
#   a cosine of about $1/\sqrt{1 + p\sigma^2} \approx 0.99$ with its dictionary column, so the
#   initial minimum max-cosine is about 0.99 (a start near 0.62 needs $\sigma \approx 0.18$, i.e.
#   $c \approx 0.9$). The companion follows the stated $c = 2$ (`warm_c` changes it), so the
#   "start" half of the second claim is not expected to hold; a second run below starts at 0.62.
# - Latents, noise, learning rate and masking follow the text (`latents`, `noise`, `lr`,
#   `mask_meaning` give the public code's readings).
#
# **Profiles.** `profile="paper"` runs the paper's settings. The default `profile="smoke"`
# (n = 200, batch 100, 40 epochs, 2 runs) finishes in seconds: it checks the pipeline and is
# **not a reproduction**; its numbers and verdicts say nothing about the paper's claims.

# %% tags=["parameters"]
profile = "smoke"  # str: "smoke" (seconds on a CPU: a pipeline check, not a reproduction) or "paper" (the paper's settings)
device = "auto"  # str: "auto" (a GPU if there is one), "cpu" or "cuda"
runs = None  # int: independent runs (seeds) per condition [None: the profile's value]
seed = None  # int: seed of the first run; run i uses seed + i (data, dictionary, init) [None: the profile's value]
p_sparse = None  # list[float]: Pr(sparse) = Pr(z_i = +-1) values, one curve each [None: the profile's value]
p = None  # int: input dimension p [None: the profile's value]
d = None  # int: latent dimension d (columns of the dictionary M) [None: the profile's value]
m = None  # int: number of neurons m (rows of the encoder W); must be >= d [None: the profile's value]
n = None  # int: number of training samples [None: the profile's value]
epochs = None  # int: training epochs [None: the profile's value]
batch_size = None  # int: minibatch size [None: the profile's value]
drop_last = None  # bool: drop the last partial batch of an epoch (the public contrastive script does) [None: the profile's value]
lr = None  # float: SGD learning rate (paper 0.025; public scripts 0.005) [None: the profile's value]
log_every = None  # int: log the metrics every this many epochs [None: the profile's value]
latents = None  # str: latents: 'paper' (each coordinate independently +-1 with prob. Pr(sparse)) or 'code' (exactly ceil(d Pr(sparse)) non-zeros, as the public code) [None: the profile's value]
noise = None  # str: noise: 'paper' (variance log(d)/d), 'code' (std sqrt(ln d)/d) or 'none' [None: the profile's value]
augmentation = None  # str: masks: 'independent' (Eq. 3, D1 x and D2 x, the paper) or 'dependent' (Eq. 2, 2Dx and 2(I-D)x, the public contrastive script) [None: the profile's value]
masking_prob = None  # float: the 'masking probability' of a mask entry [None: the profile's value]
mask_meaning = None  # str: 'keep': a mask entry keeps its coordinate with the masking probability (D_jj ~ Bernoulli, the paper); 'drop': it zeroes it (the public code) [None: the profile's value]
symrelu_form = None  # str: symmetric ReLU: 'paper' (Eq. 14, ReLU(u-b)-ReLU(-u-b)) or 'code' (ReLU(Wx+b)-ReLU(-Wx+b), as the public code) [None: the profile's value]
reading_runs = None  # int: runs per condition of the check with the public code's readings: its noise level, its masks for contrastive models, its meaning of the masking probability for the others (0: no check) [None: the profile's value]
activation = None  # str: activation after the encoder: 'symrelu' (Eq. 14), 'relu' or 'none' [None: the profile's value]
warm_c = None  # float: warm start: noise sigma = p^(-c/2) [None: the profile's value]
warm_pick = None  # str: warm start: which dictionary columns start the rows of W: 'code' (as the public code: all d columns when m <= d, m drawn with replacement when m > d), 'with_replacement' (always) or 'cover' (every column at least once) [None: the profile's value]

# %%
from landscape import claims, experiments, plotting
from landscape.notebook import key_numbers, save_figure

exp = experiments.get("figure-07")
params = exp.setup(profile, globals())

# %% [markdown]
# One batched training run over all seeds and Pr(sparse) values, cached on disk.

# %%
results = exp.run(params, device=device)
summaries = plotting.summarise_all(results)

# %% [markdown]
# ## Figure 7
#
# Minimum max-cosine (left) and loss (right); mean over runs, the band spans the minimum and
# maximum over runs; one color per Pr(sparse).

# %%
fig = plotting.plot_curves(results, plotting.TWO_PANELS,
                           title=f"Figure 7: NCL, warm start, row-normalised ({profile} profile)")
save_figure(fig, "figure-07", params=params,
            caption="Figure 7: minimum max-cosine and loss of warm-started NCL with row-normalised encoders");

# %% [markdown]
# Final values per Pr(sparse) (start → final, mean ± std over runs):

# %%
print(plotting.format_summary(summaries))

# %% [markdown]
# ## The paper's claims
#
# 1. The minimum max-cosine rises during training, at every Pr(sparse).
# 2. On average it goes from about 0.62 to about 0.85 (tolerance 0.05: the paper gives no
#    spread for these numbers).

# %%
start_end = claims.start_end_claims(summaries, "fig7", "NCL-warmstart-rownorm",
                                    "row-normalised warm-started NCL")

# %% [markdown]
# In this execution the minimum max-cosine goes on average from {glue:text}`min_start_mean:.2f`
# to {glue:text}`min_final_mean:.2f` (the paper: about 0.62 to 0.85). It rises at every
# Pr(sparse): {glue:text}`claim_min_rises`; it matches the paper's two numbers:
# {glue:text}`claim_matches_paper`.

# %% [markdown]
# ## A warm start at the paper's initial value
#
# The stated $c = 2$ starts near 0.99, so the quoted start of 0.62 cannot be met. A warm row
# starts at cosine $1/\sqrt{1 + p\sigma^2}$ with its dictionary column; that is the quoted 0.62
# for $c$ = {glue:text}`start_variant_c` ($\sigma = p^{-c/2}$, p = 50). Does the minimum
# max-cosine rise from there to about 0.85? The model is trained again with that $c$ (the
# experiment's `paper-start` variant), everything else as above.

# %%
start_c = dict(dict(exp.variants)[experiments.FIG7_START_VARIANT])["warm_c"]
start_results = exp.run(params, device=device, reading=experiments.FIG7_START_VARIANT)
start_summaries = plotting.summarise_all(start_results)
fig = plotting.plot_curves(start_results, plotting.TWO_PANELS,
                           title=f"Figure 7 with c = {start_c:g} ({profile} profile)")
save_figure(fig, "figure-07-paper-start", params={**params, "warm_c": start_c},
            caption=f"Figure 7 with a warm start at the quoted initial value (c = {start_c:g})")
print(plotting.format_summary(start_summaries))
start_variant = claims.start_end_claims(start_summaries, "fig7", "NCL-warmstart-rownorm",
                                        "row-normalised warm-started NCL",
                                        check=f"With c = {start_c:g} (a start at the quoted value), ")

# %% [markdown]
# With $c$ = {glue:text}`start_variant_c` the minimum max-cosine goes on average from
# {glue:text}`start_c_min_start_mean:.2f` to {glue:text}`start_c_min_final_mean:.2f` (the paper:
# about 0.62 to 0.85). It rises at every Pr(sparse): {glue:text}`start_c_claim_min_rises`; it
# matches the paper's two numbers: {glue:text}`start_c_claim_matches_paper`.

# %% [markdown]
# ### Warm starts that leave a column out
#
# The public code's warm start, followed here, can leave a dictionary column without a row
# ({ref}`pvc-10`); such a run starts with a minimum max-cosine near 0 and pulls the means down.

# %%
warm_missed, warm_runs = claims.missed_warm_starts(results)

# %% [markdown]
# In this execution {glue:text}`warm_starts_missed` of {glue:text}`warm_runs` runs left a
# column out.

# %% [markdown]
# ## The public code's noise level and masks
#
# The {doc}`paper-vs-code` page measures what each reading of the public code changes. For a
# non-contrastive model the reading that changes the data is the noise: the public code draws it
# with standard deviation $\sqrt{\ln d}/d$, a variance $d$ times smaller than the text's
# $\log d / d$ (a noise vector shorter than the signal instead of about twice as long). The
# masks change too: the public non-contrastive script *zeroes* a coordinate with the masking
# probability, so 0.9 keeps a coordinate with probability 0.1, not 0.9. Here the model is
# trained again with the code's noise level and masks, everything else as above, with
# `reading_runs` run(s) per Pr(sparse) (one by default: a check of which reading matches the paper,
# not a reproduction).

# %%
code_summaries = claims.code_readings(exp, params, device=device, figure="figure-07-code-readings",
                                      caption="Figure 7 with the public code's noise level and masks")
code_start_end = code_summaries and claims.start_end_claims(
    code_summaries, "fig7", "NCL-warmstart-rownorm", "row-normalised warm-started NCL", code_readings=True)

# %% [markdown]
# With the code's noise level and masks the minimum max-cosine goes on average from
# {glue:text}`code_min_start_mean:.2f` to {glue:text}`code_min_final_mean:.2f`. It rises at every
# Pr(sparse): {glue:text}`code_claim_min_rises`; it matches the paper's two numbers:
# {glue:text}`code_claim_matches_paper`.

# %% tags=["nbval-check-output"]
key_numbers({"warm_starts_missed": warm_missed, "warm_runs": warm_runs, "start_variant_c": start_c,
             **{f"start_c_{k}": v for k, v in start_variant.items()},
             **plotting.key_numbers_for(summaries, metrics=["min"], when="start"),
             **plotting.key_numbers_for(summaries), **start_end,
             **{f"code_{k}": v for k, v in (code_start_end or {}).items()}})
