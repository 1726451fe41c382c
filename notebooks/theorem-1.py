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
# # Theorem 1: the landscape of contrastive and non-contrastive losses
#
# Theorem 1 of {cite:t}`pokle2022contrasting` (Section 5.1, proof in Appendix A.1) says that, already in the simplest sparse-coding
# setting, the non-contrastive loss has a continuum of global minima that are *not collapsed* and
# yet far from the ground truth, while the contrastive loss is minimised only at the ground truth
# (up to permutation). This page computes both losses **exactly** on many matrices, runs
# projected gradient descent on the contrastive loss, and checks each claim numerically.

# %% [markdown]
# ## Theorem 1
#
# **Setting.** $d = p = m$, dictionary $\mathbf M = \mathbf I$, no noise ($\sigma_0 = 0$), the latent
# $\mathbf z$ uniform over the $d$ one-hot vectors $\mathbf e_1, \dots, \mathbf e_d$ (so $\mathbf x = \mathbf e_j$),
# encoder $\mathrm{ReLU}(\mathbf W \mathbf x)$ without bias, two independent masks $\mathbf D_1, \mathbf D_2$ with
# Bernoulli($\alpha$) diagonals (Eq. 3). $\mathcal U$ is the set of $d \times d$ matrices with unit
# columns, $\mathcal U_{\ge}$ its non-negative part.
#
# **Claim (a).** Every $\mathbf W \in \mathcal U_{\ge}$ is a global minimiser over $\mathcal U$ of the
# non-contrastive loss $L_{\text{non-CL}}(\mathbf W, \mathbf W)$ (Eq. 6).
#
# **Claim (b).** The minimisers over $\mathcal U$ of the contrastive loss $L_{CL}$ (Eq. 8 with
# $|\mathbb B| \to \infty$, equivalently of its surrogate $\tilde L_{CL}$, Eq. 16) are exactly the
# permutation matrices.
#
# **Closed forms used here** (all in `landscape.theory`, float64):
#
# * Eq. 6. Because $\mathbf W \mathbf D \mathbf e_j = D_{jj} \mathbf W_{*j}$ and $\mathbb E[D_{1,jj} D_{2,jj}] = \alpha^2$,
#   $L_{\text{non-CL}}(\mathbf W, \mathbf W) = 2 - 2\alpha^2 \frac1d \sum_j \lVert \mathrm{ReLU}(\mathbf W_{*j}) \rVert^2
#   \ge 2 - 2\alpha^2$ on $\mathcal U$, with equality iff $\mathbf W \ge 0$ (`ncl_loss_one_sparse`).
#   *Normalisation:* Eq. 6 is an expectation over $\mathbf x$, so we average over $j$; the proof in
#   App. A.1 sums over $j \in [d]$ instead (minimum $2d - 2d\alpha^2$; its bound "$d\alpha^2$" on the summed
#   inner products, i.e. $2 - 2\sum_j \mathbb E\langle\cdot\rangle \ge 2 - 2d\alpha^2$, is the same statement). All are affine in the
#   same quantity and have the same minimisers; `normalization="sum"` or `"sum_inner"` gives the proof's
#   scalings (minimum $2d - 2d\alpha^2$, resp. $2 - 2d\alpha^2$).
# * Eq. 16. Term $i$ depends only on the anchor's mask entry $(\mathbf D_1^i)_{ii}$ and on the $d$ entries
#   $(\mathbf D_2^j)_{jj}$ of the positive ($j = i$) and negative views, so the expectation over masks is
#   a finite sum over $2^d$ configurations, computed **exactly** by enumeration (`cl_surrogate`; checked
#   against a literal enumeration of all full masks and against Monte Carlo in `tests/test_theory.py`).
# * Eq. 20. The lower bound $\tilde L_{CL} \ge d\,[\alpha^2 \log(1 + (d-1)e^{-\tau}) + (1-\alpha^2)\log d]$
#   (`cl_bound`). The paper writes $g(\mathbf D_1^i, \mathbf D_2^i) = \exp\{\tau (\sum_j (\mathbf D_1^i)_{jj})(\sum_j (\mathbf D_2^i)_{jj})\}$;
#   Eq. 18 gives $\exp\{\tau (\mathbf D_1^i)_{ii} (\mathbf D_2^i)_{ii}\}$, which we use (permutation matrices attain it
#   exactly, below).

# %% tags=["parameters"]
profile = "smoke"  # str: "smoke" (seconds) or "paper" (larger d, more samples, starts and steps)
d = None  # int: dimension d, also p and m; None takes the profile's value (smoke 6, paper 10)
alpha = 0.5  # float: mask keep probability, D_jj ~ Bernoulli(alpha) (Eq. 3)
tau = 2.0  # float: inverse temperature tau of Eq. 8 / Eq. 16
n_random = None  # int: random matrices per family; None: smoke 500, paper 2000
n_starts = None  # int: projected-gradient random starts per start family; None: smoke 16, paper 48
steps = None  # int: projected-gradient steps; None: smoke 300, paper 600
lr = 1.0  # float: projected-gradient step size
seed = 0  # int: seed of every random draw on this page

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from landscape import theory as T
from landscape.metrics import max_cosine_summary
from landscape.companion import page
from landscape.companion.page import key_numbers, save_figure, verdict

d, n_random, n_starts, steps = page.theory_profile(profile, globals(), d=(6, 10), n_random=(500, 2000),
                                                   n_starts=(16, 48), steps=(300, 600))
params = page.show_settings(profile=profile, d=d, alpha=alpha, tau=tau, n_random=n_random, n_starts=n_starts,
                            steps=steps, lr=lr, seed=seed)

gen = torch.Generator().manual_seed(seed)
I = torch.eye(d, dtype=torch.float64)
t0 = time.perf_counter()

# %% [markdown]
# ### (a) The non-contrastive loss cannot tell good from bad
#
# We draw three families of non-negative unit-column matrices — dense ($|N(0,1)|$ entries, normalised
# columns), sparse (half the entries zeroed) and permutation matrices — and two families with negative
# entries: the dense matrices with one entry negated, and generic Gaussian unit-column matrices.
# For each we compute Eq. 6 exactly and the max-cosine of Eq. 11 against the ground truth
# $\mathbf M = \mathbf I$ (rows of $\mathbf W$ are the neurons).

# %%
L_min = T.ncl_min_one_sparse(d, alpha)
dense = T.random_unit_columns(n_random, d, "abs_gaussian", generator=gen)
flipped = dense.clone()
k = torch.arange(n_random)
r = torch.randint(d, (n_random,), generator=gen)
c = torch.randint(d, (n_random,), generator=gen)
flipped[k, r, c] *= -1.0                       # one negative entry; columns keep unit norm
families = {
    "dense $\\mathcal{U}_>$": dense,
    "sparse $\\mathcal{U}_\\geq$": T.random_unit_columns(n_random, d, "sparse_nonneg", generator=gen),
    "permutations": T.permutation_matrices(n_random, d, generator=gen),
    "one entry negated": flipped,
    "generic $\\mathcal{U}$": T.random_unit_columns(n_random, d, "gaussian", generator=gen),
}
nonneg = ["dense $\\mathcal{U}_>$", "sparse $\\mathcal{U}_\\geq$", "permutations"]
negative = ["one entry negated", "generic $\\mathcal{U}$"]

ncl_gap = {name: T.ncl_loss_one_sparse(W, alpha) - L_min for name, W in families.items()}
mincos = {name: max_cosine_summary(W, I)[:, 0] for name, W in families.items()}
medcos = {name: max_cosine_summary(W, I)[:, 1] for name, W in families.items()}
min_sv = {name: torch.linalg.svdvals(W)[:, -1] for name, W in families.items()}

for name in families:
    print(f"{name:32s} max|L - L_min| = {ncl_gap[name].abs().max():.2e}   min gap = {ncl_gap[name].min():.2e}   "
          f"min max-cos: median {mincos[name].median():.3f}, max {mincos[name].max():.3f}   "
          f"smallest singular value {min_sv[name].min():.3f}")

nonneg_dev = max(float(ncl_gap[n].abs().max()) for n in nonneg)
neg_min_gap = min(float(ncl_gap[n].min()) for n in negative)
# a bad minimum: full rank (no complete or dimensional collapse) and minimum max-cosine < 0.9
minima_cos = torch.cat([mincos[n] for n in nonneg[:2]])
minima_rank = torch.cat([min_sv[n] > 1e-8 for n in nonneg[:2]])
frac_bad = float(((minima_cos < 0.9) & minima_rank).double().mean())
frac_full_rank = float(minima_rank.double().mean())
median_mincos = float(mincos[nonneg[0]].median())

v_a1 = verdict("Theorem 1(a): every sampled W in U_>= attains the minimum 2 - 2 alpha^2 of Eq. 6",
               nonneg_dev < 1e-12, f"min {L_min:.4f}; largest |L - min| {nonneg_dev:.1e} over "
               f"{3 * n_random} matrices")
v_a2 = verdict("Theorem 1(a): most of these global minima are non-collapsed yet far from the ground truth",
               frac_bad > 0.5,
               f"{100 * frac_bad:.0f}% of the dense and sparse minima have full rank and minimum "
               f"max-cosine < 0.9 ({100 * frac_full_rank:.0f}% full rank); median minimum max-cosine "
               f"{median_mincos:.2f} for the dense family")
v_a3 = verdict("a W with a negative entry does strictly worse than the minimum",
               neg_min_gap > 0, f"smallest gap {neg_min_gap:.1e} over {2 * n_random} matrices")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
bins = np.linspace(0, 1, 41)
for name, color in zip(nonneg[:2], ["C0", "C1"]):
    axes[0].hist(mincos[name].numpy(), bins=bins, alpha=0.6, color=color, label=f"{name}: minimum")
    axes[0].hist(medcos[name].numpy(), bins=bins, histtype="step", lw=1.5, color=color,
                 label=f"{name}: median")
axes[0].axvline(1.0, color="k", ls="--", lw=1, label="permutations (all = 1)")
axes[0].set(xlabel="max-cosine (Eq. 11) against M = I", ylabel="matrices",
            title=f"(a) global minima of Eq. 6, d = {d}")
axes[0].legend(fontsize=7, loc="upper left")
for name, color in zip(negative, ["C3", "C4"]):
    gaps = ncl_gap[name].numpy()
    axes[1].hist(np.log10(gaps), bins=40, alpha=0.6, color=color, label=name)
axes[1].set(xlabel="log10 (L_non-CL(W, W) - (2 - 2 alpha^2))", ylabel="matrices",
            title=f"W with negative entries (every non-negative W: gap {nonneg_dev:.1g})")
axes[1].legend(fontsize=8)
fig.tight_layout()
save_figure(fig, "theorem-1-ncl-minima", params,
            "Theorem 1(a): non-negative unit-column matrices all attain the minimum of Eq. 6 yet have "
            "low max-cosine to the ground truth; a negative entry raises the loss.", show=True);

# %% [markdown]
# ### (b) The contrastive surrogate singles out the permutations
#
# Eq. 16 computed exactly, first on the same matrices, then minimised by projected gradient descent
# ($\mathbf W \leftarrow$ normalise-columns$(\mathbf W - \eta \nabla \tilde L_{CL})$, gradient by autograd of the exact
# expectation) from random starts of two kinds: generic Gaussian (anywhere in $\mathcal U$) and
# non-negative ($\mathcal U_>$).

# %%
bound = T.cl_bound(d, alpha, tau)
cl_gap = {name: T.cl_surrogate(W, alpha, tau) - bound for name, W in families.items()}
perm_dev = float(cl_gap["permutations"].abs().max())
others = [n for n in families if n != "permutations"]
others_min_gap = min(float(cl_gap[n].min()) for n in others)
for name in families:
    print(f"{name:32s} L~ - bound: min {cl_gap[name].min():.2e}, median {cl_gap[name].median():.3f}")

starts = {"Gaussian starts": T.random_unit_columns(n_starts, d, "gaussian", generator=gen),
          "non-negative starts": T.random_unit_columns(n_starts, d, "abs_gaussian", generator=gen)}
runs = {}
for name, W0 in starts.items():
    W_end, hist = T.minimize_cl_surrogate(W0, alpha, tau, lr=lr, steps=steps, record_every=5)
    gap = hist[-1] - bound
    R = torch.relu(W_end)
    S = R.transpose(-1, -2) @ R
    runs[name] = dict(
        W=W_end, hist=hist, gap=gap,
        perm=T.is_permutation(W_end, atol=1e-6),
        mincos=max_cosine_summary(W_end, I)[:, 0],
        dead=(R.norm(dim=-2) < 1e-6).any(-1),                                 # a column with ReLU = 0
        shared=((S - torch.diag_embed(torch.diagonal(S, dim1=-2, dim2=-1))) > 0.5).any(-1).any(-1),
    )

at_bound = torch.cat([r["gap"] < 1e-8 for r in runs.values()])
is_perm = torch.cat([r["perm"] for r in runs.values()])
mincos_end = torch.cat([r["mincos"] for r in runs.values()])
gap_end = torch.cat([r["gap"] for r in runs.values()])
success = float(at_bound.double().mean())
for name, r in runs.items():
    stuck = ~(r["gap"] < 1e-8)
    print(f"{name}: {int((~stuck).sum())}/{n_starts} reach the bound; of the others, "
          f"{int((r['dead'] & stuck).sum())} have a dead column (all entries <= 0) and "
          f"{int((r['shared'] & stuck).sum())} have two columns sharing a coordinate")

v_b1 = verdict("Theorem 1(b): permutation matrices attain the bound of Eq. 20 exactly",
               perm_dev < 1e-10, f"largest |L~(P) - bound| {perm_dev:.1e}, bound {bound:.4f}")
v_b2 = verdict("Theorem 1(b): every sampled non-permutation W sits strictly above the bound",
               others_min_gap > 0, f"smallest gap {others_min_gap:.3f} over {4 * n_random} matrices, "
               "including all the non-negative minima of (a)")
v_b3 = verdict("Theorem 1(b): every minimum found that attains the bound is a permutation (max-cosine 1)",
               bool(at_bound.any()) and bool((is_perm == at_bound).all())
               and bool((mincos_end[at_bound] > 1 - 1e-6).all()),
               f"{int(at_bound.sum())}/{len(at_bound)} end points at the bound, all permutations; "
               f"the {int((~at_bound).sum())} others stop at non-global stationary points, "
               f"gap >= {float(gap_end[~at_bound].min()) if (~at_bound).any() else float('nan'):.3f}")
print(f"elapsed {time.perf_counter() - t0:.1f} s")

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 3.9))
handles = []
for name, color in zip(negative + nonneg[:2], ["C3", "C4", "C0", "C1"]):   # non-negative drawn on top
    axes[0].scatter(mincos[name], ncl_gap[name], s=4, alpha=0.4, color=color, label=name, rasterized=True)
    axes[1].scatter(mincos[name], cl_gap[name], s=4, alpha=0.4, color=color, label=name, rasterized=True)
    handles.append(plt.Line2D([], [], marker="o", ls="", color=color, label=name))
handles.append(plt.Line2D([], [], marker="*", ms=10, ls="", color="k", label="permutations"))
for ax, gaps in ((axes[0], ncl_gap), (axes[1], cl_gap)):
    ax.scatter(mincos["permutations"][:1], gaps["permutations"][:1], s=80, marker="*", color="k", zorder=3)
    ax.set(xlabel="minimum max-cosine to M = I")
axes[0].set(ylabel="L_non-CL(W, W) - minimum", title="(a) non-contrastive, Eq. 6")
axes[1].set(ylabel="L~_CL(W) - bound (Eq. 20)", title="(b) contrastive surrogate, Eq. 16")
axes[0].legend(handles=handles, fontsize=7)
step_axis = np.arange(runs["Gaussian starts"]["hist"].shape[0]) * 5
for name, color in reversed(list(zip(runs, ["C4", "C0"]))):   # Gaussian starts drawn on top
    h = (runs[name]["hist"] - bound).clamp_min(1e-16).numpy()
    axes[2].semilogy(step_axis, h, color=color, lw=0.7, alpha=0.7)
    axes[2].plot([], [], color=color, label=name)
axes[2].set(xlabel="projected-gradient step", ylabel="L~_CL(W) - bound",
            title=f"(b) descent from {2 * n_starts} random starts")
axes[2].legend(fontsize=8)
fig.tight_layout()
save_figure(fig, "theorem-1-landscape", params,
            "Theorem 1: against the ground-truth alignment, the non-contrastive loss is flat on all "
            "non-negative matrices while the contrastive surrogate reaches its bound only at "
            "permutations; right: projected gradient descent on Eq. 16.", show=True);

# %% [markdown]
# ## What the numbers say
#
# With $d$ = {glue:text}`thm1_d` and $\alpha$ = {glue:text}`thm1_alpha`, every sampled non-negative
# unit-column matrix attains the non-contrastive minimum {glue:text}`thm1_ncl_min:.3f` (in the proof's
# summed scaling $2 - 2d\alpha^2$ = {glue:text}`thm1_ncl_min_sum_inner:.3f`) (holds:
# {glue:text}`thm1_a_minima`), although the dense ones have a median minimum max-cosine of only
# {glue:text}`thm1_median_mincos:.2f`, and a fraction {glue:text}`thm1_frac_far:.2f` of the sampled
# minima have full rank (no collapse of either kind) and a minimum max-cosine below 0.9 — abundant
# bad, non-collapsed global minima (holds: {glue:text}`thm1_a_far`). A single negative entry
# always raises the loss (holds: {glue:text}`thm1_a_negative_worse`). (Some sparse samples repeat a
# column: those minima are dimensionally collapsed, and are not counted as bad non-collapsed ones.)
#
# The contrastive surrogate separates them: permutations attain the bound {glue:text}`thm1_cl_bound:.3f`
# exactly (holds: {glue:text}`thm1_b_perm_bound`), every other sampled matrix is at least
# {glue:text}`thm1_cl_min_gap:.3f` above it (holds: {glue:text}`thm1_b_others_above`), and every projected
# gradient descent run that reached the bound ended at a permutation matrix (holds:
# {glue:text}`thm1_b_minima_are_perms`).
#
# **Finding: Eq. 16 has non-global local minima.** Only a fraction {glue:text}`thm1_pgd_success:.2f` of
# the random starts reach the bound. The others stop at stationary points of two kinds: a *dead
# column* (all its entries $\le 0$, so $\mathrm{ReLU}$ zeroes it and its gradient vanishes — a flat region) or two
# columns that settle on the same coordinate (moving one away first increases its overlap with a
# neighbour). Theorem 1(b) is a statement about global minima only, so this does not contradict it;
# it does mean the contrastive landscape is not benign for gradient descent from arbitrary starts.

# %% tags=["nbval-check-output"]
key_numbers({
    "thm1_d": d,
    "thm1_alpha": alpha,
    "thm1_ncl_min": L_min,
    "thm1_ncl_min_sum_inner": T.ncl_min_one_sparse(d, alpha, "sum_inner"),
    "thm1_median_mincos": median_mincos,
    "thm1_frac_far": frac_bad,
    "thm1_cl_bound": bound,
    "thm1_cl_min_gap": others_min_gap,
    "thm1_pgd_success": success,
    "thm1_a_minima": nonneg_dev < 1e-12,
    "thm1_a_far": frac_bad > 0.5,
    "thm1_a_negative_worse": neg_min_gap > 0,
    "thm1_b_perm_bound": perm_dev < 1e-10,
    "thm1_b_others_above": others_min_gap > 0,
    "thm1_b_minima_are_perms": bool(at_bound.any()) and bool((is_perm == at_bound).all()),
}, digits=3)
