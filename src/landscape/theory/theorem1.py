"""Theorem 1 (App. A.1): d = p = m, M = I, no noise, z uniform over the d one-hot vectors,
ReLU without bias, independent Bernoulli(alpha) masks (Eq. 3): the non-contrastive loss (Eq. 6),
the contrastive surrogate (Eq. 16) and its bound (Eq. 20).

Normalisation of Eq. 6 under one-hot latents. Eq. 6 is an expectation over x = e_j with j
uniform on [d], so L_non-CL(W, W) = 2 - 2 alpha^2 (1/d) sum_j ||ReLU(W_*j)||^2, with minimum
2 - 2 alpha^2 over unit-column W (``normalization="mean"``, the default). The proof in App. A.1
instead writes the objective as sum_j (2 - 2 E<...|x = e_j>) = 2d - 2 alpha^2 sum_j ||ReLU W_*j||^2
(``normalization="sum"``, minimum 2d (1 - alpha^2), the proof's summed minimum), and bounds the
summed inner products by d alpha^2, i.e. 2 - 2 sum_j E<...> >= 2 - 2 d alpha^2
(``normalization="sum_inner"``, an affine rescaling, not the proof's summed objective). All three
are affine in the same quantity, so the minimisers agree."""
from __future__ import annotations

import itertools
import math
from typing import Sequence

import numpy as np
import torch
from torch import Tensor

from ._common import DT, Check, _probability, _square_batch, _threads


def random_unit_columns(n: int, d: int, kind: str = "abs_gaussian", *,
                        generator: torch.Generator | None = None) -> Tensor:
    """``n`` random d x d matrices with unit columns, ``[n, d, d]`` (float64).

    ``abs_gaussian``: |N(0, 1)| entries (a dense element of U_>); ``gaussian``: N(0, 1) entries
    (a generic element of U); ``sparse_nonneg``: |N(0, 1)| entries with each entry kept with
    probability 1/2 (at least one per column), an element of U_>= with zeros.
    """
    G = torch.randn(n, d, d, generator=generator, dtype=DT)
    if kind == "abs_gaussian":
        W = G.abs()
    elif kind == "gaussian":
        W = G
    elif kind == "sparse_nonneg":
        keep = torch.rand(n, d, d, generator=generator, dtype=DT) < 0.5
        top = G.abs().argmax(dim=-2, keepdim=True)
        keep.scatter_(-2, top, True)
        W = G.abs() * keep
    else:
        raise ValueError(f"unknown kind {kind!r}; valid: abs_gaussian, gaussian, sparse_nonneg")
    return W / W.norm(dim=-2, keepdim=True)


def permutation_matrices(n: int, d: int, *, generator: torch.Generator | None = None) -> Tensor:
    """``n`` uniformly random d x d permutation matrices, ``[n, d, d]`` (float64)."""
    idx = torch.rand(n, d, generator=generator, dtype=DT).argsort(dim=-1)
    return torch.nn.functional.one_hot(idx, d).to(DT)


def is_permutation(W: Tensor, atol: float = 1e-6) -> Tensor:
    """Whether each ``[..., d, d]`` matrix is within ``atol`` (max entry) of a permutation matrix."""
    return distance_to_permutation(W) <= atol


def distance_to_permutation(W: Tensor) -> Tensor:
    """Max-entry distance from W to the permutation matrix that keeps, in each column, the
    largest entry (the nearest one when W is close to a permutation). ``[...]``."""
    P = torch.zeros_like(W)
    P.scatter_(-2, W.argmax(dim=-2, keepdim=True), 1.0)
    dist = (W - P).abs().amax(dim=(-2, -1))
    # a column-wise argmax that repeats a row is not a permutation
    rows_hit = P.sum(dim=-1)
    return torch.where((rows_hit == 1).all(dim=-1), dist, torch.full_like(dist, float("inf")))


def ncl_loss_one_sparse(W: Tensor, alpha: float, normalization: str = "mean") -> Tensor:
    """Eq. (6) L_non-CL(W, W) exactly, under Theorem 1's setting (M = I, no noise, x = e_j with
    j uniform, independent Bernoulli(alpha) masks, ReLU without bias). ``W [..., d, d]``.

    <ReLU(W D1 e_j), ReLU(W D2 e_j)> = D1_jj D2_jj ||ReLU(W_*j)||^2 and E[D1_jj D2_jj] = alpha^2,
    so ``mean``: 2 - 2 alpha^2 (1/d) sum_j ||ReLU(W_*j)||^2; ``sum`` (App. A.1's proof):
    sum_j (2 - 2 alpha^2 ||ReLU(W_*j)||^2); ``sum_inner``: 2 - 2 alpha^2 sum_j ||ReLU(W_*j)||^2
    (the proof's bound d alpha^2 on the summed inner products). See the module docstring.
    """
    s = torch.relu(W).pow(2).sum(dim=-2)  # [..., d]: ||ReLU(W_*j)||^2
    if normalization == "mean":
        return 2.0 - 2.0 * alpha ** 2 * s.mean(dim=-1)
    if normalization == "sum":
        return (2.0 - 2.0 * alpha ** 2 * s).sum(dim=-1)
    if normalization == "sum_inner":
        return 2.0 - 2.0 * alpha ** 2 * s.sum(dim=-1)
    raise ValueError(f"unknown normalization {normalization!r}; valid: mean, sum, sum_inner")


def ncl_min_one_sparse(d: int, alpha: float, normalization: str = "mean") -> float:
    """The minimum of Eq. (6) over unit-column W (App. A.1): 2 - 2 alpha^2 (``mean``),
    2d - 2 d alpha^2 (``sum``) or 2 - 2 d alpha^2 (``sum_inner``)."""
    if normalization == "mean":
        return 2.0 - 2.0 * alpha ** 2
    if normalization == "sum":
        return 2.0 * d - 2.0 * d * alpha ** 2
    if normalization == "sum_inner":
        return 2.0 - 2.0 * d * alpha ** 2
    raise ValueError(f"unknown normalization {normalization!r}; valid: mean, sum, sum_inner")


_MASK_CACHE: dict[int, Tensor] = {}


def _all_masks(d: int) -> Tensor:
    """All 2^d binary vectors, ``[2^d, d]`` float64 (cached)."""
    if d not in _MASK_CACHE:
        ar = torch.arange(2 ** d)
        _MASK_CACHE[d] = ((ar[:, None] >> torch.arange(d)[None, :]) & 1).to(DT)
    return _MASK_CACHE[d]


def cl_surrogate(W: Tensor, alpha: float, tau: float, *, n_mc: int | None = None,
                 generator: torch.Generator | None = None, max_exact_d: int = 14,
                 chunk_elements: int = 20_000_000) -> Tensor:
    """Eq. (16), the contrastive surrogate L~_CL(W) under Theorem 1's setting. ``W [..., d, d]``.

    L~ = - sum_i E log[ exp(tau <r(D1^i e_i), r(D2^i e_i)>) / sum_j exp(tau <r(D1^i e_i), r(D2^j e_j)>) ]
    with r = ReLU(W .). Since W D e_j = D_jj W_*j, term i depends only on a = (D1^i)_ii and on
    c_j = (D2^j)_jj for j in [d] (c_i is the positive's mask): with S = ReLU(W)^T ReLU(W),
    term_i = log d if a = 0, else logsumexp_j(tau c_j S_ij) - tau c_i S_ii, and since c_j is 0 or 1,
    sum_j exp(tau c_j S_ij) = d + sum_j c_j (exp(tau S_ij) - 1): one matrix product per W.

    ``n_mc=None`` (default): the expectation over masks is computed exactly by enumerating the
    2^d values of c (feasible for d <= ``max_exact_d``); large batches of W are evaluated in
    chunks of at most ``chunk_elements`` entries of the ``[chunk, K, d]`` buffer.
    ``n_mc=N``: a Monte-Carlo average over N draws of c (the same draws for every i and for every W in the batch: common random numbers,
    so differences between W are smooth; pass a fixed ``generator``).
    """
    d = W.shape[-1]
    if n_mc is None and d > max_exact_d:
        raise ValueError(f"exact enumeration needs 2^d configurations; d={d} > {max_exact_d}: "
                         "pass n_mc")
    K = 2 ** d if n_mc is None else n_mc
    batch = W.shape[:-2]
    n_w = math.prod(batch)
    chunk = max(1, chunk_elements // (K * d))          # bounds the [chunk, K, d] buffer
    if n_w > chunk:
        if n_mc is not None:
            state = generator.get_state() if generator is not None else None
        parts = []
        flat = W.reshape(n_w, d, d)
        for s in range(0, n_w, chunk):
            if n_mc is not None and state is not None:
                generator.set_state(state)                # the same Monte-Carlo draws for every chunk
            parts.append(cl_surrogate(flat[s:s + chunk], alpha, tau, n_mc=n_mc, generator=generator,
                                      max_exact_d=max_exact_d, chunk_elements=chunk_elements))
        return torch.cat(parts).reshape(batch)
    R = torch.relu(W)
    S = R.transpose(-1, -2) @ R                                   # [..., d, d], S_ij = <r_i, r_j>
    if n_mc is None:
        C = _all_masks(d)                                         # [K, d]
        k = C.sum(-1)
        w = alpha ** k * (1 - alpha) ** (d - k)                   # [K]
    else:
        C = (torch.rand(n_mc, d, generator=generator, dtype=DT) < alpha).to(DT)
        w = torch.full((n_mc,), 1.0 / n_mc, dtype=DT)
    # sum_j exp(tau c_j S_ij) = d + sum_j c_j (exp(tau S_ij) - 1) since c_j is 0 or 1: a matmul
    A = torch.expm1(tau * S)                                      # [..., i, j]
    denom = d + C @ A.transpose(-1, -2)                           # [..., K, i]
    diag = torch.diagonal(S, dim1=-2, dim2=-1)                    # [..., d]
    active = torch.log(denom) - tau * C * diag[..., None, :]      # [..., K, i]
    active = (w[:, None] * active).sum(dim=-2)                    # [..., i]
    per_i = alpha * active + (1 - alpha) * math.log(d)
    return per_i.sum(dim=-1)


def cl_surrogate_bruteforce(W: Tensor, alpha: float, tau: float) -> float:
    """Eq. (16) by literal enumeration of every full mask D1^i, D2^1..D2^d (2^(d(d+1)) terms per
    i), computing ReLU(W D e_j) as a matrix product. Reference for tests; tiny d only."""
    d = W.shape[-1]
    if d > 3:
        raise ValueError("brute force is for d <= 3")
    Wn = W.detach().numpy().astype(np.float64)
    masks = [np.array(m, dtype=np.float64) for m in itertools.product([0.0, 1.0], repeat=d)]
    probs = [float(np.prod(np.where(m > 0, alpha, 1 - alpha))) for m in masks]
    eye = np.eye(d)
    # H[k, j] = ReLU(W D_k e_j) for every full mask D_k
    H = np.array([[np.maximum(Wn @ np.diag(m) @ eye[:, j], 0.0) for j in range(d)] for m in masks])
    total = 0.0
    for i in range(d):
        for k1, p1 in enumerate(probs):
            h1 = H[k1, i]
            for ks in itertools.product(range(len(masks)), repeat=d):
                p = p1 * math.prod(probs[k] for k in ks)
                sims = tau * np.array([h1 @ H[ks[j], j] for j in range(d)])
                lse = sims.max() + math.log(np.exp(sims - sims.max()).sum())
                total += -p * (sims[i] - lse)
    return total


def cl_bound(d: int, alpha: float, tau: float) -> float:
    """Eq. (20), the lower bound of L~_CL over unit-column W, in closed form.

    From Eq. (18) (positive similarity <= D1_ii D2_ii) and Eq. (19) (negative similarities
    >= 0): term_i >= log(1 + (d - 1) exp(-tau D1_ii D2_ii)); taking E over the masks,
    bound = d [alpha^2 log(1 + (d - 1) e^(-tau)) + (1 - alpha^2) log d].
    (The paper's g(D1^i, D2^i) = exp(tau (sum_j D1_jj)(sum_j D2_jj)) is read as
    exp(tau D1_ii D2_ii), which is what Eq. 18 gives.)
    """
    a2 = alpha ** 2
    return d * (a2 * math.log1p((d - 1) * math.exp(-tau)) + (1 - a2) * math.log(d))


def minimize_cl_surrogate(W0: Tensor, alpha: float, tau: float, *, lr: float = 0.5,
                          steps: int = 500, n_mc: int | None = None,
                          generator: torch.Generator | None = None,
                          record_every: int = 10, threads: int | None = 1) -> tuple[Tensor, Tensor]:
    """Projected gradient descent on Eq. (16) over unit-column W, batched over starts.

    ``W0 [R, d, d]``; each step W <- normalize_columns(W - lr * grad L~(W)). Gradients by
    autograd of :func:`cl_surrogate` (exact expectation unless ``n_mc``; a Monte-Carlo sample is
    drawn once and reused every step). Returns ``(W [R, d, d], history [n_rec, R])`` with the
    loss recorded every ``record_every`` steps (and at the end). ``threads``: CPU threads for the
    loop (1 by default: these tensors are small; ``None`` keeps torch's setting).
    """
    with _threads(threads):
        return _minimize_cl_surrogate(W0, alpha, tau, lr, steps, n_mc, generator, record_every)


def _minimize_cl_surrogate(W0, alpha, tau, lr, steps, n_mc, generator, record_every):
    W = (W0 / W0.norm(dim=-2, keepdim=True)).clone().to(DT)
    mc_gen = None
    if n_mc is not None:
        seed = int(torch.randint(2 ** 62, (1,), generator=generator).item())
        mc_gen = torch.Generator().manual_seed(seed)
    hist = []
    for step in range(steps + 1):
        W.requires_grad_(True)
        if mc_gen is not None:
            mc_gen.manual_seed(seed)
        loss = cl_surrogate(W, alpha, tau, n_mc=n_mc, generator=mc_gen)
        if step % record_every == 0 or step == steps:
            hist.append(loss.detach().clone())
        if step == steps:
            break
        (g,) = torch.autograd.grad(loss.sum(), W)
        with torch.no_grad():
            W = W - lr * g
            W = W / W.norm(dim=-2, keepdim=True).clamp_min(1e-300)
    return W.detach(), torch.stack(hist)


# ------------------------------------------------------------------ checks of Theorem 1 (App. A.1)
def near_permutations(n: int, d: int, scale: float, *, generator: torch.Generator | None = None) -> Tensor:
    """``n`` unit-column matrices near random permutations: P + scale |N(0, 1)| entries, columns
    normalised (non-negative, never a permutation for scale > 0). ``[n, d, d]``."""
    if scale <= 0:
        raise ValueError(f"scale must be > 0, got {scale}")
    P = permutation_matrices(n, d, generator=generator)
    W = P + scale * torch.randn(n, d, d, generator=generator, dtype=DT).abs()
    return W / W.norm(dim=-2, keepdim=True)


def signed_permutations(n: int, d: int, *, generator: torch.Generator | None = None) -> Tensor:
    """``n`` random signed permutation matrices with at least one entry -1 (so none is a
    permutation): unit columns, one of the sets Theorem 1(b) must exclude. ``[n, d, d]``."""
    P = permutation_matrices(n, d, generator=generator)
    signs = torch.where(torch.rand(n, d, generator=generator, dtype=DT) < 0.5, -1.0, 1.0).to(DT)
    first = torch.randint(d, (n,), generator=generator)
    signs[torch.arange(n), first] = -1.0
    return P * signs[:, None, :]


def unit_columns(W: Tensor, *, nonnegative: bool = False, atol: float = 1e-12) -> Tensor:
    """Theorem 1's premise for each ``[..., d, d]`` matrix: every column has unit norm (the set
    U), and with ``nonnegative`` every entry is >= 0 (U_>=). ``[...]`` booleans."""
    W = _square_batch(W)
    ok = ((W.norm(dim=-2) - 1.0).abs() <= atol).all(dim=-1)
    if nonnegative:
        ok = ok & (W >= 0).all(dim=-1).all(dim=-1)
    return ok


def ncl_loss_enumerated(W: Tensor, alpha: float, *, chunk_elements: int = 20_000_000) -> Tensor:
    """Eq. (6) under Theorem 1's setting by direct enumeration, without the closed form's algebra:
    every latent x = e_j (probability 1/d) and every full mask pair (D1, D2) (probability
    alpha^|D1| (1 - alpha)^(d - |D1|) times the same for D2), with ReLU(W D x) computed as a
    matrix product. Since D1 and D2 are independent, the pair sum factorises exactly:
    sum_{D1, D2} p(D1) p(D2) <h(D1), h(D2)> = <sum_D p(D) h(D), sum_D p(D) h(D)>, so the 4^d
    pairs cost 2^d products. ``W [..., d, d]`` -> ``[...]``. d <= 14."""
    W = _square_batch(W)
    alpha = _probability(alpha, "alpha")
    d = W.shape[-1]
    if d > 14:
        raise ValueError(f"W: enumerating 2^d masks needs d <= 14, got d={d}")
    batch = W.shape[:-2]
    flat = W.reshape(-1, d, d)
    masks = _all_masks(d)                                              # [K, d]
    k = masks.sum(-1)
    prob = alpha ** k * (1 - alpha) ** (d - k)                         # [K]
    X = masks[:, None, :] * torch.eye(d, dtype=DT)[None]              # [K, j, d]: D e_j
    per = max(1, chunk_elements // (masks.shape[0] * d * d))
    out = []
    for s in range(0, flat.shape[0], per):
        H = torch.relu(torch.einsum("nab,kjb->nkja", flat[s:s + per], X))   # ReLU(W D e_j)
        Eh = torch.einsum("k,nkja->nja", prob, H)                          # E_D ReLU(W D e_j)
        out.append(2.0 - 2.0 * (Eh * Eh).sum(-1).mean(-1))                 # mean over x = e_j
    return torch.cat(out).reshape(batch)


def check_ncl_minima(W_nonneg: Tensor, W_other: Tensor, alpha: float, *,
                     loss=ncl_loss_enumerated, minimum: float | None = None,
                     atol: float = 1e-12) -> Check:
    """Theorem 1(a): every W in U_>= is a global minimiser of Eq. (6) over U.

    ``W_nonneg``: samples claimed to lie in U_>= (the premise is checked: unit columns, entries
    >= 0); ``W_other``: samples of U (unit columns checked). With ``loss`` (default: direct
    enumeration, :func:`ncl_loss_enumerated`) it holds iff the premise holds for every sample,
    every W in U_>= has the same loss, no sample of U does better, and that value is App. A.1's
    minimum ``minimum`` (default :func:`ncl_min_one_sparse`, 2 - 2 alpha^2), all within ``atol``.
    Numbers: ``premise_failures``, ``spread``, ``below_others``, ``vs_closed_form``."""
    W_nonneg, W_other = _square_batch(W_nonneg, "W_nonneg"), _square_batch(W_other, "W_other")
    d = W_nonneg.shape[-1]
    low = ncl_min_one_sparse(d, alpha) if minimum is None else float(minimum)
    fails = int((~unit_columns(W_nonneg, nonnegative=True)).sum() + (~unit_columns(W_other)).sum())
    L = loss(W_nonneg, alpha).reshape(-1)
    Lo = loss(W_other, alpha).reshape(-1)
    spread = float(L.max() - L.min())
    below = float(L.max() - Lo.min())          # > 0: a sample of U does better than a minimiser
    vs = float((L - low).abs().max())
    holds = fails == 0 and spread <= atol and below <= atol and vs <= atol
    return Check(holds, vs, dict(premise_failures=fails, spread=spread, below_others=below,
                                 vs_closed_form=vs, minimum=low, n=int(L.numel())))


def check_negative_entries_worse(W_neg: Tensor, alpha: float, *, loss=ncl_loss_enumerated,
                                 minimum: float | None = None, atol: float = 1e-12) -> Check:
    """The converse of Theorem 1(a) within U (App. A.1, equality iff ReLU keeps every column):
    every W in U with a negative entry has Eq. (6) strictly above the minimum. Premise checked:
    unit columns and at least one negative entry. Value: the smallest gap."""
    W_neg = _square_batch(W_neg, "W_neg")
    low = ncl_min_one_sparse(W_neg.shape[-1], alpha) if minimum is None else float(minimum)
    fails = int((~(unit_columns(W_neg) & (W_neg < 0).flatten(-2).any(-1))).sum())
    gap = float((loss(W_neg, alpha) - low).min())
    return Check(fails == 0 and gap > atol, gap, dict(premise_failures=fails, min_gap=gap))


def check_far_minima(W: Tensor, *, threshold: float = 0.9, fraction: float = 0.5,
                     rank_tol: float = 1e-8) -> Check:
    """Theorem 1(a)'s reading (Sec. 5.1): most global minima are neither collapsed (full rank)
    nor close to the ground truth M = I (minimum max-cosine, Eq. 11, below ``threshold``).
    Holds iff that fraction of ``W`` exceeds ``fraction``. Numbers: ``frac_far``,
    ``frac_full_rank``, ``median_mincos``."""
    from ..metrics import max_cosine_summary
    W = _square_batch(W).reshape(-1, W.shape[-1], W.shape[-1])
    mincos = max_cosine_summary(W, torch.eye(W.shape[-1], dtype=DT))[:, 0]
    full = torch.linalg.svdvals(W)[:, -1] > rank_tol
    frac = float(((mincos < threshold) & full).double().mean())
    return Check(frac > fraction, frac, dict(frac_far=frac, frac_full_rank=float(full.double().mean()),
                                             median_mincos=float(mincos.median())))


def check_bound_attained(P: Tensor, alpha: float, tau: float, *, surrogate=cl_surrogate,
                         bound=cl_bound, atol: float = 1e-10) -> Check:
    """Theorem 1(b), first half: permutation matrices attain Eq. (20)'s bound of Eq. (16).
    Premise checked: every ``P`` is a permutation. Value: the largest |L~(P) - bound|."""
    P = _square_batch(P, "P")
    fails = int((~is_permutation(P, atol=0.0)).sum())
    dev = float((surrogate(P, alpha, tau) - bound(P.shape[-1], alpha, tau)).abs().max())
    return Check(fails == 0 and dev <= atol, dev, dict(premise_failures=fails, max_dev=dev))


def check_strictly_above(W: Tensor, alpha: float, tau: float, *, surrogate=cl_surrogate,
                         bound=cl_bound, atol: float = 1e-10) -> Check:
    """Theorem 1(b), second half: every W in U that is not a permutation has Eq. (16) strictly
    above the bound (Eq. 20). Premise checked: unit columns. Value: the smallest gap; holds iff
    every gap exceeds ``atol`` (the tolerance within which :func:`check_bound_attained` calls
    the bound attained, so rounding cannot count as "above")."""
    W = _square_batch(W)
    fails = int((~unit_columns(W)).sum())
    gap = float((surrogate(W, alpha, tau) - bound(W.shape[-1], alpha, tau)).min())
    return Check(fails == 0 and gap > atol, gap, dict(premise_failures=fails, min_gap=gap))


def check_minima_are_permutations(W_end: Tensor, gap: Tensor, *, at_bound: float = 1e-8,
                                  atol: float = 1e-6) -> Check:
    """Theorem 1(b) on the end points of projected gradient descent: at least one run reaches
    the bound (``gap`` = L~ - bound < ``at_bound``) and every one that does is a permutation
    (max entry within ``atol``). Numbers: ``n_at_bound``, ``n_not_permutation``."""
    W_end = _square_batch(W_end, "W_end")
    hit = gap < at_bound
    bad = int((hit & ~is_permutation(W_end, atol=atol)).sum())
    return Check(bool(hit.any()) and bad == 0, float(hit.double().mean()),
                 dict(n_at_bound=int(hit.sum()), n_not_permutation=bad, n=int(hit.numel())))


def cl_batch_loss_mc(W: Tensor, alpha: float, tau: float, batch: int, n: int, *,
                     generator: torch.Generator | None = None) -> tuple[float, float]:
    """Eq. (8) with a finite batch of ``batch`` negatives, minus log ``batch``, by Monte Carlo
    over ``n`` draws, under Theorem 1's setting (x = e_i, i uniform; negatives x' = e_j with j
    uniform on [d] minus {i}, x' != x as in Sec. 3; every view its own Eq. 3 mask).
    Since W D e_j = D_jj W_*j, S+ = a c S_ii and S- = a c'_k S_ij with a, c, c'_k ~
    Bernoulli(alpha) and S = ReLU(W)^T ReLU(W). Returns ``(estimate, standard error)``."""
    W = _square_batch(W)
    if W.ndim != 2:
        raise ValueError(f"W must be one d x d matrix, got shape {tuple(W.shape)}")
    if batch < 1 or n < 2:
        raise ValueError(f"batch must be >= 1 and n >= 2, got batch={batch}, n={n}")
    d = W.shape[-1]
    R = torch.relu(W)
    S = R.T @ R
    i = torch.randint(d, (n,), generator=generator)
    a = (torch.rand(n, generator=generator, dtype=DT) < alpha).to(DT)
    c = (torch.rand(n, generator=generator, dtype=DT) < alpha).to(DT)
    j = torch.randint(d - 1, (n, batch), generator=generator)
    j = j + (j >= i[:, None]).long()                                    # uniform on [d] \ {i}
    cn = (torch.rand(n, batch, generator=generator, dtype=DT) < alpha).to(DT)
    pos = tau * a * c * S[i, i]
    neg = tau * a[:, None] * cn * S[i[:, None], j]
    per = torch.logsumexp(torch.cat([pos[:, None], neg], dim=1), dim=1) - pos - math.log(batch)
    return float(per.mean()), float(per.std() / math.sqrt(n))


def cl_large_batch_limit(W: Tensor, alpha: float, tau: float) -> Tensor:
    """The limit of Eq. (8) minus log|B| as |B| -> infinity (App. A.1's law-of-large-numbers
    step), exactly: -tau alpha^2 mean_i S_ii + alpha mean_i log(1 - alpha + alpha/(d - 1)
    sum_{j != i} exp(tau S_ij)), S = ReLU(W)^T ReLU(W), negatives x' != x. ``[...]``."""
    W = _square_batch(W)
    d = W.shape[-1]
    R = torch.relu(W)
    S = R.transpose(-1, -2) @ R
    diag = torch.diagonal(S, dim1=-2, dim2=-1)
    off = torch.exp(tau * S).sum(-1) - torch.exp(tau * diag)
    return (-tau * alpha ** 2 * diag + alpha * torch.log(1 - alpha + alpha * off / (d - 1))).mean(-1)


def cl_large_batch_minimum(d: int, alpha: float, tau: float) -> float:
    """The minimum of :func:`cl_large_batch_limit` over U: -tau alpha^2 (for every d), since
    S_ii <= 1 (Eq. 18) and S_ij >= 0 (Eq. 19); attained exactly at the permutation matrices.
    (Same signature as :func:`cl_bound`.)"""
    return -tau * alpha ** 2


def check_surrogate_offset(W: Tensor, alpha: float, tau: float, *, tol: float = 1e-6) -> Check:
    """Eq. (15)'s step read as an identity: the large-batch limit of Eq. (8) minus log|B|
    (:func:`cl_large_batch_limit`) equals Eq. (16) / d minus log d up to a constant. Value: the
    spread (max - min) over ``W`` of limit - (L~ / d - log d); holds iff <= ``tol``. Numbers:
    ``min_offset``, ``max_offset``."""
    W = _square_batch(W)
    d = W.shape[-1]
    off = cl_large_batch_limit(W, alpha, tau) - (cl_surrogate(W, alpha, tau) / d - math.log(d))
    spread = float(off.max() - off.min())
    return Check(spread <= tol, spread, dict(min_offset=float(off.min()), max_offset=float(off.max())))


def check_batch_convergence(estimates: Sequence[float], ses: Sequence[float], limit: float, *,
                            z: float = 5.0) -> Check:
    """Eq. (8) minus log|B| approaches its large-batch limit: over growing |B| (Monte-Carlo
    ``estimates`` with standard errors ``ses``, :func:`cl_batch_loss_mc`), the first deviation
    from ``limit`` is significant (> ``z`` standard errors) and the last is not (<= ``z``
    standard errors). Value: the last |estimate - limit|."""
    est = np.asarray(estimates, dtype=np.float64)
    se = np.asarray(ses, dtype=np.float64)
    if est.ndim != 1 or est.size < 2 or se.shape != est.shape:
        raise ValueError("estimates and ses must be equal-length 1-d sequences, at least two batch sizes")
    dev = np.abs(est - float(limit))
    holds = bool(dev[0] > z * se[0] and dev[-1] <= z * se[-1])
    return Check(holds, float(dev[-1]), dict(first=float(dev[0]), last=float(dev[-1]),
                                             first_z=float(dev[0] / se[0]), last_z=float(dev[-1] / se[-1])))
