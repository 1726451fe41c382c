"""Theorem 2 and Corollary 1 (App. C.1): linear dual networks, gradient descent with weight
decay on Eq. 12."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch
from torch import Tensor

from ..data import draw_masks
from ..metrics import max_cosine_summary
from ._common import Check, _schedule, _one_thread_by_default


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


def latent_second_moment_matrix(d: int, p_sparse: float, scheme: str = "bernoulli") -> Tensor:
    """E[z z^T] as a ``[d, d]`` matrix. ``bernoulli``, ``paper``, ``one_hot``: kappa I
    (:func:`latent_second_moment`); ``binary``: z_i in {0, 1}, independently 1 with probability
    p_sparse (the {0, 1} latents Sec. 4.1 mentions), so E[z z^T] = p(1 - p) I + p^2 1 1^T, which
    is not a multiple of I: App. C.1's E[z z^T] = 2 p_z I fails."""
    if not 0.0 < p_sparse <= 1.0:
        raise ValueError(f"p_sparse must lie in (0, 1], got {p_sparse}")
    if scheme == "binary":
        p = float(p_sparse)
        return p * (1 - p) * torch.eye(d, dtype=torch.float64) + p * p * torch.ones(d, d, dtype=torch.float64)
    return latent_second_moment(d, p_sparse, scheme) * torch.eye(d, dtype=torch.float64)


def _second_moment(M: Tensor, kappa: float | Tensor, sigma0: float) -> Tensor:
    """E[x x^T] = M E[z z^T] M^T + sigma0^2 I_p (App. C.1): ``kappa`` a scalar (E[z z^T] =
    kappa I) or the ``[d, d]`` matrix E[z z^T]."""
    p = M.shape[-2]
    if isinstance(kappa, Tensor) and kappa.ndim == 2:
        if kappa.shape != (M.shape[-1], M.shape[-1]):
            raise ValueError(f"kappa as a matrix must be [d, d] = {(M.shape[-1],) * 2}, got {tuple(kappa.shape)}")
        return M @ kappa.to(M.dtype) @ M.transpose(-1, -2) + sigma0 ** 2 * torch.eye(p, dtype=M.dtype)
    return float(kappa) * M @ M.transpose(-1, -2) + sigma0 ** 2 * torch.eye(p, dtype=M.dtype)


def linear_ncl_loss(Wo: Tensor, Wt: Tensor, M: Tensor, alpha: float, kappa: float | Tensor,
                    sigma0: float) -> Tensor:
    """Eq. (12) exactly: 2 - 2 E<Wo D1 x, Wt D2 x> = 2 - 2 alpha^2 tr(Wo Sigma Wt^T) with
    Sigma = kappa M M^T + sigma0^2 I (independent masks, E[D] = alpha I; kappa = E z_i^2)."""
    S = _second_moment(M, kappa, sigma0)
    return 2.0 - 2.0 * alpha ** 2 * ((Wo @ S) * Wt).sum(dim=(-2, -1))


def expected_linear_grad(Wo: Tensor, Wt: Tensor, M: Tensor, alpha: float, kappa: float | Tensor,
                         sigma0: float) -> tuple[Tensor, Tensor]:
    """App. C.1: grad_Wo L = -2 alpha^2 Wt (kappa M M^T + sigma0^2 I) and, by symmetry,
    grad_Wt L = -2 alpha^2 Wo (kappa M M^T + sigma0^2 I). (kappa = 2 p_z in the paper.)"""
    S = _second_moment(M, kappa, sigma0)
    return -2.0 * alpha ** 2 * Wt @ S, -2.0 * alpha ** 2 * Wo @ S


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
                                       alpha: float, kappa: float, sigma0: float, t: int,
                                       *, as_printed: bool = False) -> tuple[float, float]:
    """App. C.1's expanded form: C1_t = prod_{i<t}(lam_i - c_i),
    C2_t = sum_{j<t} c_j prod_{j<i<t}(lam_i - c_i) prod_{i<j}(lam_i + c_i).

    The paper prints the first product as prod_{i=j}^{t-1}; unrolling its own recursion gives
    prod_{i=j+1}^{t-1}, which is what this returns. ``as_printed=True`` returns the printed
    form instead (an erratum: it differs from the recursion, see the tests and Theorem 2's page)."""
    if t < 0:
        raise ValueError(f"t must be >= 0, got {t}")
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
    k = 0 if as_printed else 1
    C2 = float(sum(c[j] * np.prod(lam_s[j + k:] - c[j + k:]) * np.prod(lam_s[:j] + c[:j])
                   for j in range(t)))
    return C1, C2


@_one_thread_by_default
def linear_gd_exact(Wo0: Tensor, Wt0: Tensor, M: Tensor, alpha: float, kappa: float | Tensor,
                    sigma0: float, eta: float | Sequence[float], lam: float | Sequence[float],
                    T: int, record: Sequence[int] | None = None) -> dict[int, tuple[Tensor, Tensor]]:
    """Theorem 2's simultaneous GD with weight decay on Eq. (12), exact expected gradients:
    Wo <- lam_t Wo - eta_t grad_Wo L, Wt <- lam_t Wt - eta_t grad_Wt L (both from the old values).
    ``kappa``: E z_i^2 (E[z z^T] = kappa I), or the ``[d, d]`` matrix E[z z^T] (non-isotropic
    latents, :func:`latent_second_moment_matrix`). Returns ``{t: (Wo_t, Wt_t)}`` for the steps in ``record`` (default: every step)."""
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


# ------------------------------------------------------------------ checks of Theorem 2 (App. C.1)
Trajectory = dict  # {t: (Wo_t, Wt_t)}, as the linear_gd_* functions return


def theorem2_deviation(traj: Trajectory, Wo0: Tensor, Wt0: Tensor, M: Tensor, C1: Sequence[float],
                       C2: Sequence[float]) -> dict[int, float]:
    """Per recorded step t: the larger, over both encoders, of
    ||W_t M - (C1_t W_0 M + C2_t (Wo_0 M + Wt_0 M))|| / ||W_t M|| (Theorem 2's form)."""
    out = {}
    for t, (Wo, Wt) in sorted(traj.items()):
        if t >= len(C1) or t >= len(C2):
            raise ValueError(f"C1 and C2 must cover every recorded step; step {t} is missing")
        po, pt = predict_linear_gd(Wo0, Wt0, M, float(C1[t]), float(C2[t]))
        out[t] = max(float((Wo @ M - po @ M).norm() / (Wo @ M).norm()),
                     float((Wt @ M - pt @ M).norm() / (Wt @ M).norm()))
    return out


def check_theorem2_form(traj: Trajectory, Wo0: Tensor, Wt0: Tensor, M: Tensor, C1: Sequence[float],
                        C2: Sequence[float], *, tol: float = 1e-12) -> Check:
    """Theorem 2: W_t M = C1_t W_0 M + C2_t (Wo_0 M + Wt_0 M) at every recorded step, with the
    coefficients of App. C.1's recursion (:func:`linear_gd_coefficients`). Value: the largest
    relative deviation (:func:`theorem2_deviation`); holds iff it is <= ``tol``."""
    dev = max(theorem2_deviation(traj, Wo0, Wt0, M, C1, C2).values())
    return Check(dev <= tol, dev, dict(max_dev=dev, steps=len(traj)))


def fit_theorem2_coefficients(traj: Trajectory, Wo0: Tensor, Wt0: Tensor, M: Tensor
                              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The coefficients read off a trajectory, not from the recursion: per recorded step the
    least-squares (C1, C2) of [Wo_t M, Wt_t M] = C1 [Wo_0 M, Wt_0 M] + C2 [S_0, S_0]
    (S_0 = Wo_0 M + Wt_0 M), and the relative residual. Returns ``(C1, C2, residual)``."""
    S0 = (Wo0 + Wt0) @ M
    A = torch.stack([torch.cat([(Wo0 @ M).reshape(-1), (Wt0 @ M).reshape(-1)]),
                     torch.cat([S0.reshape(-1), S0.reshape(-1)])], dim=1)
    C1, C2, res = [], [], []
    for _, (Wo, Wt) in sorted(traj.items()):
        y = torch.cat([(Wo @ M).reshape(-1), (Wt @ M).reshape(-1)])[:, None]
        coef = torch.linalg.lstsq(A, y).solution[:, 0]
        C1.append(float(coef[0]))
        C2.append(float(coef[1]))
        res.append(float((y[:, 0] - A @ coef).norm() / y.norm()))
    return np.array(C1), np.array(C2), np.array(res)


def check_coefficient_ranges(C1: Sequence[float], C2: Sequence[float], *, resolution: float = 1e-10) -> Check:
    """Theorem 2's ranges C1_t in (0, 1) and C2_t > 0 for every t >= 1, on coefficients read off
    a trajectory (:func:`fit_theorem2_coefficients`; the first entry, t = 0, is skipped). Steps
    where |C1_t| <= ``resolution`` are not judged on C1: there the least-squares fit cannot
    tell C1 from 0 in float64 (their C2 is still checked; counted in ``unresolved``). Value:
    the number of steps outside the ranges."""
    C1, C2 = np.asarray(C1, dtype=np.float64)[1:], np.asarray(C2, dtype=np.float64)[1:]
    if C1.size == 0 or C1.shape != C2.shape:
        raise ValueError("C1 and C2 must have the same length, at least 2 (t = 0 and later steps)")
    resolved = np.abs(C1) > resolution
    ok_c1 = ~resolved | ((C1 > 0) & (C1 < 1))
    bad = int((~(ok_c1 & (C2 > 0))).sum())
    r1 = C1[resolved]
    return Check(bad == 0 and bool(resolved.any()), float(bad),
                 dict(outside=bad, unresolved=int((~resolved).sum()),
                      C1_min=float(r1.min()) if r1.size else float("nan"),
                      C1_max=float(r1.max()) if r1.size else float("nan"), C2_min=float(C2.min())))


def learned_max_cosine(traj: Trajectory, M: Tensor, *, project: bool) -> np.ndarray:
    """Eq. (11)'s min / median / max of both encoders at every recorded step, on the rows of W
    (``project=False``) or of W M M^T (``project=True``, Theorem 2's object). ``[t, 2, 3]``."""
    f = projected_max_cosine_summary if project else max_cosine_summary
    return np.array([[f(W, M).numpy() for W in traj[t]] for t in sorted(traj)])


def check_corollary1(learned: np.ndarray, best: Sequence[float], *, tol: float = 1e-9) -> Check:
    """Corollary 1: the learned encoders' max-cosine (min, median, max of Eq. 11, every recorded
    step and both encoders, ``learned [..., 3]``) never exceeds the best linear combination of
    the initialisations (``best [3]``, :func:`best_combination_max_cosine`). Value: the
    largest excess; holds iff it is <= ``tol``."""
    learned = np.asarray(learned, dtype=np.float64)
    best = np.asarray(best, dtype=np.float64)
    if learned.shape[-1] != 3 or best.shape != (3,):
        raise ValueError("learned must end in the 3 summaries (min, median, max) and best have 3 entries")
    excess = float((learned - best).max())
    return Check(excess <= tol, excess, dict(excess=excess))


def corollary1_case(p: int, d: int, m: int, alpha: float, kappa: float, sigma0: float, eta: float,
                    lam: float, steps: int, *, generator: torch.Generator, record_every: int = 50,
                    project: bool = False) -> Check:
    """Corollary 1 on one freshly drawn case of Theorem 2's setting: a column-orthonormal
    ``M [p, d]`` (QR), N(0, 1/(p d)) initialisations ``[m, p]``, exact-gradient GD for ``steps``
    steps (:func:`linear_gd_exact`), scored on full rows (``project=False``) or on W M.
    Returns :func:`check_corollary1`'s outcome, with ``best_min`` and ``learned_min``."""
    from ..data import dictionary
    if p < d:
        raise ValueError(f"p must be >= d, got p={p}, d={d}")
    M = dictionary(p, d, "qr", generator=generator)
    std = 1 / math.sqrt(p * d)
    Wo0 = std * torch.randn(m, p, generator=generator, dtype=torch.float64)
    Wt0 = std * torch.randn(m, p, generator=generator, dtype=torch.float64)
    record = sorted(set(range(0, steps + 1, record_every)) | {steps})
    traj = linear_gd_exact(Wo0, Wt0, M, alpha, kappa, sigma0, eta, lam, steps, record)
    best, _ = best_combination_max_cosine(Wo0, Wt0, M, project=project)
    learned = learned_max_cosine(traj, M, project=project)
    chk = check_corollary1(learned, best)
    return Check(chk.holds, chk.value, dict(chk.numbers, best_min=float(best[0]),
                                            learned_min=float(learned[-1, 0, 0])))


def dataset_deviation(Wo0: Tensor, Wt0: Tensor, M: Tensor, X: Tensor, alpha: float, kappa: float,
                      sigma0: float, eta: float, lam: float, steps: Sequence[int]) -> dict[int, float]:
    """How far full-batch GD on a sample ``X [n, p]`` (:func:`linear_gd_dataset`) drifts from
    Theorem 2's form, whose expectation over x (Eq. 12) the sample replaces: the relative
    deviation of :func:`theorem2_deviation` at each of ``steps``."""
    steps = sorted(int(t) for t in steps)
    if not steps or steps[0] < 0:
        raise ValueError(f"steps must be non-negative step counts, got {steps}")
    traj = linear_gd_dataset(Wo0, Wt0, X, alpha, eta, lam, steps[-1], steps)
    C1, C2, _ = linear_gd_coefficients(eta, lam, alpha, kappa, sigma0, steps[-1])
    return theorem2_deviation(traj, Wo0, Wt0, M, C1, C2)


def check_leaves_plane(traj: Trajectory, Wo0: Tensor, Wt0: Tensor, M: Tensor, *,
                       tol: float = 1e-6) -> Check:
    """Whether GD leaves the plane of Theorem 2 (span of Wo_0 M and Wt_0 M): holds iff the
    largest relative distance of Wo_t M from it (:func:`span_residual`) exceeds ``tol``."""
    res = max(span_residual(Wo @ M, Wo0 @ M, Wt0 @ M) for t, (Wo, _) in traj.items() if t > 0)
    return Check(res > tol, res, dict(span_residual=res))
