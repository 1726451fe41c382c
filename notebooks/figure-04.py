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
# # Figure 4: NCL with a warm-started encoder and no predictor (and Figure 11)
#
# ```{glue:md} banner
# :format: myst
# ```
#
# **What the paper {cite:p}`pokle2022contrasting` shows.** Starting the encoder close to the dictionary does not rescue the
# non-contrastive loss without a predictor: the *minimum max-cosine* decreases as training
# proceeds (Sec. 5.2.2).
#
# :::{admonition} Setup, choices and profiles
# :class: dropdown
#
# **Setup (Sec. 4.2, Sec. 5.2.2 and the captions).** Data $x = Mz + \epsilon$ (Eq. 1): $p = 50$,
# $d = 10$, $n = 1000$, Pr(sparse) $\in \{0.1, 0.2, 0.3\}$, noise variance $\log d / d$;
# independent masks (Eq. 3), masking probability 0.5. Encoder: $m = 50$ neurons, a linear layer,
# BatchNorm and a symmetric ReLU; no predictor (the prediction head of BYOL {cite:p}`grill2020byol` and SimSiam {cite:p}`chen2021simsiam`). Warm start: each row of $W$ is a randomly chosen
# column of $M$ plus $\mathcal{N}(0, \sigma^2)$ noise with $\sigma = p^{-c/2}$, $c = 1$
# ($\sigma \approx 0.141$); zero bias. Normalised NCL loss (Eq. 4), online and target updated in
# turn. SGD, learning rate 0.025, batch 512, 8000 epochs, 5 runs. Figure 11 (appendix) shows the
# same runs with the same two panels.
#
# **Choices where the paper is ambiguous** (each one knob away):
# - Warm start as the public code: every dictionary column once when $m \le d$, $m$ columns
#   drawn with replacement when $m > d$ (`warm_pick="cover"` uses every column at least once,
#   `"with_replacement"` always draws with replacement).
# - Latents, noise, learning rate and masking follow the text (`latents`, `noise`, `lr`,
#   `mask_meaning` give the public code's readings).
#
# **Profiles.** `profile="paper"` runs the paper's settings. The default `profile="smoke"`
# (toy sizes, listed in the settings line above) finishes in seconds: it checks the pipeline and is
# **not a reproduction**; its numbers and verdicts say nothing about the paper's claims.
# :::

# %% tags=["parameters"]
profile = "smoke"  # str: "smoke" (seconds on a CPU: a pipeline check, not a reproduction) or "paper" (the paper's settings)
reading = "paper"  # str: "paper" (the text's settings) or "code" (every setting of the authors' script for each model)
device = "auto"  # str: "auto" (a GPU if there is one), "cpu" or "cuda"
# other parameters: `landscape list figure-04` (each defaults to the profile's value)

# %%
from landscape.companion.page import TWO_PANELS, ExperimentPage, key_numbers

fig = ExperimentPage("figure-04", profile, device, globals(), reading)

# %%
# One batched training run over all seeds and Pr(sparse) values, cached on disk.
fig.train()

# %% [markdown]
# ## Figure 4
#
# Minimum max-cosine (left) and loss (right); mean over runs, the band spans the minimum and
# maximum over runs; one color per Pr(sparse).

# %%
fig.save_figure(TWO_PANELS, "figure-04", "warm-started NCL without a predictor")

# %% [markdown]
# ## Figure 11
#
# The appendix version of Figure 4: the same runs and panels, every Pr(sparse), with the
# min-max band over runs ($p = 50$, $m = 50$, $d = 10$).

# %%
fig.save_figure(TWO_PANELS, "figure-11", "warm-started NCL without a predictor, all Pr(sparse)")

# %% [markdown]
# Final values per Pr(sparse) (start → final, mean ± std over runs):

# %%
fig.final_values()

# %% [markdown]
# (figure-04-claims)=
# ## The paper's claim
#
# Without a predictor, the minimum max-cosine of a warm-started NCL encoder decreases during
# training: it ends below where it started, at every Pr(sparse).

# %%
fig.trend("min_decreases", "warm-started NCL without a predictor", direction="decreases")

# %% [markdown]
# In this execution the minimum max-cosine goes from {glue:text}`ncl_ps0p1_min_start:.2f` to
# {glue:text}`ncl_ps0p1_min:.2f` at Pr(sparse) 0.1 and from {glue:text}`ncl_ps0p3_min_start:.2f`
# to {glue:text}`ncl_ps0p3_min:.2f` at 0.3. The claim holds: {glue:text}`claim_min_decreases`.

# %% [markdown]
# ### Warm starts that leave a column out
#
# The public code's warm start, followed here, can leave a dictionary column without a row
# ({ref}`pvc-10`); such a run starts with a minimum max-cosine near 0 and pulls the means down.

# %%
fig.missed_warm_starts()

# %% [markdown]
# In this execution {glue:text}`warm_starts_missed` of {glue:text}`warm_runs` runs left a
# column out.

# %% [markdown]
# (figure-04-readings)=
# ## The public code's noise level
#
# The {doc}`paper-vs-code` page measures what each reading of the public code changes. For a
# non-contrastive model the reading that changes the data is the noise: the public code draws it
# with standard deviation $\sqrt{\ln d}/d$, a variance $d$ times smaller than the text's
# $\log d / d$ (a noise vector shorter than the signal instead of about twice as long). Here
# the model is trained again with the code's noise level, everything else as above, with
# `reading_runs` run(s) per Pr(sparse) (one by default: a check of which reading matches the paper,
# not a reproduction).

# %%
fig.code_readings("Figure 4 with the public code's noise level")

# %% [markdown]
# With the code's noise level the minimum max-cosine goes from
# {glue:text}`code_ncl_ps0p1_min_start:.2f` to {glue:text}`code_ncl_ps0p1_min:.2f` at Pr(sparse)
# 0.1 and from {glue:text}`code_ncl_ps0p3_min_start:.2f` to {glue:text}`code_ncl_ps0p3_min:.2f` at
# 0.3. The claim holds with the code's noise level: {glue:text}`code_min_decreases`.

# %% tags=["nbval-check-output"]
key_numbers(notebook="figure-04", numbers={**fig.warm, **fig.numbers(start=True), **fig.claims, **fig.code_numbers(start=True), **fig.code_claims})

# %% [markdown]
# ## Re-run and cite

# %%
fig.banner()
