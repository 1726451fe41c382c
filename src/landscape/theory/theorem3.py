"""Theorem 3 (App. C.2-C.3): SReLU network, M = I, fixed bias, row normalisation, alternating
optimisation."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from ..data import draw_masks
from ..models import symrelu
from ._common import DT, _threads


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
    h1 = symrelu(Y1 @ Wo.transpose(-1, -2), bo[..., None, :])      # [..., S, d]
    h2 = symrelu(Y2 @ Wt.transpose(-1, -2), bt[..., None, :])
    return 2.0 - 2.0 * (P[:, None] * h1 * h2).sum(dim=(-2, -1))


def srelu_ncl_loss_mc(Wo: Tensor, Wt: Tensor, bo: Tensor, bt: Tensor, alpha: float, kappa: float,
                      sigma0: float, n: int, *, generator: torch.Generator | None = None
                      ) -> tuple[float, float]:
    """Eq. (13) with M = I by Monte Carlo over ``n`` samples (Assumption 1 latents, Eq. 3 masks,
    N(0, sigma0^2) noise). Returns ``(estimate, standard error)``."""
    d = Wo.shape[-1]
    u = torch.rand(n, d, generator=generator, dtype=DT)
    z = (u > 1 - kappa / 2).to(DT) - (u < kappa / 2).to(DT)
    x = z + sigma0 * torch.randn(n, d, generator=generator, dtype=DT)
    m1, m2 = draw_masks((n, d), alpha, "independent", generator=generator, dtype=DT)
    s = (symrelu((m1 * x) @ Wo.T, bo) * symrelu((m2 * x) @ Wt.T, bt)).sum(-1)
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


def normalize_rows(W: Tensor) -> Tensor:
    return W / W.norm(dim=-1, keepdim=True).clamp_min(1e-300)


def warm_start(d: int, scale: float, *, generator: torch.Generator | None = None) -> Tensor:
    """Assumption 2's warm start: row-normalised I + Delta with Delta_ij ~ scale * N(0, 1)."""
    return normalize_rows(torch.eye(d, dtype=DT) + scale * torch.randn(d, d, generator=generator, dtype=DT))


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
                    new = normalize_rows(new)
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
