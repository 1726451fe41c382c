"""Losses, batched over replicas: every function maps ``[R, N, m]`` inputs to an ``[R]`` loss
(mean over the N samples of each replica)."""
from __future__ import annotations

import functools
import os
import shutil
import warnings
from pathlib import Path
from types import ModuleType

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


#: Rows of the similarity matrix handled at once by :class:`_NTXent`'s tiled PyTorch form on a
#: CPU (used where the compiled kernel is not): a [R, 64, 2N] tile of all replicas.
CPU_TILE_ROWS = 64


#: Compiler flags of the kernel (part of its build directory's name).
KERNEL_CFLAGS = ("-O3",)

#: A build that holds its lock longer than this is taken for a killed one and its lock removed.
STALE_LOCK_S = 15 * 60


def kernel_build_dir() -> Path:
    """Where the kernel is built: ``~/.cache/torch_extensions/landscape-ntxent-<hash>``, the hash
    of its source, flags and torch version, with the source copied in.  Every copy of the
    package (a worktree, the mutation tests' copies) with the same source finds the same build,
    and none rebuilds or invalidates another's (torch's loader rebuilds when the source path
    changes)."""
    import hashlib

    source = Path(__file__).with_name("ntxent.cpp").read_bytes()
    digest = hashlib.sha256(source + repr((KERNEL_CFLAGS, torch.__version__)).encode()).hexdigest()[:16]
    root = Path(os.environ.get("TORCH_EXTENSIONS_DIR", Path.home() / ".cache" / "torch_extensions"))
    build = root / f"landscape-ntxent-{digest}"
    build.mkdir(parents=True, exist_ok=True)
    copy = build / "ntxent.cpp"
    if not copy.exists() or copy.read_bytes() != source:
        tmp = build / f"ntxent.cpp.tmp-{os.getpid()}"
        tmp.write_bytes(source)
        tmp.replace(copy)
    lock = build / "lock"  # left behind by a build that was killed: torch would wait on it forever
    if lock.exists():
        import time
        if time.time() - lock.stat().st_mtime > STALE_LOCK_S:
            lock.unlink(missing_ok=True)
    return build


@functools.cache
def cpu_kernel() -> ModuleType | None:
    """The compiled CPU kernel of NT-Xent with unit-norm rows (``ntxent.cpp``, built with
    PyTorch's C++ extension loader on first use into :func:`kernel_build_dir`), or None, with a
    warning, where it cannot be built (no C++ compiler): the tiled PyTorch form is used then,
    and its results are cached under their own key (see :func:`nt_xent_kernel`)."""
    try:
        from torch.utils.cpp_extension import load
        if shutil.which("ninja") is None:  # the pip-installed ninja of an unactivated venv
            import ninja
            os.environ["PATH"] = ninja.BIN_DIR + os.pathsep + os.environ.get("PATH", "")
        build = kernel_build_dir()
        return load(name="landscape_ntxent", sources=[str(build / "ntxent.cpp")],
                    extra_cflags=list(KERNEL_CFLAGS), build_directory=str(build), verbose=False)
    except Exception as exc:  # noqa: BLE001 - any build failure means: use the PyTorch form
        warnings.warn(f"the compiled NT-Xent kernel could not be built ({type(exc).__name__}: {exc}); "
                      "contrastive runs use the slower tiled PyTorch form", RuntimeWarning, stacklevel=2)
        return None


def nt_xent_kernel(device: torch.device, normalize: bool = True) -> str:
    """Which NT-Xent kernel runs on ``device``: ``"cpp"`` (the compiled CPU kernel, unit-norm
    rows) or ``"tiled"`` (PyTorch).  Their numbers differ in the last bits, so the name is part
    of a contrastive run's cache key."""
    return "cpp" if normalize and device.type == "cpu" and cpu_kernel() is not None else "tiled"


class _NTXent(torch.autograd.Function):
    """Fused NT-Xent (cross-entropy over the rows of S = Z Z^T / t, diagonal excluded).

    The gradient is ``(P + P^T - 2 swap) Z / t / 2N`` with P = softmax(S).  With unit-norm rows
    (``unit_rows``) every similarity is at most 1/t, so the shift 1/t needs no row maximum
    (exp(-2/t) stays far above float32's underflow for t >= 0.02), E = exp(S - 1/t) is
    symmetric and P^T Z = E (Z / rowsum).  The forward pass then walks over tiles of rows: for
    rows b it forms E_b, its row sums, the rows b of P Z = (E_b Z) / rowsum_b and the
    contribution E_b^T (Z_b / rowsum_b) of those rows to P^T Z, and drops E_b.  No [R, 2N, 2N]
    tensor is ever held; the gradient is ready when the forward pass ends (the backward pass
    only scales it).  On a CPU the compiled kernel (:func:`cpu_kernel`) instead forms one
    replica's whole E at a time, in its thread's buffer, and gets P Z and P^T Z from one product
    E [Z, Z / rowsum].  Without unit rows the whole matrix is formed, shifted by its row maxima."""

    @staticmethod
    def forward(ctx, z: Tensor, inv_t: Tensor, unit_rows: bool) -> Tensor:  # z [R,2N,m], inv_t [R,1,1]
        R, n2, _ = z.shape
        N = n2 // 2
        zs = z * inv_t
        pos = (zs[:, :N] * z[:, N:]).sum(-1)                                # [R, N]
        need_grad = ctx.needs_input_grad[0]
        if nt_xent_kernel(z.device, unit_rows) == "cpp":
            lse, pz_ptz = cpu_kernel().ntxent_unit_rows(z, inv_t)
            if need_grad:
                ctx.save_for_backward(pz_ptz, z, inv_t)
        elif unit_rows:
            tile = n2 if z.device.type != "cpu" else CPU_TILE_ROWS
            lhs = torch.cat([zs, -inv_t.expand(R, n2, 1)], -1)             # S - 1/t from one product
            rhs = torch.cat([z, torch.ones_like(z[..., :1])], -1).transpose(1, 2)
            rowsum = torch.empty(R, n2, dtype=z.dtype, device=z.device)
            if need_grad:
                pz = torch.empty_like(z)                                     # P Z
                ptz = torch.zeros_like(z)                                    # P^T Z
            for s in range(0, n2, tile):
                e = torch.bmm(lhs[:, s:s + tile], rhs).exp_()               # E_b [R, tile, 2N]
                e[:, :, s:s + tile].diagonal(dim1=1, dim2=2).zero_()
                rs = e.sum(-1)
                rowsum[:, s:s + tile] = rs
                if need_grad:
                    inv = (1.0 / rs)[..., None]
                    torch.bmm(e, z, out=pz[:, s:s + tile])
                    pz[:, s:s + tile].mul_(inv)
                    ptz.baddbmm_(e.transpose(1, 2), z[:, s:s + tile] * inv)
            lse = rowsum.log() + inv_t[:, :, 0]
            if need_grad:
                ctx.save_for_backward(pz.add_(ptz), z, inv_t)
        else:
            E = torch.bmm(zs, z.transpose(1, 2))
            E.diagonal(dim1=1, dim2=2).fill_(float("-inf"))
            shift = E.amax(dim=-1)
            E.sub_(shift[..., None]).exp_()
            E.diagonal(dim1=1, dim2=2).zero_()
            rowsum = E.sum(-1)                                              # [R, 2N]
            lse = rowsum.log() + shift
            if need_grad:
                inv = (1.0 / rowsum)[..., None]
                both = torch.bmm(E, z).mul_(inv)                            # P Z
                both += torch.bmm((z * inv).transpose(1, 2).contiguous(), E).transpose(1, 2)  # P^T Z
                ctx.save_for_backward(both, z, inv_t)
        return lse.mean(-1) - pos.mean(-1)  # each positive sits in two of the 2N rows

    @staticmethod
    def backward(ctx, grad: Tensor):
        pz_ptz, z, inv_t = ctx.saved_tensors
        n2 = z.shape[1]
        N = n2 // 2
        dz = pz_ptz.clone()
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
