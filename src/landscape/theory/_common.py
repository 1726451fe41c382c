"""What the theory modules share: float64, and one CPU thread unless told otherwise (their
tensors are small; extra threads only add overhead)."""
from __future__ import annotations

import contextlib
import functools
from typing import Sequence

import numpy as np
import torch

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
