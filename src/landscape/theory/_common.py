"""What the theory modules share: float64, and one CPU thread unless told otherwise (their
tensors are small; extra threads only add overhead)."""
from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import torch
from torch import Tensor

from ..threads import num_threads

DT = torch.float64


def _threads(n: int | None):
    """``landscape.threads.num_threads(n)``, or a no-op for ``None``."""
    return contextlib.nullcontext() if n is None else num_threads(n)


def _one_thread_by_default(fn):
    """Run ``fn`` under :func:`_threads` with ``threads`` taken from its keyword (default 1)."""
    @functools.wraps(fn)
    def wrapper(*args, threads: int | None = 1, **kwargs):
        with _threads(threads):
            return fn(*args, **kwargs)
    return wrapper


def _schedule(x: float | Sequence[float], T: int, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(T, float(arr))
    if arr.shape != (T,):
        raise ValueError(f"{name} must be a scalar or have length T={T}, got shape {arr.shape}")
    return arr


@dataclass(frozen=True)
class Check:
    """The outcome of one numerical check: ``holds`` and the numbers behind it (``value``: the
    headline number the verdict compares; ``numbers``: the others, by name). The page layer turns
    it into a printed, recorded verdict."""

    holds: bool
    value: float
    numbers: dict[str, float] = field(default_factory=dict)

    def __getitem__(self, name: str) -> float:
        return self.numbers[name]


def _probability(x: float, name: str, *, open_low: bool = False) -> float:
    """``x`` as a float in [0, 1] (``(0, 1]`` with ``open_low``), else a ValueError naming it."""
    x = float(x)
    if not (0.0 < x <= 1.0 if open_low else 0.0 <= x <= 1.0):
        raise ValueError(f"{name} must lie in {'(0, 1]' if open_low else '[0, 1]'}, got {x}")
    return x


def _square_batch(W: Tensor, name: str = "W") -> Tensor:
    """``W`` as a ``[..., d, d]`` float64 tensor, else a ValueError naming it."""
    if not isinstance(W, Tensor) or W.ndim < 2 or W.shape[-1] != W.shape[-2]:
        raise ValueError(f"{name} must be a tensor of square matrices [..., d, d], got "
                         f"{getattr(W, 'shape', type(W).__name__)}")
    return W.to(DT)
