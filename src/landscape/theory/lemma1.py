"""Lemma 1 (App. D): the fixed point and the rate of the recursion behind Theorem 3."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from ._common import _schedule


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
