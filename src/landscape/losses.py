"""Losses, batched over replicas: every function maps ``[R, N, m]`` inputs to an ``[R]`` loss
(mean over the N samples of each replica)."""
from __future__ import annotations

import torch
from torch import Tensor

EPS = 1e-8


def _unit(x: Tensor) -> Tensor:
    return x / x.norm(dim=-1, keepdim=True).clamp_min(EPS)


def ncl_normalized(a: Tensor, b: Tensor) -> Tensor:
    """Eq. (4)/(5): E || a/|a| - SG(b/|b|) ||^2 = 2 - 2 E cos(a, b); ``b`` is detached."""
    return ((_unit(a) - _unit(b.detach())) ** 2).sum(-1).mean(-1)


def ncl_inner(a: Tensor, b: Tensor) -> Tensor:
    """Eq. (6)/(7) (and Eq. 12 for linear networks): 2 - 2 E <a, SG(b)>."""
    return 2.0 - 2.0 * (a * b.detach()).sum(-1).mean(-1)


def simsiam(p1: Tensor, z1: Tensor, p2: Tensor, z2: Tensor) -> Tensor:
    """SimSiam's symmetric negative cosine: -1/2 cos(p1, SG z2) - 1/2 cos(p2, SG z1)."""
    c1 = (_unit(p1) * _unit(z2.detach())).sum(-1)
    c2 = (_unit(p2) * _unit(z1.detach())).sum(-1)
    return -0.5 * (c1 + c2).mean(-1)


def nt_xent_reference(z1: Tensor, z2: Tensor, temperature: Tensor | float, normalize: bool = True) -> Tensor:
    """NT-Xent / Eq. (8) with in-batch negatives, written plainly (the reference for tests).

    Rows are the 2N views; each has one positive (the other view of its sample) and 2N - 2
    negatives; similarities are divided by ``temperature``; the loss is the mean cross-entropy
    over the 2N rows.  ``normalize=False`` gives Eq. (8)'s inner-product similarity (then
    ``temperature`` is 1/tau)."""
    z = torch.cat([z1, z2], dim=1)
    if normalize:
        z = _unit(z)
    R, n2, _ = z.shape
    t = torch.as_tensor(temperature, dtype=z.dtype, device=z.device).reshape(-1, 1, 1)
    S = z @ z.transpose(1, 2) / t
    S = S.masked_fill(torch.eye(n2, dtype=torch.bool, device=z.device), float("-inf"))
    N = n2 // 2
    pos = torch.cat([torch.arange(N, n2), torch.arange(N)]).to(z.device)
    return -(S.log_softmax(-1).gather(-1, pos.expand(R, n2)[..., None]).squeeze(-1)).mean(-1)


class _NTXent(torch.autograd.Function):
    """Fused NT-Xent.  One ``[R, 2N, 2N]`` buffer E = exp(S - shift) (diagonal zeroed) is the only
    large tensor; the softmax is P = E / rowsum and the gradient is ``(P + P^T - 2 swap) Z / t / 2N``,
    computed as ``(E Z) / rowsum + E^T (Z / rowsum)`` so that E is never rescaled; with unit rows
    E is symmetric and both terms come from one product ``E [Z, Z / rowsum]``.

    With unit-norm rows every similarity is at most 1/t: the shift 1/t needs no row maximum (it is
    folded into the product through an extra constant column; exp(-2/t) stays far above float32's
    underflow for t >= 0.02).  Otherwise the row maximum is used."""

    @staticmethod
    def forward(ctx, z: Tensor, inv_t: Tensor, unit_rows: bool) -> Tensor:  # z [R,2N,m], inv_t [R,1,1]
        R, n2, _ = z.shape
        N = n2 // 2
        zs = z * inv_t
        if unit_rows:
            ones = torch.ones(R, n2, 1, dtype=z.dtype, device=z.device)
            E = torch.bmm(torch.cat([zs, -inv_t * ones], -1), torch.cat([z, ones], -1).transpose(1, 2))
            shift = inv_t[:, :, 0]
        else:
            E = torch.bmm(zs, z.transpose(1, 2))
            E.diagonal(dim1=1, dim2=2).fill_(float("-inf"))
            shift = E.amax(dim=-1)
            E.sub_(shift[..., None])
        E.exp_()
        E.diagonal(dim1=1, dim2=2).zero_()
        rowsum = E.sum(-1)                                                  # [R, 2N]
        lse = rowsum.log() + shift
        pos = (zs[:, :N] * z[:, N:]).sum(-1)                                # [R, N]
        ctx.save_for_backward(z, inv_t, E, rowsum)
        ctx.unit_rows = unit_rows
        return lse.mean(-1) - pos.mean(-1)  # each positive sits in two of the 2N rows

    @staticmethod
    def backward(ctx, grad: Tensor):
        z, inv_t, E, rowsum = ctx.saved_tensors
        n2 = z.shape[1]
        N = n2 // 2
        m = z.shape[2]
        inv_rowsum = (1.0 / rowsum)[..., None]
        if ctx.unit_rows:  # E is symmetric: P^T Z = E (Z / rowsum), one product for both terms
            both = torch.bmm(E, torch.cat([z, z * inv_rowsum], -1))
            dz = both[..., :m].mul_(inv_rowsum).add_(both[..., m:])
        else:
            dz = torch.bmm(E, z).mul_(inv_rowsum)                           # P Z
            dz += torch.bmm((z * inv_rowsum).transpose(1, 2).contiguous(), E).transpose(1, 2)  # P^T Z
        dz[:, :N].sub_(z[:, N:], alpha=2.0)
        dz[:, N:].sub_(z[:, :N], alpha=2.0)
        dz.mul_(inv_t * (grad[:, None, None] / n2))
        return dz, None, None


def nt_xent(z1: Tensor, z2: Tensor, temperature: Tensor | float, normalize: bool = True) -> Tensor:
    """NT-Xent / Eq. (8), fused; same value and gradient as :func:`nt_xent_reference`."""
    z = torch.cat([z1, z2], dim=1)
    if normalize:
        z = _unit(z)
    inv_t = 1.0 / torch.as_tensor(temperature, dtype=z.dtype, device=z.device).reshape(-1, 1, 1)
    inv_t = inv_t.expand(z.shape[0], 1, 1).contiguous()
    return _NTXent.apply(z, inv_t, normalize)
