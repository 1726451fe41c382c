"""Each loss against a direct formula on tiny inputs, and gradients against gradcheck."""
import math

import pytest
import torch

from landscape import losses
from landscape.models import batchnorm, symrelu

D = torch.float64


def rand(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=D)


def test_ncl_normalized_is_eq4():
    a, b = rand(2, 5, 4, seed=1), rand(2, 5, 4, seed=2)
    direct = torch.tensor([
        sum(float(((a[r, i] / a[r, i].norm() - b[r, i] / b[r, i].norm()) ** 2).sum()) for i in range(5)) / 5
        for r in range(2)], dtype=D)
    assert torch.allclose(losses.ncl_normalized(a, b), direct)
    cos = torch.nn.functional.cosine_similarity(a, b, dim=-1).mean(-1)
    assert torch.allclose(losses.ncl_normalized(a, b), 2 - 2 * cos)


def test_ncl_inner_is_eq6_and_stops_gradient():
    a, b = rand(1, 6, 3, seed=3).requires_grad_(), rand(1, 6, 3, seed=4).requires_grad_()
    loss = losses.ncl_inner(a, b)
    assert torch.allclose(loss, 2 - 2 * (a * b).sum(-1).mean(-1))
    loss.sum().backward()
    assert b.grad is None and torch.allclose(a.grad, -2 * b.detach() / 6)


def test_simsiam_is_negative_cosine():
    p1, z1, p2, z2 = (rand(1, 4, 3, seed=s) for s in range(4))
    cos = torch.nn.functional.cosine_similarity
    direct = -0.5 * (cos(p1, z2, dim=-1) + cos(p2, z1, dim=-1)).mean(-1)
    assert torch.allclose(losses.simsiam(p1, z1, p2, z2), direct)


def nt_xent_loop(z1, z2, t, normalize):
    """NT-Xent written one row at a time: row i's positive is the other view of sample i."""
    z = torch.cat([z1, z2])
    if normalize:
        z = z / z.norm(dim=-1, keepdim=True)
    n2 = z.shape[0]
    total = 0.0
    for i in range(n2):
        j = (i + n2 // 2) % n2
        logits = [float(z[i] @ z[k]) / t for k in range(n2) if k != i]
        total += -(float(z[i] @ z[j]) / t - math.log(sum(math.exp(v) for v in logits)))
    return total / n2


@pytest.mark.parametrize("normalize, t", [(True, 0.05), (True, 0.5), (False, 2.0)])
def test_nt_xent_matches_row_by_row_formula(normalize, t):
    z1, z2 = rand(2, 5, 3, seed=5), rand(2, 5, 3, seed=6)
    ref = losses.nt_xent_reference(z1, z2, t, normalize)
    fused = losses.nt_xent(z1, z2, t, normalize)
    for r in range(2):
        assert ref[r].item() == pytest.approx(nt_xent_loop(z1[r], z2[r], t, normalize), rel=1e-10)
    assert torch.allclose(fused, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("normalize", [True, False])
def test_fused_nt_xent_gradient(normalize):
    z1, z2 = rand(3, 4, 5, seed=7).requires_grad_(), rand(3, 4, 5, seed=8).requires_grad_()
    t = torch.tensor([0.1, 0.5, 1.0], dtype=D)
    assert torch.autograd.gradcheck(lambda a, b: losses.nt_xent(a, b, t, normalize), (z1, z2))
    g_fused = torch.autograd.grad(losses.nt_xent(z1, z2, t, normalize).sum(), (z1, z2))
    g_ref = torch.autograd.grad(losses.nt_xent_reference(z1, z2, t, normalize).sum(), (z1, z2))
    for a, b in zip(g_fused, g_ref):
        assert torch.allclose(a, b, rtol=1e-9, atol=1e-12)


def test_symrelu_forms_eq14():
    u = torch.linspace(-2, 2, 9, dtype=D)
    b = torch.tensor(0.5, dtype=D)
    paper = symrelu(u, b, "paper")
    expected = torch.where(u > b, u - b, torch.where(u < -b, u + b, torch.zeros_like(u)))
    assert torch.equal(paper, expected)
    # the public code's form is Eq. 14 with b replaced by -b once the bias is inside u
    code = symrelu(u + b, b, "code")
    assert torch.allclose(code, torch.relu(u + b) - torch.relu(-u + b))


def test_batchnorm_matches_torch_training_mode():
    u = rand(2, 16, 3, seed=9)
    g, c = rand(2, 3, seed=10), rand(2, 3, seed=11)
    for r in range(2):
        bn = torch.nn.BatchNorm1d(3, dtype=D)
        with torch.no_grad():
            bn.weight.copy_(g[r]); bn.bias.copy_(c[r])
        assert torch.allclose(batchnorm(u, g, c)[r], bn.train()(u[r]))


def test_stop_gradient_of_the_non_contrastive_losses():
    """Eqs. (4)-(7) and SimSiam stop the gradient at the target branch: the gradient reaches
    the online output alone, and equals the closed form of Eq. (6)'s -2/N b (ours: the losses
    are plain torch expressions; what is ours is where the gradient stops)."""
    a, b = rand(2, 3, 4, seed=12).requires_grad_(), rand(2, 3, 4, seed=13).requires_grad_()
    for loss in (losses.ncl_normalized(a, b), losses.ncl_inner(a, b)):
        ga, gb = torch.autograd.grad(loss.sum(), (a, b), allow_unused=True)
        assert gb is None and ga.abs().sum() > 0
    ga, = torch.autograd.grad(losses.ncl_inner(a, b).sum(), (a,))
    assert torch.allclose(ga, -2.0 * b.detach() / a.shape[1])
    p1, z1, p2, z2 = (rand(2, 3, 4, seed=s).requires_grad_() for s in (14, 15, 16, 17))
    grads = torch.autograd.grad(losses.simsiam(p1, z1, p2, z2).sum(), (p1, z1, p2, z2), allow_unused=True)
    assert grads[1] is None and grads[3] is None and grads[0].abs().sum() > 0 and grads[2].abs().sum() > 0


def test_tiled_nt_xent_matches_reference_over_several_tiles(monkeypatch):
    """The PyTorch form (CUDA, or a CPU without a C++ compiler): 2N = 2 x 75 rows in tiles of 32
    (the last one partial), value and gradient as the plain form."""
    monkeypatch.setattr(losses, "nt_xent_kernel", lambda device, normalize=True: "tiled")
    monkeypatch.setattr(losses, "CPU_TILE_ROWS", 32)
    z1, z2 = rand(3, 75, 6, seed=9).requires_grad_(), rand(3, 75, 6, seed=10).requires_grad_()
    t = torch.tensor([0.05, 0.2, 1.0], dtype=D)
    fused, ref = losses.nt_xent(z1, z2, t), losses.nt_xent_reference(z1, z2, t)
    assert torch.allclose(fused, ref, rtol=1e-10, atol=1e-12)
    g_fused = torch.autograd.grad(fused.sum(), (z1, z2))
    g_ref = torch.autograd.grad(ref.sum(), (z1, z2))
    for a, b in zip(g_fused, g_ref):
        assert torch.allclose(a, b, rtol=1e-9, atol=1e-12)
    with torch.no_grad():  # no gradient wanted: the value alone
        assert torch.allclose(losses.nt_xent(z1, z2, t), ref, rtol=1e-10, atol=1e-12)


def test_compiled_cpu_kernel_is_used_and_matches_reference():
    """On a CPU NT-Xent with unit rows runs the compiled kernel (it needs a C++ compiler; the
    README's set-up builds it): value and gradient as the plain form, in float64 and float32."""
    assert losses.cpu_kernel() is not None, "the compiled NT-Xent kernel (src/landscape/ntxent.cpp) did not build"
    assert losses.nt_xent_kernel(torch.device("cpu")) == "cpp"
    assert losses.nt_xent_kernel(torch.device("cpu"), normalize=False) == "tiled"
    for dtype, rtol in ((D, 1e-9), (torch.float32, 2e-4)):
        z1 = rand(4, 37, 5, seed=14).to(dtype).requires_grad_()
        z2 = rand(4, 37, 5, seed=15).to(dtype).requires_grad_()
        t = torch.tensor([0.05, 0.1, 0.5, 1.0], dtype=dtype)
        fused, ref = losses.nt_xent(z1, z2, t), losses.nt_xent_reference(z1, z2, t)
        assert torch.allclose(fused, ref, rtol=rtol, atol=1e-6 * rtol)
        g_fused = torch.autograd.grad(fused.sum(), (z1, z2))
        g_ref = torch.autograd.grad(ref.sum(), (z1, z2))
        for a, b in zip(g_fused, g_ref):
            assert torch.allclose(a, b, rtol=rtol, atol=1e-3 * rtol)


@pytest.mark.parametrize("threads", [1, 2])
def test_compiled_cpu_kernel_replica_alone_equals_batched(threads):
    """A replica's numbers do not depend on the replicas beside it (bit for bit)."""
    z = torch.nn.functional.normalize(torch.randn(5, 300, 8, generator=torch.Generator().manual_seed(3)), dim=-1)
    inv_t = torch.tensor([20.0, 10.0, 5.0, 2.0, 1.0]).reshape(5, 1, 1)
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        lse, g = losses.cpu_kernel().ntxent_unit_rows(z, inv_t)
        for r in range(5):
            lse1, g1 = losses.cpu_kernel().ntxent_unit_rows(z[r:r + 1], inv_t[r:r + 1])
            assert torch.equal(lse1[0], lse[r]) and torch.equal(g1[0], g[r])
    finally:
        torch.set_num_threads(before)
