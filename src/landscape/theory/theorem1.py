"""Theorem 1 (App. A.1): d = p = m, M = I, no noise, z uniform over the d one-hot vectors,
ReLU without bias, independent Bernoulli(alpha) masks (Eq. 3): the non-contrastive loss (Eq. 6),
the contrastive surrogate (Eq. 16) and its bound (Eq. 20).

Normalisation of Eq. 6 under one-hot latents. Eq. 6 is an expectation over x = e_j with j
uniform on [d], so L_non-CL(W, W) = 2 - 2 alpha^2 (1/d) sum_j ||ReLU(W_*j)||^2, with minimum
2 - 2 alpha^2 over unit-column W (``normalization="mean"``, the default). The proof in App. A.1
instead writes the objective as sum_j (2 - 2 E<...|x = e_j>) = 2d - 2 alpha^2 sum_j ||ReLU W_*j||^2
(``normalization="sum"``, minimum 2d - 2 d alpha^2), and bounds the summed inner products by
d alpha^2, i.e. 2 - 2 sum_j E<...> >= 2 - 2 d alpha^2 (``normalization="sum_inner"``). All three
are affine in the same quantity, so the minimisers agree."""
from __future__ import annotations

import itertools
import math

import numpy as np
import torch
from torch import Tensor

from ._common import DT, _threads


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
