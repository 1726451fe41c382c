"""Reference checks that the rest of the suite lacked: each one catches a planted bug of
``tests/mutants.py`` that survived the other tests (named there), and each checks a property of
the paper or of plain torch, not the text of the code."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from landscape import losses, theory as T
from landscape.config import TrainConfig
from landscape.data import dictionary
from landscape.metrics import max_cosine, max_cosine_summary
from landscape.models import init_model
from landscape.train import Engine, ncl_step_loss

D = torch.float64


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# ----------------------------------------------------------------------------- Sec. 4.2: initialisation
def test_random_init_has_variance_one_over_p_d():
    """Random initialisation N(0, 1/(p d)) (Sec. 4.2) for every weight matrix of every network."""
    c = TrainConfig(p=60, d=12, m=80, layers=2, predictor=True)
    M = dictionary(c.p, c.d, generator=gen(0))
    model = init_model(M, c, gen(1))
    expected = 1.0 / math.sqrt(c.p * c.d)
    for name, W in (("W1", model["online"]["W1"]), ("W2", model["target"]["W2"]), ("pred W", model["pred"]["W"])):
        # the sample standard deviation of k Gaussian entries has relative standard error 1/sqrt(2k)
        assert W.std().item() == pytest.approx(expected, rel=6 / math.sqrt(2 * W.numel())), name
        assert abs(W.mean().item()) < 6 * expected / math.sqrt(W.numel()), name


# ----------------------------------------------------------------------------- Eq. 4: stop-gradient
def test_ncl_normalized_stops_the_gradient_of_the_target():
    """Eq. 4's SG(.): no gradient reaches the target; the online gradient is that of
    2 - 2 cos(a, b) with b a constant."""
    a = torch.randn(2, 6, 4, generator=gen(2), dtype=D).requires_grad_()
    b = torch.randn(2, 6, 4, generator=gen(3), dtype=D).requires_grad_()
    losses.ncl_normalized(a, b).sum().backward()
    assert b.grad is None or torch.count_nonzero(b.grad) == 0
    a2 = a.detach().clone().requires_grad_()
    const = b.detach()
    (2 - 2 * torch.nn.functional.cosine_similarity(a2, const, dim=-1).mean(-1)).sum().backward()
    torch.testing.assert_close(a.grad, a2.grad, rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------- the engine's SGD step
def test_weight_decay_step_is_torch_sgd():
    """A step with weight decay is torch.optim.SGD's: p <- p - lr (grad + weight_decay p), on
    the engine's own loss of the online branch (target under stop-gradient)."""
    cfg = TrainConfig(p=20, d=5, m=20, n=64, batch_size=32, epochs=1, lr=0.1, weight_decay=0.5, seed=3)
    eng = Engine([cfg], device="cpu", dtype=D)
    x = eng.X[:, :32]
    m1 = (torch.rand(1, 32, cfg.p, generator=gen(4), dtype=D) < 0.5).to(D)
    m2 = (torch.rand(1, 32, cfg.p, generator=gen(5), dtype=D) < 0.5).to(D)
    online = {k: v.detach().clone().requires_grad_() for k, v in eng.model["online"].items()}
    target = {k: v.detach().clone() for k, v in eng.model["target"].items()}
    opt = torch.optim.SGD(list(online.values()), lr=cfg.lr, weight_decay=cfg.weight_decay)
    ncl_step_loss(cfg, online, None, target, x, m1, m2).sum().backward()
    no_decay = {k: (v - cfg.lr * v.grad).detach() for k, v in online.items()}
    opt.step()
    eng.step(x, parity=0, masks=(m1, m2))
    for k, v in online.items():
        torch.testing.assert_close(eng.model["online"][k].detach(), v.detach(), rtol=1e-12, atol=1e-14)
    assert not torch.allclose(online["W1"], no_decay["W1"])            # the decay is visible
    assert torch.equal(eng.model["target"]["W1"].detach(), target["W1"])  # alternation: target untouched


# ----------------------------------------------------------------------------- the epoch's logged loss
def test_epoch_loss_is_the_mean_step_loss():
    """run_epoch returns the mean over the epoch's steps (3 here, the last one partial)."""
    eng = Engine([TrainConfig(n=120, batch_size=50, epochs=1, seed=s) for s in range(2)], device="cpu")
    steps: list[torch.Tensor] = []
    mean = eng.run_epoch(on_step=lambda k, loss: steps.append(loss.clone()))
    assert len(steps) == 3
    torch.testing.assert_close(mean, torch.stack(steps).mean(0))


# ----------------------------------------------------------------------------- Eq. 11's summary
@pytest.mark.parametrize("d", [5, 6, 10])
def test_summary_median_is_numpys_for_even_d(d):
    """min / median / max over the d values of Eq. 11, the median as numpy.median (the mean of
    the two middle values when d is even)."""
    g = gen(d)
    M = dictionary(30, d, generator=g)
    W = torch.randn(4, 15, 30, generator=g, dtype=D)
    mc = max_cosine(W, M).numpy()
    expected = np.stack([mc.min(-1), np.median(mc, axis=-1), mc.max(-1)], axis=-1)
    np.testing.assert_allclose(max_cosine_summary(W, M).numpy(), expected, rtol=0, atol=1e-15)


# ----------------------------------------------------------------------------- Lemma 1's asymptotic rate
@pytest.mark.parametrize("a,d,c", [(0.3, 5, 0.1), (-0.5, 4, 0.05), (1.0, 3, 0.2), (0.0, 6, 0.3)])
def test_lemma1_asymptotic_rate_is_the_measured_step_ratio(a, d, c):
    """Near the fixed point every step multiplies max_i |v_i - a v_1| by 1/||v + c (1, a, ..., a)||,
    which tends to 1/(1 + c sqrt(1 + (d - 1) a^2)): the last measured ratios equal
    lemma1_asymptotic_rate."""
    rng = np.random.default_rng(7)
    v0 = rng.normal(size=d)
    if v0[0] + a * v0[1:].sum() <= 0:
        v0 = -v0
    traj = T.lemma1_iterate(v0, a, c, 2000)
    dev = np.abs(traj[:, 1:] - a * traj[:, :1]).max(axis=1)
    ok = np.flatnonzero(dev[:-1] > 1e-9)
    assert ok.size > 20, "the run must leave enough steps above the floor"
    ratios = dev[ok + 1] / dev[ok]
    s = math.sqrt(1 + (d - 1) * a * a)
    assert ratios[-1] == pytest.approx(1 / (1 + c * s), rel=1e-5)           # the closed form itself
    assert T.lemma1_asymptotic_rate(a, d, c) == pytest.approx(ratios[-1], rel=1e-5)
    assert T.lemma1_asymptotic_rate(a, d, c) <= T.lemma1_rate(a, d, c)
