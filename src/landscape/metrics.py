"""The max-cosine metric of Eq. (11)."""
from __future__ import annotations

import torch
from torch import Tensor


def max_cosine(W: Tensor, M: Tensor, eps: float = 1e-12) -> Tensor:
    """Eq. (11): for each dictionary column j, max_i |cos(W_i*, M_*j)|.

    ``W`` is ``[..., m, p]`` (encoder rows are neurons), ``M`` is ``[..., p, d]``.
    Leading dimensions broadcast (replicas).  Returns ``[..., d]``.
    """
    Wn = W / W.norm(dim=-1, keepdim=True).clamp_min(eps)
    Mn = M / M.norm(dim=-2, keepdim=True).clamp_min(eps)
    return (Wn @ Mn).abs().amax(dim=-2)


def max_cosine_summary(W: Tensor, M: Tensor) -> Tensor:
    """Minimum, median and maximum over the d values of Eq. (11): ``[..., 3]``.

    The median of an even count is the mean of the two middle values (numpy's convention).
    """
    mc = max_cosine(W, M).sort(dim=-1).values
    d = mc.shape[-1]
    lo, hi = (d - 1) // 2, d // 2
    median = 0.5 * (mc[..., lo] + mc[..., hi])
    return torch.stack([mc[..., 0], median, mc[..., -1]], dim=-1)
