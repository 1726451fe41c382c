"""Lemma 1 (App. D): the fixed point and the rate of the recursion behind Theorem 3."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from ._common import Check, _schedule


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


# ------------------------------------------------------------------ checks of Lemma 1 (App. D)
def lemma1_trajectory_stats(v0: Sequence[float], a: float, c: float, steps: int, *,
                            fixed_point=None, rate=None, floor: float = 1e-12) -> dict[str, float]:
    """Iterate Lemma 1 from ``v0`` for ``steps`` steps and measure: ``err`` (max entry from the
    stated limit, ``fixed_point`` default :func:`lemma1_fixed_point`), ``worst`` (largest
    per-step ratio of max_i |v_i - a v_1| over ``rate``'s gamma, default :func:`lemma1_rate`;
    steps whose deviation is below ``floor`` are skipped) and ``last`` (the last such ratio)."""
    fixed_point = lemma1_fixed_point if fixed_point is None else fixed_point
    rate = lemma1_rate if rate is None else rate
    d = len(v0)
    traj = lemma1_iterate(v0, a, c, steps)
    dev = np.abs(traj[:, 1:] - a * traj[:, :1]).max(axis=1)
    valid = dev[:-1] > floor
    ratio = dev[1:][valid] / dev[:-1][valid]
    gamma = rate(a, d, c)
    return dict(err=float(np.abs(traj[-1] - fixed_point(a, d)).max()), gamma=float(gamma),
                worst=float(ratio.max() / gamma) if ratio.size else 0.0,
                last=float(ratio[-1]) if ratio.size else float("nan"))


def check_lemma1_limit(errors: Sequence[float], *, tol: float = 1e-10) -> Check:
    """Lemma 1's limit: every run ends within ``tol`` of the stated fixed point. Value: the
    largest error (``err`` of :func:`lemma1_trajectory_stats`)."""
    e = np.asarray(errors, dtype=np.float64)
    if e.size == 0:
        raise ValueError("errors must not be empty")
    return Check(bool(e.max() <= tol), float(e.max()), dict(runs=int(e.size)))


def check_lemma1_rate(worst: Sequence[float]) -> Check:
    """Eq. (26): every step shrinks max_i |v_i - a v_1| by at least gamma, i.e. every measured
    ratio / gamma (``worst`` of :func:`lemma1_trajectory_stats`) is <= 1. Value: the largest."""
    w = np.asarray(worst, dtype=np.float64)
    if w.size == 0:
        raise ValueError("worst must not be empty")
    return Check(bool(w.max() <= 1.0), float(w.max()), dict(runs=int(w.size)))


def check_lemma1_second_fixed_point(cases: Sequence[tuple[float, int, float]], *, tol: float = 1e-14) -> Check:
    """-v* is a second fixed point of Lemma 1's update whenever c sqrt(1 + (d - 1) a^2) < 1 (the
    update maps -v* to -(1 - c s) v*), which the premise v_1 + a sum v_i > 0 excludes. Over the
    ``(a, d, c)`` with c s < 1: the largest move of -v* in one step. Holds iff <= ``tol`` and
    at least one case qualifies."""
    moves = [float(np.abs(lemma1_iterate(-lemma1_fixed_point(a, d), a, c, 1)[1] + lemma1_fixed_point(a, d)).max())
             for a, d, c in cases if c * math.sqrt(1 + (d - 1) * a * a) < 1]
    m = max(moves) if moves else float("nan")
    return Check(bool(moves) and m <= tol, m, dict(cases=len(moves)))


def check_lemma1_violators_converge(starts: Sequence[tuple[Sequence[float], float, float]], steps: int,
                                    *, tol: float = 1e-10) -> Check:
    """That second fixed point repels: runs from ``(v0, a, c)`` starts that violate the premise
    (v0_1 + a sum v0_i <= 0; checked) still converge to v* within ``tol``. Value: how many do
    not."""
    bad = 0
    for v0, a, c in starts:
        v0 = np.asarray(v0, dtype=np.float64)
        if v0[0] + a * v0[1:].sum() > 0:
            raise ValueError("starts must violate Lemma 1's premise v0_1 + a sum_i v0_i > 0")
        end = lemma1_iterate(v0, a, c, steps)[-1]
        bad += int(np.abs(end - lemma1_fixed_point(a, len(v0))).max() > tol)
    return Check(bad == 0 and len(starts) > 0, float(bad), dict(starts=len(starts)))
