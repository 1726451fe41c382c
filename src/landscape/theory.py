"""Closed forms and reusable numerics for the paper's theorems (Sec. 5, App. A.1, C.1-C.3, D).

Everything here works in float64 and is deterministic given its inputs (random starts take an
explicit ``torch.Generator`` / ``numpy.random.Generator``). The iterative routines run on one CPU
thread unless given ``threads=`` (their tensors are small; extra threads only add overhead).

* Theorem 1 (App. A.1): d = p = m, M = I, no noise, z uniform over the d one-hot vectors
  e_1..e_d, ReLU without bias, independent Bernoulli(alpha) masks (Eq. 3).
  :func:`ncl_loss_one_sparse` (Eq. 6), :func:`ncl_min_one_sparse`, :func:`cl_surrogate`
  (Eq. 16), :func:`cl_bound` (Eq. 20), :func:`minimize_cl_surrogate` (projected gradient descent
  over unit-column W), :func:`random_unit_columns`, :func:`permutation_matrices`.
* Theorem 2 and Corollary 1 (App. C.1): linear dual networks, gradient descent with weight decay
  on Eq. 12. :func:`linear_ncl_loss`, :func:`expected_linear_grad`,
  :func:`linear_gd_coefficients`, :func:`linear_gd_exact`, :func:`linear_gd_dataset`,
  :func:`linear_gd_minibatch`, :func:`predict_linear_gd`,
  :func:`best_combination_max_cosine`, :func:`latent_second_moment`.
* Theorem 3 (App. C.2-C.3): SReLU network, M = I, fixed bias, row normalisation, alternating
  optimisation. :func:`srelu_ncl_loss_exact` (Eq. 13/23, exact expectation by enumeration),
  :func:`srelu_ncl_loss_linearized` (the closed form derived in App. C.3),
  :func:`theorem3_bias_range` (Assumption 3), :func:`alternating_optimization`.
* Lemma 1 (App. D): :func:`lemma1_fixed_point`, :func:`lemma1_rate`, :func:`lemma1_iterate`.

Normalisation of Eq. 6 under one-hot latents. Eq. 6 is an expectation over x = e_j with j
uniform on [d], so L_non-CL(W, W) = 2 - 2 alpha^2 (1/d) sum_j ||ReLU(W_*j)||^2, with minimum
2 - 2 alpha^2 over unit-column W (``normalization="mean"``, the default). The proof in App. A.1
instead writes the objective as sum_j (2 - 2 E<...|x = e_j>) = 2d - 2 alpha^2 sum_j ||ReLU W_*j||^2
(``normalization="sum"``, minimum 2d - 2 d alpha^2), and bounds the summed inner products by
d alpha^2, i.e. 2 - 2 sum_j E<...> >= 2 - 2 d alpha^2 (``normalization="sum_inner"``). All three
are affine in the same quantity, so the minimisers agree.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from torch import Tensor

from .metrics import max_cosine_summary

DT = torch.float64

__all__ = [
    # Theorem 1
    "ncl_loss_one_sparse", "ncl_min_one_sparse", "cl_surrogate", "cl_bound",
    "cl_surrogate_bruteforce", "minimize_cl_surrogate", "random_unit_columns",
    "permutation_matrices", "is_permutation", "distance_to_permutation",
    # Theorem 2 / Corollary 1
    "latent_second_moment", "linear_ncl_loss", "expected_linear_grad", "linear_gd_coefficients",
    "linear_gd_coefficients_closed_form", "linear_gd_exact", "linear_gd_dataset",
    "linear_gd_minibatch", "predict_linear_gd",
    "span_residual", "best_combination_max_cosine", "projected_max_cosine_summary",
    # Theorem 3
    "srelu", "srelu_ncl_loss_exact", "srelu_ncl_loss_mc", "srelu_ncl_loss_linearized",
    "srelu_ncl_grad_linearized", "theorem3_bias_range", "warm_start", "AlternationResult",
    "alternating_optimization",
    # Lemma 1
    "lemma1_fixed_point", "lemma1_rate", "lemma1_asymptotic_rate", "lemma1_iterate",
]


# =============================================================================== Theorem 1
def _threads(n: int | None):
    """``landscape.train.num_threads(n)``, or a no-op for ``None``."""
    import contextlib

    from .train import num_threads
    return contextlib.nullcontext() if n is None else num_threads(n)


def _one_thread_by_default(fn):
    """Run ``fn`` under :func:`_threads` with ``threads`` taken from its keyword (default 1)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, threads: int | None = 1, **kwargs):
        with _threads(threads):
            return fn(*args, **kwargs)
    return wrapper


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


# =============================================================================== Theorem 2
def latent_second_moment(d: int, p_sparse: float, scheme: str = "bernoulli") -> float:
    """kappa = E[z_i^2], the scalar with E[z z^T] = kappa I, for a latent scheme of
    :func:`landscape.data.sample_latents` (or ``bernoulli``: App. C.1 / Assumption 1, each
    coordinate +-1 with probability p_sparse/2 each, no re-draw, kappa = p_sparse = 2 p_z).

    ``paper`` re-draws all-zero vectors, so kappa = p_sparse / (1 - (1 - p_sparse)^d);
    ``one_hot`` gives 1/d. ``code`` (fixed counts of -1 and +1) has non-zero off-diagonal
    E[z_i z_j], so E[z z^T] is not a multiple of I and App. C.1's recursion does not apply.
    """
    if scheme == "bernoulli":
        return float(p_sparse)
    if scheme == "paper":
        return float(p_sparse / (1.0 - (1.0 - p_sparse) ** d))
    if scheme == "one_hot":
        return 1.0 / d
    if scheme == "code":
        raise ValueError("the 'code' latent scheme has E[z_i z_j] != 0 for i != j: E[z z^T] is not "
                         "kappa I, so Theorem 2's scalar recursion does not apply")
    raise ValueError(f"unknown latent scheme {scheme!r}; valid: bernoulli, paper, one_hot, code")


def _second_moment(M: Tensor, kappa: float, sigma0: float) -> Tensor:
    """E[x x^T] = kappa M M^T + sigma0^2 I_p (App. C.1)."""
    p = M.shape[-2]
    return kappa * M @ M.transpose(-1, -2) + sigma0 ** 2 * torch.eye(p, dtype=M.dtype)


def linear_ncl_loss(Wo: Tensor, Wt: Tensor, M: Tensor, alpha: float, kappa: float,
                    sigma0: float) -> Tensor:
    """Eq. (12) exactly: 2 - 2 E<Wo D1 x, Wt D2 x> = 2 - 2 alpha^2 tr(Wo Sigma Wt^T) with
    Sigma = kappa M M^T + sigma0^2 I (independent masks, E[D] = alpha I; kappa = E z_i^2)."""
    S = _second_moment(M, kappa, sigma0)
    return 2.0 - 2.0 * alpha ** 2 * ((Wo @ S) * Wt).sum(dim=(-2, -1))


def expected_linear_grad(Wo: Tensor, Wt: Tensor, M: Tensor, alpha: float, kappa: float,
                         sigma0: float) -> tuple[Tensor, Tensor]:
    """App. C.1: grad_Wo L = -2 alpha^2 Wt (kappa M M^T + sigma0^2 I) and, by symmetry,
    grad_Wt L = -2 alpha^2 Wo (kappa M M^T + sigma0^2 I). (kappa = 2 p_z in the paper.)"""
    S = _second_moment(M, kappa, sigma0)
    return -2.0 * alpha ** 2 * Wt @ S, -2.0 * alpha ** 2 * Wo @ S


def _schedule(x: float | Sequence[float], T: int, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(T, float(arr))
    if arr.shape != (T,):
        raise ValueError(f"{name} must be a scalar or have length T={T}, got shape {arr.shape}")
    return arr


def linear_gd_coefficients(eta: float | Sequence[float], lam: float | Sequence[float],
                           alpha: float, kappa: float, sigma0: float, T: int
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Theorem 2's scalars C_{1,t}, C_{2,t} for t = 0..T, by the recursion of App. C.1.

    With c_t = 2 eta_t alpha^2 (kappa + sigma0^2) (kappa = 2 p_z = E z_i^2) and
    S_t = Wo_t M + Wt_t M: S_{t+1} = (lam_t + c_t) S_t and
    Wo_{t+1} M = (lam_t - c_t) Wo_t M + c_t S_t. Writing Wo_t M = C1_t Wo_0 M + C2_t S_0:
    C1_{t+1} = (lam_t - c_t) C1_t, C2_{t+1} = (lam_t - c_t) C2_t + c_t prod_{i<t}(lam_i + c_i),
    C1_0 = 1, C2_0 = 0. Returns ``(C1 [T+1], C2 [T+1], c [T])``.

    (The same recursion with kappa = 0 gives the coefficients of the component of W orthogonal
    to the range of M, which the loss sees only through the noise.)
    """
    eta_s, lam_s = _schedule(eta, T, "eta"), _schedule(lam, T, "lam")
    c = 2.0 * eta_s * alpha ** 2 * (kappa + sigma0 ** 2)
    C1, C2 = np.empty(T + 1), np.empty(T + 1)
    C1[0], C2[0], P = 1.0, 0.0, 1.0
    for t in range(T):
        C1[t + 1] = (lam_s[t] - c[t]) * C1[t]
        C2[t + 1] = (lam_s[t] - c[t]) * C2[t] + c[t] * P
        P *= lam_s[t] + c[t]
    return C1, C2, c


def linear_gd_coefficients_closed_form(eta: float | Sequence[float], lam: float | Sequence[float],
                                       alpha: float, kappa: float, sigma0: float, t: int
                                       ) -> tuple[float, float]:
    """App. C.1's expanded form: C1_t = prod_{i<t}(lam_i - c_i),
    C2_t = sum_{j<t} c_j prod_{j<i<t}(lam_i - c_i) prod_{i<j}(lam_i + c_i).

    (The paper prints the first product as prod_{i=j}^{t-1}; unrolling its own recursion gives
    prod_{i=j+1}^{t-1}, which is what this returns — see the tests.)"""
    def first(x, name):
        arr = np.asarray(x, dtype=np.float64)
        if arr.ndim == 0:
            return np.full(t, float(arr))
        if arr.shape[0] < t:
            raise ValueError(f"{name} schedule has {arr.shape[0]} entries, fewer than t={t}")
        return arr[:t]

    eta_s, lam_s = first(eta, "eta"), first(lam, "lam")
    c = 2.0 * eta_s * alpha ** 2 * (kappa + sigma0 ** 2)
    C1 = float(np.prod(lam_s - c))
    C2 = float(sum(c[j] * np.prod(lam_s[j + 1:] - c[j + 1:]) * np.prod(lam_s[:j] + c[:j])
                   for j in range(t)))
    return C1, C2


@_one_thread_by_default
def linear_gd_exact(Wo0: Tensor, Wt0: Tensor, M: Tensor, alpha: float, kappa: float,
                    sigma0: float, eta: float | Sequence[float], lam: float | Sequence[float],
                    T: int, record: Sequence[int] | None = None) -> dict[int, tuple[Tensor, Tensor]]:
    """Theorem 2's simultaneous GD with weight decay on Eq. (12), exact expected gradients:
    Wo <- lam_t Wo - eta_t grad_Wo L, Wt <- lam_t Wt - eta_t grad_Wt L (both from the old values).
    Returns ``{t: (Wo_t, Wt_t)}`` for the steps in ``record`` (default: every step)."""
    eta_s, lam_s = _schedule(eta, T, "eta"), _schedule(lam, T, "lam")
    keep = set(range(T + 1) if record is None else record)
    Wo, Wt = Wo0.clone(), Wt0.clone()
    out = {0: (Wo.clone(), Wt.clone())} if 0 in keep else {}
    for t in range(T):
        go, gt = expected_linear_grad(Wo, Wt, M, alpha, kappa, sigma0)
        Wo, Wt = lam_s[t] * Wo - eta_s[t] * go, lam_s[t] * Wt - eta_s[t] * gt
        if t + 1 in keep:
            out[t + 1] = (Wo.clone(), Wt.clone())
    return out


@_one_thread_by_default
def linear_gd_dataset(Wo0: Tensor, Wt0: Tensor, X: Tensor, alpha: float,
                      eta: float | Sequence[float], lam: float | Sequence[float], T: int,
                      record: Sequence[int] | None = None) -> dict[int, tuple[Tensor, Tensor]]:
    """The same GD with the full-batch gradient on a fixed dataset ``X [n, p]``, masks averaged
    out exactly: E_D[D2 x x^T D1] = alpha^2 x x^T, so grad_Wo = -2 alpha^2 Wt Sigma_hat with
    Sigma_hat = X^T X / n. Isolates the finite-sample effect from the minibatch noise."""
    eta_s, lam_s = _schedule(eta, T, "eta"), _schedule(lam, T, "lam")
    keep = set(range(T + 1) if record is None else record)
    S = X.T @ X / X.shape[0]
    Wo, Wt = Wo0.clone(), Wt0.clone()
    out = {0: (Wo.clone(), Wt.clone())} if 0 in keep else {}
    for t in range(T):
        go, gt = -2.0 * alpha ** 2 * Wt @ S, -2.0 * alpha ** 2 * Wo @ S
        Wo, Wt = lam_s[t] * Wo - eta_s[t] * go, lam_s[t] * Wt - eta_s[t] * gt
        if t + 1 in keep:
            out[t + 1] = (Wo.clone(), Wt.clone())
    return out


@_one_thread_by_default
def linear_gd_minibatch(Wo0: Tensor, Wt0: Tensor, X: Tensor, alpha: float,
                        eta: float | Sequence[float], lam: float | Sequence[float], T: int,
                        batch: int, *, generator: torch.Generator | None = None,
                        record: Sequence[int] | None = None) -> dict[int, tuple[Tensor, Tensor]]:
    """The same GD with minibatch gradients of Eq. (12) on a fixed dataset ``X [n, p]``: each
    step draws ``batch`` rows without replacement and fresh independent masks (Eq. 3);
    grad_Wo = -2 Wt A2^T A1 / B, grad_Wt = -2 Wo A1^T A2 / B with A_k = D_k x (rows)."""
    from .data import draw_masks
    eta_s, lam_s = _schedule(eta, T, "eta"), _schedule(lam, T, "lam")
    keep = set(range(T + 1) if record is None else record)
    n = X.shape[0]
    Wo, Wt = Wo0.clone(), Wt0.clone()
    out = {0: (Wo.clone(), Wt.clone())} if 0 in keep else {}
    for t in range(T):
        idx = torch.randperm(n, generator=generator)[:batch]
        x = X[idx]
        m1, m2 = draw_masks(tuple(x.shape), alpha, "independent", generator=generator, dtype=X.dtype)
        A1, A2 = m1 * x, m2 * x
        C = A2.T @ A1 / x.shape[0]                 # E-hat[D2 x (D1 x)^T]
        go, gt = -2.0 * Wt @ C, -2.0 * Wo @ C.T
        Wo, Wt = lam_s[t] * Wo - eta_s[t] * go, lam_s[t] * Wt - eta_s[t] * gt
        if t + 1 in keep:
            out[t + 1] = (Wo.clone(), Wt.clone())
    return out


def predict_linear_gd(Wo0: Tensor, Wt0: Tensor, M: Tensor, C1: float, C2: float,
                      C1_perp: float | None = None, C2_perp: float | None = None) -> tuple[Tensor, Tensor]:
    """Theorem 2's prediction of the full matrices: on the range of M,
    W_t M = C1 W_0 M + C2 (Wo_0 M + Wt_0 M); on its orthogonal complement the same form with
    the kappa = 0 coefficients ``C1_perp, C2_perp`` (if None, only the range part is returned,
    i.e. the prediction of W_t M M^T). Returns ``(Wo_t, Wt_t)``."""
    P = M @ M.transpose(-1, -2)
    S0 = Wo0 + Wt0
    Wo = (C1 * Wo0 + C2 * S0) @ P
    Wt = (C1 * Wt0 + C2 * S0) @ P
    if C1_perp is not None:
        Q = torch.eye(P.shape[0], dtype=P.dtype) - P
        Wo = Wo + (C1_perp * Wo0 + C2_perp * S0) @ Q
        Wt = Wt + (C1_perp * Wt0 + C2_perp * S0) @ Q
    return Wo, Wt


def span_residual(W: Tensor, A: Tensor, B: Tensor) -> float:
    """min_{a, b} ||W - a A - b B||_F / ||W||_F: how far W is from the span of A and B."""
    basis = torch.stack([A.reshape(-1), B.reshape(-1)], dim=1)
    coef = torch.linalg.lstsq(basis, W.reshape(-1, 1)).solution
    return float((W.reshape(-1, 1) - basis @ coef).norm() / W.norm())


def projected_max_cosine_summary(W: Tensor, M: Tensor) -> Tensor:
    """Max-cosine summary (Eq. 11) of W's rows after projection onto the range of M,
    i.e. of W M against the identity: the part of W that Theorem 2 describes. ``[..., 3]``."""
    return max_cosine_summary(W @ M @ M.transpose(-1, -2), M)


def best_combination_max_cosine(A: Tensor, B: Tensor, M: Tensor, *, project: bool = False,
                                n_grid: int = 721) -> tuple[np.ndarray, np.ndarray]:
    """Corollary 1's yardstick: for each of min / median / max of Eq. (11), the best value over
    all linear combinations a A + b B, and the maximising angle.

    Eq. (11) is invariant under (a, b) -> s (a, b) for s != 0 (rows rescale, |cos| ignores the
    sign), so (a, b) = (cos th, sin th) with th in [0, pi) covers every combination: a grid of
    ``n_grid`` angles, then a bounded scalar refinement (scipy) around the best grid point.
    ``project=True`` scores the rows projected onto the range of M (see
    :func:`projected_max_cosine_summary`). Returns ``(best [3], theta [3])``.
    """
    from scipy.optimize import minimize_scalar

    summary = projected_max_cosine_summary if project else max_cosine_summary

    def score(th: np.ndarray | float) -> Tensor:
        th = torch.as_tensor(np.atleast_1d(th), dtype=A.dtype)
        W = torch.cos(th)[:, None, None] * A + torch.sin(th)[:, None, None] * B
        return summary(W, M)                                  # [n, 3]

    grid = np.linspace(0.0, math.pi, n_grid, endpoint=False)
    vals = score(grid).numpy()
    h = math.pi / n_grid
    best, theta = np.empty(3), np.empty(3)
    for k in range(3):
        i = int(vals[:, k].argmax())
        res = minimize_scalar(lambda th: -float(score(th)[0, k]), bounds=(grid[i] - h, grid[i] + h),
                              method="bounded", options={"xatol": 1e-12})
        if -res.fun >= vals[i, k]:
            best[k], theta[k] = -res.fun, res.x % math.pi
        else:
            best[k], theta[k] = vals[i, k], grid[i]
    return best, theta


# =============================================================================== Theorem 3
def srelu(u: Tensor, b: Tensor | float) -> Tensor:
    """Eq. (14): SReLU_b(u) = ReLU(u - b) - ReLU(-u - b)."""
    return torch.relu(u - b) - torch.relu(-u - b)


_STATE_CACHE: dict[tuple[int, float, float], tuple[Tensor, Tensor, Tensor]] = {}


def _joint_states(d: int, alpha: float, kappa: float) -> tuple[Tensor, Tensor, Tensor]:
    """All values of (D1 z, D2 z) under Assumption 1 (z_i = +-1 w.p. kappa/2 each, else 0) and
    independent Bernoulli(alpha) masks, with their probabilities: ``(Y1, Y2 [7^d, d], P [7^d])``.
    Per coordinate (y1, y2) takes 7 values; coordinates are independent."""
    key = (d, float(alpha), float(kappa))
    if key not in _STATE_CACHE:
        a, k = alpha, kappa
        vals = [(0, 0, 1 - k + k * (1 - a) ** 2)]
        for s in (1.0, -1.0):
            vals += [(s, s, k / 2 * a * a), (s, 0, k / 2 * a * (1 - a)), (0, s, k / 2 * (1 - a) * a)]
        y1 = torch.tensor([v[0] for v in vals], dtype=DT)
        y2 = torch.tensor([v[1] for v in vals], dtype=DT)
        pr = torch.tensor([v[2] for v in vals], dtype=DT)
        idx = torch.cartesian_prod(*[torch.arange(7)] * d) if d > 1 else torch.arange(7)[:, None]
        _STATE_CACHE[key] = (y1[idx], y2[idx], pr[idx].prod(dim=-1))
    return _STATE_CACHE[key]


def srelu_ncl_loss_exact(Wo: Tensor, Wt: Tensor, bo: Tensor, bt: Tensor, alpha: float,
                         kappa: float, max_d: int = 7) -> Tensor:
    """Eq. (13)/(23) with M = I and no noise, the expectation over z (Assumption 1) and the masks
    computed exactly by enumerating the 7^d joint values of (D1 z, D2 z). ``W [..., d, d]``,
    ``b [..., d]``: 2 - 2 E sum_i SReLU_{bo_i}(Wo_i* D1 z) SReLU_{bt_i}(Wt_i* D2 z)."""
    d = Wo.shape[-1]
    if d > max_d:
        raise ValueError(f"exact enumeration has 7^d = {7 ** d} states; use srelu_ncl_loss_mc")
    Y1, Y2, P = _joint_states(d, alpha, kappa)
    h1 = srelu(Y1 @ Wo.transpose(-1, -2), bo[..., None, :])      # [..., S, d]
    h2 = srelu(Y2 @ Wt.transpose(-1, -2), bt[..., None, :])
    return 2.0 - 2.0 * (P[:, None] * h1 * h2).sum(dim=(-2, -1))


def srelu_ncl_loss_mc(Wo: Tensor, Wt: Tensor, bo: Tensor, bt: Tensor, alpha: float, kappa: float,
                      sigma0: float, n: int, *, generator: torch.Generator | None = None
                      ) -> tuple[float, float]:
    """Eq. (13) with M = I by Monte Carlo over ``n`` samples (Assumption 1 latents, Eq. 3 masks,
    N(0, sigma0^2) noise). Returns ``(estimate, standard error)``."""
    from .data import draw_masks
    d = Wo.shape[-1]
    u = torch.rand(n, d, generator=generator, dtype=DT)
    z = (u > 1 - kappa / 2).to(DT) - (u < kappa / 2).to(DT)
    x = z + sigma0 * torch.randn(n, d, generator=generator, dtype=DT)
    m1, m2 = draw_masks((n, d), alpha, "independent", generator=generator, dtype=DT)
    s = (srelu((m1 * x) @ Wo.T, bo) * srelu((m2 * x) @ Wt.T, bt)).sum(-1)
    return float(2.0 - 2.0 * s.mean()), float(2.0 * s.std() / math.sqrt(n))


def srelu_ncl_loss_linearized(Wo: Tensor, Wt: Tensor, bo: Tensor, bt: Tensor, alpha: float,
                              kappa: float) -> Tensor:
    """App. C.3's closed form of Eq. (13) (M = I, no noise) when every unit is in the regime of
    Assumption 3 (:func:`theorem3_bias_range`):
    L = 2 - 2 alpha^2 kappa sum_i [(Wo_ii - bo_i)(Wt_ii - bt_i) + alpha^2 kappa sum_{j!=i} Wo_ij Wt_ij].
    (The paper writes W = I + Delta.) Exact in that regime, see the tests."""
    a2k = alpha ** 2 * kappa
    do, dt = torch.diagonal(Wo, dim1=-2, dim2=-1), torch.diagonal(Wt, dim1=-2, dim2=-1)
    diag = ((do - bo) * (dt - bt)).sum(-1)
    off = (Wo * Wt).sum(dim=(-2, -1)) - (do * dt).sum(-1)
    return 2.0 - 2.0 * a2k * (diag + a2k * off)


def srelu_ncl_grad_linearized(Wt: Tensor, bt: Tensor, alpha: float, kappa: float) -> Tensor:
    """App. C.3: grad_{Wo_ii} L = -2 alpha^2 kappa (Wt_ii - bt_i),
    grad_{Wo_ij} L = -2 alpha^2 kappa * alpha^2 kappa Wt_ij (j != i). (Swap roles for Wt.)"""
    a2k = alpha ** 2 * kappa
    G = -2.0 * a2k * a2k * Wt
    diag = -2.0 * a2k * (torch.diagonal(Wt, dim1=-2, dim2=-1) - bt)
    return G - torch.diag_embed(torch.diagonal(G, dim1=-2, dim2=-1)) + torch.diag_embed(diag)


def theorem3_bias_range(W: Tensor) -> tuple[Tensor, Tensor]:
    """Assumption 3 made concrete for M = I and no noise: with r_i = sum_{j!=i} |W_ij| (the
    largest |c_b| over z and D), every unit is in the linear regime of App. C.3 for all inputs
    iff r_i <= b_i <= W_ii - r_i. Returns ``(lo [d], hi [d])``; empty where lo > hi."""
    r = W.abs().sum(-1) - torch.diagonal(W, dim1=-2, dim2=-1).abs()
    return r, torch.diagonal(W, dim1=-2, dim2=-1) - r


def _normalize_rows(W: Tensor) -> Tensor:
    return W / W.norm(dim=-1, keepdim=True).clamp_min(1e-300)


def warm_start(d: int, scale: float, *, generator: torch.Generator | None = None) -> Tensor:
    """Assumption 2's warm start: row-normalised I + Delta with Delta_ij ~ scale * N(0, 1)."""
    return _normalize_rows(torch.eye(d, dtype=DT) + scale * torch.randn(d, d, generator=generator, dtype=DT))


@dataclass
class AlternationResult:
    """History of :func:`alternating_optimization`. ``phases[k]`` is ``(Wo, Wt)`` after phase k
    (phase 0 = start; odd phases update Wo, even ones Wt); ``inner_steps[k-1]`` the steps phase k
    took; ``converged[k-1]`` whether it met the tolerance; ``loss[k]`` the loss after phase k."""
    phases: list[tuple[Tensor, Tensor]]
    inner_steps: list[int]
    converged: list[bool]
    loss: list[float]

    def updated(self, k: int) -> Tensor:
        """The matrix phase k updated (Wo for odd k, Wt for even k >= 2; Wo for k = 0)."""
        return self.phases[k][0] if k % 2 == 1 or k == 0 else self.phases[k][1]


def alternating_optimization(Wo0: Tensor, Wt0: Tensor, bo: Tensor, bt: Tensor, alpha: float,
                             kappa: float, *, eta: float, alternations: int, inner_steps: int,
                             tol: float = 1e-13, normalize: bool = True, loss: str = "exact",
                             threads: int | None = 1) -> AlternationResult:
    """Theorem 3's procedure: repeat { Wo <- normalize(Wo - eta grad_Wo L) until Wo converges;
    Wt <- normalize(Wt - eta grad_Wt L) until Wt converges }, the other network under
    stop-gradient, biases fixed. ``loss``: ``exact`` (:func:`srelu_ncl_loss_exact`) or
    ``linearized`` (:func:`srelu_ncl_loss_linearized`). ``normalize=False`` drops the row
    normalisation (then a phase runs its ``inner_steps`` and stops). A phase stops when the
    largest entry change falls below ``tol`` or after ``inner_steps`` steps.
    ``alternations`` counts Wo-then-Wt rounds (2 phases each). ``threads``: CPU threads for the
    loop (1 by default: the tensors are small; ``None`` keeps torch's setting)."""
    with _threads(threads):
        return _alternate(Wo0, Wt0, bo, bt, alpha, kappa, eta, alternations, inner_steps, tol,
                          normalize, loss)


def _alternate(Wo0, Wt0, bo, bt, alpha, kappa, eta, alternations, inner_steps, tol, normalize, loss):
    fn = {"exact": srelu_ncl_loss_exact, "linearized": srelu_ncl_loss_linearized}[loss]
    Wo, Wt = Wo0.clone().to(DT), Wt0.clone().to(DT)
    res = AlternationResult([(Wo.clone(), Wt.clone())], [], [], [float(fn(Wo, Wt, bo, bt, alpha, kappa))])
    for phase in range(1, 2 * alternations + 1):
        online = phase % 2 == 1
        steps, conv = 0, False
        for steps in range(1, inner_steps + 1):
            W = (Wo if online else Wt).clone().requires_grad_(True)
            val = fn(W, Wt, bo, bt, alpha, kappa) if online else fn(Wo, W, bo, bt, alpha, kappa)
            (g,) = torch.autograd.grad(val, W)
            with torch.no_grad():
                new = W - eta * g
                if normalize:
                    new = _normalize_rows(new)
            change = float((new - W.detach()).abs().max())
            if online:
                Wo = new.detach()
            else:
                Wt = new.detach()
            if change < tol:
                conv = True
                break
        res.phases.append((Wo.clone(), Wt.clone()))
        res.inner_steps.append(steps)
        res.converged.append(conv)
        res.loss.append(float(fn(Wo, Wt, bo, bt, alpha, kappa)))
    return res


# =============================================================================== Lemma 1
def _a_vector(a: float | Sequence[float], d: int) -> np.ndarray:
    arr = np.asarray(a, dtype=np.float64)
    return np.full(d - 1, float(arr)) if arr.ndim == 0 else arr.reshape(d - 1)


def lemma1_fixed_point(a: float | Sequence[float], d: int) -> np.ndarray:
    """Lemma 1's limit: (1, a, ..., a) / sqrt(1 + (d - 1) a^2). A vector ``a`` (one entry per
    coordinate 2..d) gives (1, a_2, ..., a_d) / sqrt(1 + sum a_i^2), the form App. C.3 uses."""
    v = np.concatenate([[1.0], _a_vector(a, d)])
    return v / np.linalg.norm(v)


def lemma1_rate(a: float | Sequence[float], d: int, c: float) -> float:
    """Lemma 1's contraction constant gamma = 1 / sqrt(1 + (1 + (d - 1) a^2) c^2) (Eq. 26) for
    |v_i - a v_1| per step, given c^(t) > c."""
    s2 = 1.0 + float(np.sum(_a_vector(a, d) ** 2))
    return 1.0 / math.sqrt(1.0 + s2 * c * c)


def lemma1_asymptotic_rate(a: float | Sequence[float], d: int, c: float) -> float:
    """The exact per-step factor at the fixed point, 1 / (1 + c sqrt(1 + (d - 1) a^2)), from the
    proof's denominator with v1 + a sum v_i = sqrt(1 + (d - 1) a^2); always <= gamma."""
    s = math.sqrt(1.0 + float(np.sum(_a_vector(a, d) ** 2)))
    return 1.0 / (1.0 + c * s)


def lemma1_iterate(v0: Sequence[float], a: float | Sequence[float], c: float | Sequence[float],
                   T: int) -> np.ndarray:
    """Lemma 1's update, T steps: v_1 += c^(t), v_i += a c^(t) (i >= 2), then l2-normalise.
    ``c`` is a scalar or a length-T schedule. Returns the trajectory ``[T + 1, d]``."""
    v = np.asarray(v0, dtype=np.float64)
    d = v.shape[0]
    direction = np.concatenate([[1.0], _a_vector(a, d)])
    cs = _schedule(c, T, "c")
    out = np.empty((T + 1, d))
    out[0] = v / np.linalg.norm(v)
    for t in range(T):
        w = out[t] + cs[t] * direction
        out[t + 1] = w / np.linalg.norm(w)
    return out
