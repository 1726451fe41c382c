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
# # Figure 9: NCL vs CL with k-sparse latents, m = d
#
# **What the paper {cite:p}`pokle2022contrasting` shows.** The same comparison as Figure 8 with as many neurons as latent dimensions ($m = d = 10$): the
# contrastive loss (CL) recovers the dictionary, the non-contrastive loss (NCL) leaves columns
# unmatched (low *minimum max-cosine*) (Appendix A.2).
#
# **Setup (Sec. 4.2 and the caption).** Data $x = Mz + \epsilon$ (Eq. 1): $p = 50$, $d = 10$,
# $n = 1000$ samples, Pr(sparse) $\in \{0.1, 0.2, 0.3\}$, noise variance $\log d / d$;
# independent masks (Eq. 3), masking probability 0.5. Encoder: $m = 10$ neurons, a linear layer followed
# by a symmetric ReLU (Eq. 14), weights $\mathcal{N}(0, 1/(pd))$, zero bias; representations
# normalised before the loss. NCL: Eq. 4, online and target updated in turn. CL: NT-Xent {cite:p}`chen2020simclr` with
# in-batch negatives, temperature 0.05. SGD, learning rate 0.025, batch 512, 8000 epochs, 5
# runs; four panels (minimum, median, maximum max-cosine, loss).
#
# **Choices where the paper is ambiguous** (each one knob away):
# - No BatchNorm: the caption, worded like Figure 1's, mentions none (`batchnorm=True` adds it
#   to both models).
# - Independent masks (Eq. 3) for both losses, as the text says; the public contrastive script
#   uses the dependent masks of Eq. 2: `augmentation="dependent"`.
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
batchnorm = None  # bool: BatchNorm after the linear layer of every model's encoder [None: the profile's value]
temperature = None  # float: NT-Xent temperature: similarities are divided by it [None: the profile's value]

# %%
from landscape import claims, experiments, plotting
from landscape.notebook import key_numbers, save_figure

exp = experiments.get("figure-09")
params = exp.setup(profile, globals())

# %% [markdown]
# Each model is one batched training run over all its seeds and Pr(sparse) values, cached on
# disk.

# %%
results = exp.run(params, device=device)
summaries = plotting.summarise_all(results)

# %% [markdown]
# ## Figure 9
#
# Minimum, median and maximum max-cosine and loss against the epoch; mean over runs, the band
# spans the minimum and maximum over runs. Colors: Pr(sparse); solid: NCL, dashed: CL.

# %%
fig = plotting.plot_curves(results, plotting.FOUR_PANELS,
                           title=f"Figure 9: NCL vs CL, k-sparse latents, m = {params['m']} ({profile} profile)")
save_figure(fig, "figure-09", params=params,
            caption="Figure 9: minimum, median, maximum max-cosine and loss of NCL and CL, m = d = 10");

# %% [markdown]
# Final values per model and Pr(sparse) (start → final, mean ± std over runs):

# %%
print(plotting.format_summary(summaries))

# %% [markdown]
# ## The paper's claim
#
# CL ends with a higher minimum max-cosine than NCL at every Pr(sparse).

# %%
cl_above_ncl = claims.check_above(summaries, "CL", "NCL", params["p_sparse"])

# %% [markdown]
# In this execution, at Pr(sparse) = 0.1 the final minimum max-cosine is
# {glue:text}`cl_ps0p1_min:.2f` for CL and {glue:text}`ncl_ps0p1_min:.2f` for NCL; at 0.3 it is
# {glue:text}`cl_ps0p3_min:.2f` and {glue:text}`ncl_ps0p3_min:.2f`. The claim holds:
# {glue:text}`claim_cl_above_ncl`.

# %% [markdown]
# ## The public code's readings
#
# The {doc}`paper-vs-code` page finds two readings of the public code decisive for contrastive
# learning: its noise level (standard deviation $\sqrt{\ln d}/d$ instead of the text's variance
# $\log d / d$, for every model) and its complementary masks $2Dx$, $2(I - D)x$ (Eq. 2, for the
# contrastive model; the public non-contrastive script draws independent masks). Here both models are
# trained again with those two readings, everything else as above, with `reading_runs` run(s)
# per Pr(sparse) (one by default: a check of which reading matches the paper, not a reproduction).

# %%
code_summaries = claims.code_readings(exp, params, device=device, panels=plotting.FOUR_PANELS,
                                      figure="figure-09-code-readings",
                                      caption="Figure 9 with the public code's noise and masks")
code_cl_above_ncl = code_summaries and claims.check_above(code_summaries, "CL", "NCL", params["p_sparse"],
                                                          code_readings=True)

# %% [markdown]
# With the code's two readings the final minimum max-cosine at Pr(sparse) = 0.1 is
# {glue:text}`code_cl_ps0p1_min:.2f` for CL and {glue:text}`code_ncl_ps0p1_min:.2f` for NCL; at
# 0.3 it is {glue:text}`code_cl_ps0p3_min:.2f` and {glue:text}`code_ncl_ps0p3_min:.2f`. CL above
# NCL at every Pr(sparse) with the code's readings: {glue:text}`code_cl_above_ncl`.

# %% tags=["nbval-check-output"]
key_numbers({**plotting.key_numbers_for(summaries), "claim_cl_above_ncl": cl_above_ncl,
             **claims.code_key_numbers(code_summaries), "code_cl_above_ncl": bool(code_cl_above_ncl)})
