"""Theorem 3 (App. C.2-C.3): SReLU network, M = I, fixed bias, row normalisation, alternating
optimisation."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from torch import Tensor

from ..data import draw_masks
from ..models import symrelu
from ._common import DT, Check, _probability, _threads


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
                              kappa: float, *, as_printed: bool = False) -> Tensor:
    """App. C.3's closed form of Eq. (13) (M = I, no noise) when every unit is in the regime of
    Assumption 3 (:func:`theorem3_bias_range`):
    L = 2 - 2 alpha^2 kappa sum_i [(Wo_ii - bo_i)(Wt_ii - bt_i) + alpha^2 kappa sum_{j!=i} Wo_ij Wt_ij].
    (The paper writes W = I + Delta.) Exact in that regime, see the tests.

    ``as_printed=True``: the paper's final line read literally, with its parenthesis closing
    after the diagonal product, L = 2 - 2 alpha^2 kappa sum_i (..)(..) + alpha^2 kappa
    sum_{j != i} Wo_ij Wt_ij (an erratum: the per-summand derivation just above it gives the
    bracketed form, and the gradients the paper derives from it are those of that form)."""
    a2k = alpha ** 2 * kappa
    do, dt = torch.diagonal(Wo, dim1=-2, dim2=-1), torch.diagonal(Wt, dim1=-2, dim2=-1)
    diag = ((do - bo) * (dt - bt)).sum(-1)
    off = (Wo * Wt).sum(dim=(-2, -1)) - (do * dt).sum(-1)
    if as_printed:
        return 2.0 - 2.0 * a2k * diag + a2k * off
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
                             samples: tuple[Tensor, Tensor] | None = None,
                             threads: int | None = 1) -> AlternationResult:
    """Theorem 3's procedure: repeat { Wo <- normalize(Wo - eta grad_Wo L) until Wo converges;
    Wt <- normalize(Wt - eta grad_Wt L) until Wt converges }, the other network under
    stop-gradient, biases fixed. ``loss``: ``exact`` (:func:`srelu_ncl_loss_exact`) or
    ``linearized`` (:func:`srelu_ncl_loss_linearized`) or a callable with their signature;
    ``samples=(Y1, Y2)`` (:func:`theorem3_samples`) uses the sample average of Eq. (13) over
    those fixed draws instead (:func:`srelu_ncl_loss_sampled`, e.g. with noise). ``normalize=False`` drops the row
    normalisation (then a phase runs its ``inner_steps`` and stops). A phase stops when the
    largest entry change falls below ``tol`` or after ``inner_steps`` steps.
    ``alternations`` counts Wo-then-Wt rounds (2 phases each). ``threads``: CPU threads for the
    loop (1 by default: the tensors are small; ``None`` keeps torch's setting)."""
    with _threads(threads):
        return _alternate(Wo0, Wt0, bo, bt, alpha, kappa, eta, alternations, inner_steps, tol,
                          normalize, loss, samples)


def _alternate(Wo0, Wt0, bo, bt, alpha, kappa, eta, alternations, inner_steps, tol, normalize, loss,
               samples):
    if samples is not None:
        Y1, Y2 = samples
        fn = lambda Wo_, Wt_, bo_, bt_, a_, k_: srelu_ncl_loss_sampled(Wo_, Wt_, bo_, bt_, Y1, Y2)  # noqa: E731
    elif callable(loss):
        fn = loss
    else:
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


# ------------------------------------------------------------------ noise: a fixed sample of Eq. (13)
def theorem3_samples(n: int, d: int, alpha: float, kappa: float, sigma0: float, *,
                     generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """``n`` fixed draws of the two views (D1 x, D2 x), x = z + eps with M = I, Assumption 1
    latents, N(0, sigma0^2) noise and independent Eq. (3) masks: ``(Y1, Y2) [n, d]``."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    _probability(alpha, "alpha")
    _probability(kappa, "kappa")
    if sigma0 < 0:
        raise ValueError(f"sigma0 must be >= 0, got {sigma0}")
    u = torch.rand(n, d, generator=generator, dtype=DT)
    z = (u > 1 - kappa / 2).to(DT) - (u < kappa / 2).to(DT)
    x = z + sigma0 * torch.randn(n, d, generator=generator, dtype=DT)
    m1, m2 = draw_masks((n, d), alpha, "independent", generator=generator, dtype=DT)
    return m1 * x, m2 * x


def srelu_ncl_loss_sampled(Wo: Tensor, Wt: Tensor, bo: Tensor, bt: Tensor, Y1: Tensor, Y2: Tensor) -> Tensor:
    """Eq. (13) averaged over fixed draws ``(Y1, Y2)`` of the two views (:func:`theorem3_samples`):
    2 - 2 mean_n sum_i SReLU_bo(Wo Y1)_i SReLU_bt(Wt Y2)_i. Deterministic given the draws, so
    alternating optimisation on it converges like on the exact loss."""
    h1 = symrelu(Y1 @ Wo.transpose(-1, -2), bo[..., None, :])
    h2 = symrelu(Y2 @ Wt.transpose(-1, -2), bt[..., None, :])
    return 2.0 - 2.0 * (h1 * h2).sum(-1).mean(-1)


# ------------------------------------------------------------------ checks of Theorem 3 (App. C.2-C.3)
def phase_factor(alpha: float, kappa: float, bias: float) -> float:
    """App. C.3's per-phase factor of the off-diagonal entries with a fixed bias b:
    (1 + o(1)) alpha^2 kappa, whose (1 + o(1)) is W_ii^new / (W_ii^old - b) -> 1 / (1 - b),
    i.e. alpha^2 kappa / (1 - b)."""
    _probability(alpha, "alpha")
    _probability(kappa, "kappa")
    if not 0.0 <= bias < 1.0:
        raise ValueError(f"bias must lie in [0, 1), got {bias}")
    return alpha ** 2 * kappa / (1.0 - bias)


def theorem3_assumption3(W: Tensor, b: Tensor, alpha: float, kappa: float) -> Check:
    """Assumption 3 (App. C.2) as the paper states it, made concrete for M = I and no noise:
    (i) every unit's bias is in the range r_i <= b_i <= W_ii - r_i (:func:`theorem3_bias_range`),
    and (ii) b = o(1). A fixed bias is o(1) for the proof only if its (1 + o(1)) alpha^2 kappa
    stays a constant in (0, 1) (App. C.3's last step): (ii) is read as
    :func:`phase_factor` alpha^2 kappa / (1 - max b) < 1. Holds iff both; numbers
    ``range_ok``, ``small_bias_ok``, ``factor``."""
    lo, hi = theorem3_bias_range(W)
    range_ok = bool(((lo <= b) & (b <= hi)).all())
    factor = phase_factor(alpha, kappa, float(b.max()))
    return Check(range_ok and factor < 1.0, factor, dict(range_ok=float(range_ok),
                                                         small_bias_ok=float(factor < 1.0), factor=factor))


def assumption3_range_along_run(res: AlternationResult, b: Tensor) -> bool:
    """Whether part (i) of Assumption 3 (the range) holds for both encoders after every phase."""
    return all(bool(((theorem3_bias_range(W)[0] <= b) & (b <= theorem3_bias_range(W)[1])).all())
               for pair in res.phases for W in pair)


def _off_diag(W: Tensor) -> Tensor:
    return W - torch.diag_embed(torch.diagonal(W, dim1=-2, dim2=-1))


def measured_phase_factors(res: AlternationResult, Wt0: Tensor, *, floor: float = 1e-9) -> np.ndarray:
    """The off-diagonal entries' factor per phase, measured: for phase k the median over (i, j),
    i != j, of |U_k,ij| / |U_{k-1},ij|, where U_k is the matrix phase k updated and U_0 = Wt_0
    (which drives phase 1). Stops where the largest entry falls below ``floor`` (there the
    inner tolerance, not the dynamics, decides)."""
    U = [Wt0] + [res.updated(k) for k in range(1, len(res.phases))]
    mask = ~torch.eye(Wt0.shape[-1], dtype=torch.bool)
    out = []
    for k in range(1, len(U)):
        if float(_off_diag(U[k]).abs().max()) < floor:
            break
        out.append(float((U[k].abs() / U[k - 1].abs())[mask].median()))
    return np.array(out)


def check_phase_factor_below_one(factors: Sequence[float]) -> Check:
    """App. C.3: the off-diagonal entries shrink by a constant (1 + o(1)) alpha^2 kappa in (0, 1)
    per phase. Value: the median measured factor (:func:`measured_phase_factors`); holds iff it
    is < 1 (and there is at least one phase to measure)."""
    f = np.asarray(factors, dtype=np.float64)
    if f.size == 0:
        return Check(False, float("nan"), dict(phases=0))
    m = float(np.median(f))
    return Check(m < 1.0, m, dict(phases=int(f.size), max=float(f.max())))


def check_phase_factor_prediction(factors: Sequence[float], alpha: float, kappa: float, bias: float,
                                  *, rtol: float = 1e-3) -> Check:
    """The companion's prediction of that factor, alpha^2 kappa / (1 - b) (:func:`phase_factor`):
    holds iff the median measured factor is within ``rtol`` (relative) of it."""
    f = np.asarray(factors, dtype=np.float64)
    pred = phase_factor(alpha, kappa, bias)
    rel = float(abs(np.median(f) / pred - 1)) if f.size else float("inf")
    return Check(rel <= rtol, rel, dict(predicted=pred, relative_error=rel))


def distance_to_identity(res: AlternationResult) -> np.ndarray:
    """max |W - I| over both encoders after every phase. ``[phases + 1]``."""
    I = torch.eye(res.phases[0][0].shape[-1], dtype=DT)
    return np.array([max(float((Wo - I).abs().max()), float((Wt - I).abs().max())) for Wo, Wt in res.phases])


def check_converges(res: AlternationResult, *, tol: float = 1e-8) -> Check:
    """Theorem 3's conclusion on one run: every phase converged and both encoders end within
    ``tol`` of I (max entry). Value: the final distance."""
    dist = float(distance_to_identity(res)[-1])
    return Check(dist < tol and all(res.converged), dist, dict(final=dist, all_converged=float(all(res.converged))))


def check_stalls(res: AlternationResult, *, shrink: float = 0.5) -> Check:
    """A run that does not converge: its final distance to I is at least ``shrink`` times its
    starting one. Value: final / start distance."""
    dist = distance_to_identity(res)
    ratio = float(dist[-1] / dist[0])
    return Check(ratio >= shrink, ratio, dict(start=float(dist[0]), final=float(dist[-1])))


def check_ends_near_identity(res: AlternationResult, *, shrink: float = 0.1) -> Check:
    """A run that ends near I: its final distance to I is at most ``shrink`` times its starting
    one (the noisy case, whose fixed point is not exactly I). Value: final / start distance."""
    dist = distance_to_identity(res)
    ratio = float(dist[-1] / dist[0])
    return Check(ratio <= shrink, ratio, dict(start=float(dist[0]), final=float(dist[-1])))


def reached(W: Tensor, *, atol: float = 1e-6) -> dict[str, bool]:
    """Where a run ended: ``identity`` (max |W - I| <= atol), ``permutation`` (a permutation of I,
    max entry within atol) and ``signed_permutation`` (|W| a permutation: SReLU is odd, so a
    row -e_j serves as well as e_j)."""
    from .theorem1 import is_permutation
    I = torch.eye(W.shape[-1], dtype=DT)
    return dict(identity=bool((W - I).abs().max() <= atol),
                permutation=bool(is_permutation(W, atol=atol)),
                signed_permutation=bool(is_permutation(W.abs(), atol=atol)))


def phase_lemma1_deviation(res: AlternationResult, Wt0: Tensor, bias: float, alpha: float, kappa: float) -> float:
    """App. C.3's use of Lemma 1: phase 1 ends, row by row, at :func:`lemma1_fixed_point` with
    a_j = alpha^2 kappa Wt0_ij / (Wt0_ii - b). Returns the largest entry deviation."""
    from .lemma1 import lemma1_fixed_point
    d = Wt0.shape[-1]
    a2k = alpha ** 2 * kappa
    dev = 0.0
    for i in range(d):
        others = [j for j in range(d) if j != i]
        v = lemma1_fixed_point([a2k * float(Wt0[i, j]) / (float(Wt0[i, i]) - bias) for j in others], d)
        row = res.phases[1][0][i].numpy()
        dev = max(dev, abs(row[i] - v[0]), float(np.abs(row[others] - v[1:]).max()))
    return dev


def check_cold_starts(ends: Sequence[Tensor], *, atol: float = 1e-6) -> Check:
    """Cold starts (Assumption 2 broken): holds iff none of the end points ``ends`` reaches I.
    Numbers: how many reach I, a permutation of I, a signed permutation (:func:`reached`)."""
    r = [reached(W, atol=atol) for W in ends]
    n_id = sum(x["identity"] for x in r)
    return Check(n_id == 0 and len(r) > 0, float(n_id),
                 dict(identity=n_id, permutation=sum(x["permutation"] for x in r),
                      signed_permutation=sum(x["signed_permutation"] for x in r), starts=len(r)))


def check_noise_effect(res_noisy: AlternationResult, res_clean: AlternationResult, *, ratio: float = 1.5) -> Check:
    """Noise beside the noise-free case on the same fixed draws of latents and masks
    (:func:`theorem3_samples` with the same generator state, sigma0 > 0 and sigma0 = 0): holds
    iff the noisy run ends within ``ratio`` times the noise-free run's final distance to I (the
    floor a finite sample sets). Value: noisy / noise-free final distance."""
    noisy, clean = float(distance_to_identity(res_noisy)[-1]), float(distance_to_identity(res_clean)[-1])
    r = noisy / clean if clean > 0 else float("inf")
    return Check(r <= ratio, r, dict(noisy=noisy, clean=clean))
