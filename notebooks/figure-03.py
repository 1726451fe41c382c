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
# # Figure 3: NCL with a two-layer encoder (and Figure 10)
#
# **What the paper {cite:p}`pokle2022contrasting` shows.** Adding a second linear layer to the encoder does not help the
# non-contrastive loss: its *minimum max-cosine* stays low (Sec. 5.2.2, Table 2's NCL-basic-2L
# row), below that of a one-layer encoder trained with the contrastive loss (CL-basic).
#
# **Setup (Sec. 4.2 and the captions).** Data $x = Mz + \epsilon$ (Eq. 1): $p = 50$, $d = 10$,
# $n = 1000$, latents with Pr(sparse) $\in \{0.1, 0.2, 0.3\}$, noise variance $\log d / d$;
# independent masks (Eq. 3), masking probability 0.5. Encoder: two linear layers of $m = 50$
# neurons, each followed by BatchNorm and a symmetric ReLU, weights $\mathcal{N}(0, 1/(pd))$,
# zero biases; normalised NCL loss (Eq. 4), online and target updated in turn. SGD, learning
# rate 0.025, batch 512, 8000 epochs, 5 runs. Figure 3 shows minimum max-cosine and loss;
# Figure 10 shows all four panels of the same runs. These runs are also Table 2's NCL-basic-2L
# row; CL-basic (= Figure 2's CL runs) is trained as the reference of the claim.
#
# **Choices where the paper is ambiguous** (each one knob away):
# - The max-cosine (Eq. 11) of a two-layer encoder is computed on the rows of its first layer,
#   the only one that lives in the input space: `metric_layer="product"` uses $W_2 W_1$ instead.
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
metric_layer = None  # str: two-layer encoder: max-cosine of the first layer's rows ('first') or of W2 W1 ('product') [None: the profile's value]
cl_batchnorm = None  # bool: BatchNorm in the one-layer contrastive encoder (CL, CL-basic) [None: the profile's value]
temperature = None  # float: NT-Xent temperature: similarities are divided by it [None: the profile's value]

# %%
from landscape import claims, experiments, plotting
from landscape.notebook import key_numbers, save_figure

exp = experiments.get("figure-03")
params = exp.setup(profile, globals())

# %% [markdown]
# Each model is one batched training run over all its seeds and Pr(sparse) values, cached on
# disk (the CL-basic reference is the same cache entry as Figure 2's CL runs).

# %%
results = exp.run(params, device=device)
summaries = plotting.summarise_all(results)
drawn = {label: results[label] for label in exp.drawn}

# %% [markdown]
# ## Figure 3
#
# Minimum max-cosine (left) and loss (right) of the two-layer NCL encoder; mean over runs, the
# band spans the minimum and maximum over runs; one color per Pr(sparse).

# %%
fig = plotting.plot_curves(drawn, plotting.TWO_PANELS,
                           title=f"Figure 3: NCL, two-layer encoder ({profile} profile)")
save_figure(fig, "figure-03", params=params,
            caption="Figure 3: minimum max-cosine and loss of NCL with a two-layer encoder");

# %% [markdown]
# ## Figure 10
#
# The same runs, all four panels: minimum, median and maximum max-cosine, and loss.

# %%
fig = plotting.plot_curves(drawn, plotting.FOUR_PANELS,
                           title=f"Figure 10: NCL, two-layer encoder ({profile} profile)")
save_figure(fig, "figure-10", params=params,
            caption="Figure 10: minimum, median, maximum max-cosine and loss of NCL with a two-layer encoder");

# %% [markdown]
# Final values per model and Pr(sparse) (start → final, mean ± std over runs):

# %%
print(plotting.format_summary(summaries))

# %% [markdown]
# ## The paper's claim
#
# The two-layer NCL encoder does not reach the minimum max-cosine of the one-layer CL encoder
# (CL-basic) at any Pr(sparse).

# %%
two_layer_below_cl = claims.check_above(
    summaries, "CL-basic", "NCL-basic-2L", params["p_sparse"],
    claim="two-layer NCL has a lower final minimum max-cosine than CL-basic at every Pr(sparse)")

# %% [markdown]
# In this execution the two-layer NCL encoder ends with a minimum max-cosine of
# {glue:text}`ncl_basic_2l_ps0p1_min:.2f`, {glue:text}`ncl_basic_2l_ps0p2_min:.2f` and
# {glue:text}`ncl_basic_2l_ps0p3_min:.2f` at Pr(sparse) 0.1, 0.2 and 0.3, against
# {glue:text}`cl_basic_ps0p1_min:.2f`, {glue:text}`cl_basic_ps0p2_min:.2f` and
# {glue:text}`cl_basic_ps0p3_min:.2f` for CL-basic. The claim holds:
# {glue:text}`claim_two_layer_below_cl`.

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
code_summaries = claims.code_readings(exp, params, device=device, panels=plotting.TWO_PANELS,
                                      figure="figure-03-code-readings",
                                      caption="Figure 3 with the public code's noise and masks")
code_two_layer_below_cl = code_summaries and claims.check_above(
    code_summaries, "CL-basic", "NCL-basic-2L", params["p_sparse"], code_readings=True,
    claim="two-layer NCL has a lower final minimum max-cosine than CL-basic at every Pr(sparse)")

# %% [markdown]
# With the code's two readings the two-layer NCL encoder ends with a minimum max-cosine of
# {glue:text}`code_ncl_basic_2l_ps0p1_min:.2f` at Pr(sparse) 0.1 against
# {glue:text}`code_cl_basic_ps0p1_min:.2f` for CL-basic. Two-layer NCL below CL-basic at every
# Pr(sparse) with the code's readings: {glue:text}`code_two_layer_below_cl`.

# %% tags=["nbval-check-output"]
key_numbers({**plotting.key_numbers_for(summaries), "claim_two_layer_below_cl": two_layer_below_cl,
             **claims.code_key_numbers(code_summaries), "code_two_layer_below_cl": bool(code_two_layer_below_cl)})
