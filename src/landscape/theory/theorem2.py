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
from ._common import _schedule, _one_thread_by_default


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
