"""The batched engine against a plain, obviously correct PyTorch training loop.

For every training path of :class:`landscape.train.Engine` the test writes the model as one
``torch.nn.Module`` (``nn.Linear``, ``nn.BatchNorm1d``, the losses written out from the paper),
trains it with one ``torch.optim.SGD`` on the same data, initial values, shuffles and masks, and
asserts the engine ends with the same parameters (float64: to ~1e-10; float32: to 1e-5).

What is shared with the library, and why it may be:

* the dictionary and data (Eq. 1): ``landscape.data.dictionary`` and ``make_dataset`` with the
  replica's seed (they have tests of their own in ``tests/test_data.py``);
* the replica's training stream, ``landscape.train._train_seed``: the engine documents that on the
  CPU each replica draws its shuffles and masks from its own NumPy PCG64 stream, a permutation per
  epoch and, per step, the masks of both views (mask entries compare 32 random bits with
  alpha 2^32); :class:`Stream` draws them in that order.

Everything else (initialisation, Sec. 4.2 and 5.2.2; encoders, SymReLU Eq. 14, BatchNorm;
predictor Eq. 5; the losses Eq. 4-8 and SimSiam's; the online/target alternation of Sec. 4.1;
row and column normalisation; the minibatch schedule) is written out here, independently of
``landscape.models`` and ``landscape.losses``.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from landscape.config import TrainConfig
from landscape.data import dictionary, make_dataset
from landscape.threads import num_threads
from landscape.train import Engine, _train_seed, train

F64 = torch.float64
#: Tiny problem: n = 120 is not a multiple of the batch size 50 (3 steps per epoch, the last one
#: of 20 samples; 2 with drop_last).
TINY = dict(p=12, d=4, m=8, n=120, batch_size=50, epochs=2, log_every=1, lr=0.1, seed=3)
TOL = {torch.float64: dict(rtol=1e-9, atol=1e-10), torch.float32: dict(rtol=1e-5, atol=1e-5)}




@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny steps: one thread is fastest (and not slowed down by a busy machine)."""
    with num_threads(1):
        yield


# ============================================================================ reference pieces
class Stream:
    """A replica's shuffles and masks, in the engine's documented order: a permutation of the n
    samples per epoch, then for each step the keep-masks of view 1 and (independent masks, Eq. 3)
    view 2.  A mask entry keeps iff a uniform 32-bit draw u <= thr, P(keep) = (thr + 1) / 2^32 = alpha."""

    def __init__(self, c: TrainConfig) -> None:
        self.c = c
        self.rng = np.random.Generator(np.random.PCG64(_train_seed(c.seed)))
        self.thr = np.uint32(min(max(round(c.alpha * 2 ** 32), 1), 2 ** 32) - 1)

    def permutation(self) -> torch.Tensor:
        return torch.from_numpy(self.rng.permutation(self.c.n))

    def _keep(self, N: int) -> torch.Tensor:
        size = N * self.c.p
        u32 = self.rng.bit_generator.random_raw((size + 1) // 2).view(np.uint32)[:size]
        return torch.from_numpy(u32 <= self.thr).reshape(N, self.c.p)

    def masks(self, N: int, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
        """Eq. (3): D1, D2 i.i.d. Bernoulli(alpha); Eq. (2): 2 D and 2 (I - D)."""
        d1 = self._keep(N).to(dtype)
        if self.c.augmentation == "dependent":
            return 2.0 * d1, 2.0 * (1.0 - d1)
        return d1, self._keep(N).to(dtype)


def reference_init(c: TrainConfig, M: torch.Tensor, g: torch.Generator) -> dict[str, dict[str, torch.Tensor]]:
    """Initial values (Sec. 4.2): weights N(0, 1/(p d)), biases 0, BN scale 1 and shift 0; a warm
    start's rows are columns of M plus N(0, sigma^2) noise, sigma = p^(-c/2) (Sec. 5.2.2).  Drawn
    from the replica's setup generator after the data: the online encoder, the target encoder (or
    the one shared encoder), the predictor, the projector; with ``bias_init="torch"`` every bias
    ~ U(+-1/sqrt(fan_in)) after all weights."""
    std = 1.0 / math.sqrt(c.p * c.d)
    randn = lambda *shape: torch.randn(*shape, generator=g, dtype=F64)

    def warm_rows() -> torch.Tensor:
        if c.warm_pick == "code" and c.m == c.d:
            idx = torch.arange(c.d)                                  # neuron i starts at column i
        elif c.warm_pick in ("with_replacement", "code"):
            idx = torch.randint(c.d, (c.m,), generator=g)
        else:                                                       # cover: every column once, then random
            extra = torch.randint(c.d, (c.m - c.d,), generator=g)
            idx = torch.cat([torch.arange(c.d), extra])[torch.randperm(c.m, generator=g)]
        return M[:, idx].T + c.sigma * randn(c.m, c.p)

    def encoder() -> dict[str, torch.Tensor]:
        net = {"W1": warm_rows() if c.init == "warm" else std * randn(c.m, c.p), "b1": torch.zeros(c.m, dtype=F64)}
        if c.layers == 2:
            net.update(W2=std * randn(c.m, c.m), b2=torch.zeros(c.m, dtype=F64))
        if c.batchnorm:
            for k in range(1, c.layers + 1):
                net.update({f"g{k}": torch.ones(c.m, dtype=F64), f"c{k}": torch.zeros(c.m, dtype=F64)})
        return net

    model = {"online": encoder(), "target": encoder()} if c.method == "ncl" else {"enc": encoder()}
    if c.predictor:
        model["pred"] = {"W": std * randn(c.m, c.m), **({"b": torch.zeros(c.m, dtype=F64)} if c.predictor_bias else {})}
    if c.projector:
        model["proj"] = {"W": std * randn(c.m, c.m), "b": torch.zeros(c.m, dtype=F64)}
    if c.bias_init == "torch":
        for net in model.values():
            for name in sorted(k for k in net if k.startswith("b")):
                bound = 1.0 / math.sqrt(net["W" + name[1:]].shape[1])
                net[name] = (2.0 * torch.rand(net[name].shape, generator=g, dtype=F64) - 1.0) * bound
    return model


class Encoder(nn.Module):
    """h = act(BN(W x + b)) per layer (Sec. 4.1).  With the paper's SymReLU (Eq. 14) the bias is
    the threshold, SReLU_b(u) = ReLU(u - b) - ReLU(-u - b) with u = BN(W x); the public code's
    form adds it, u = BN(W x + b), and SReLU = ReLU(u) - ReLU(2 b - u)."""

    def __init__(self, c: TrainConfig, init: dict[str, torch.Tensor], dtype: torch.dtype) -> None:
        super().__init__()
        self.c = c
        sizes = [(c.p, c.m)] + [(c.m, c.m)] * (c.layers - 1)
        self.lins = nn.ModuleList(nn.Linear(i, o, dtype=dtype) for i, o in sizes)
        self.bns = nn.ModuleList(nn.BatchNorm1d(o, eps=1e-5, dtype=dtype) for _, o in sizes) if c.batchnorm else None
        with torch.no_grad():
            for k, lin in enumerate(self.lins, 1):
                lin.weight.copy_(init[f"W{k}"])
                lin.bias.copy_(init[f"b{k}"])
                if self.bns is not None:
                    self.bns[k - 1].weight.copy_(init[f"g{k}"])
                    self.bns[k - 1].bias.copy_(init[f"c{k}"])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c, h = self.c, x
        threshold = c.activation == "symrelu" and c.symrelu_form == "paper"
        for k, lin in enumerate(self.lins):
            u = F.linear(h, lin.weight) if threshold else lin(h)
            if self.bns is not None:
                u = self.bns[k](u)          # training mode: batch mean and biased variance
            b = lin.bias
            if c.activation == "symrelu":
                h = torch.relu(u - b) - torch.relu(-u - b) if threshold else torch.relu(u) - torch.relu(2 * b - u)
            elif c.activation == "relu":
                h = torch.relu(u)
            else:
                h = u
        return h

    def named(self) -> dict[str, torch.Tensor]:
        out = {}
        for k, lin in enumerate(self.lins, 1):
            out[f"W{k}"], out[f"b{k}"] = lin.weight, lin.bias
            if self.bns is not None:
                out[f"g{k}"], out[f"c{k}"] = self.bns[k - 1].weight, self.bns[k - 1].bias
        return out


class Reference(nn.Module):
    """The whole model: online and target encoders (non-contrastive, Eq. 4-7) or one encoder
    (NT-Xent, Eq. 8; SimSiam), and the linear predictor (Eq. 5) or projector."""

    def __init__(self, c: TrainConfig, init: dict[str, dict[str, torch.Tensor]], dtype: torch.dtype) -> None:
        super().__init__()
        self.c = c
        self.encoders = nn.ModuleDict({k: Encoder(c, init[k], dtype) for k in ("online", "target", "enc") if k in init})
        self.heads = nn.ModuleDict()
        for k in ("pred", "proj"):
            if k in init:
                lin = nn.Linear(c.m, c.m, bias="b" in init[k], dtype=dtype)
                with torch.no_grad():
                    lin.weight.copy_(init[k]["W"])
                    if lin.bias is not None:
                        lin.bias.copy_(init[k]["b"])
                self.heads[k] = lin
        if c.freeze_predictor:
            self.heads["pred"].requires_grad_(False)

    def loss(self, x: torch.Tensor, m1: torch.Tensor, m2: torch.Tensor, parity: int) -> torch.Tensor:
        c, enc = self.c, self.encoders
        if c.method == "ncl":
            # Sec. 4.1: online on even steps, target on odd ones; the other branch under
            # stop-gradient; the predictor on the branch being updated.  Online sees view 1.
            upd, other, xa, xb = ((enc["online"], enc["target"], x * m1, x * m2) if parity == 0
                                  else (enc["target"], enc["online"], x * m2, x * m1))
            a = upd(xa)
            if "pred" in self.heads:
                a = self.heads["pred"](a)
            with torch.no_grad():
                b = other(xb)
            if c.loss_form == "normalized":       # Eq. 4/5: E || a/|a| - SG(b/|b|) ||^2
                return ((F.normalize(a, dim=1, eps=1e-8) - F.normalize(b, dim=1, eps=1e-8)) ** 2).sum(1).mean()
            return 2.0 - 2.0 * (a * b).sum(1).mean()  # Eq. 6/7: 2 - 2 E <a, SG(b)>
        h1, h2 = enc["enc"](x * m1), enc["enc"](x * m2)
        if c.method == "simsiam":                  # -1/2 cos(p1, SG z2) - 1/2 cos(p2, SG z1)
            p1, p2 = self.heads["pred"](h1), self.heads["pred"](h2)
            return -0.5 * (F.cosine_similarity(p1, h2.detach(), dim=1).mean()
                           + F.cosine_similarity(p2, h1.detach(), dim=1).mean())
        if "proj" in self.heads:
            h1, h2 = self.heads["proj"](h1), self.heads["proj"](h2)
        # NT-Xent (Eq. 8): 2N views, the positive of view i is the other view of its sample,
        # the 2N - 2 others are negatives; similarities / temperature; mean cross-entropy.
        z = torch.cat([h1, h2])
        if c.loss_form == "normalized":
            z = F.normalize(z, dim=1, eps=1e-8)
        N = h1.shape[0]
        S = (z @ z.T / c.temperature).masked_fill(torch.eye(2 * N, dtype=torch.bool), float("-inf"))
        positives = torch.cat([torch.arange(N, 2 * N), torch.arange(N)])
        return F.cross_entropy(S, positives)

    @torch.no_grad()
    def normalize(self, parity: int) -> None:
        """Row (each neuron's weight vector) or column normalisation of W1 after a step: of the
        encoder just updated, or (``weight_norm_scope="all"``) of every encoder."""
        c = self.c
        if c.weight_norm == "none":
            return
        if c.method != "ncl":
            nets = [self.encoders["enc"]]
        elif c.weight_norm_scope == "all":
            nets = [self.encoders["online"], self.encoders["target"]]
        else:
            nets = [self.encoders["online" if parity == 0 else "target"]]
        for net in nets:
            W = net.lins[0].weight
            W.div_(W.norm(dim=1 if c.weight_norm == "row" else 0, keepdim=True).clamp_min(1e-12))

    def named(self) -> dict[str, dict[str, torch.Tensor]]:
        out = {k: e.named() for k, e in self.encoders.items()}
        for k, lin in self.heads.items():
            out[k] = {"W": lin.weight, **({"b": lin.bias} if lin.bias is not None else {})}
        return out


def reference_setup(c: TrainConfig):
    g = torch.Generator().manual_seed(c.seed)
    M = dictionary(c.p, c.d, c.dictionary, generator=g)
    X, _ = make_dataset(c.n, M, c.p_sparse, c.latents, c.noise, generator=g)
    return X, reference_init(c, M, g)


def reference_train(c: TrainConfig, dtype: torch.dtype = F64, epochs: int | None = None):
    """Plain SGD: ``epochs`` passes over a fresh permutation, in minibatches of B; the last,
    partial batch is a step of its own unless ``drop_last``; the parity of a step is its index
    within the epoch.  Returns the model, its initial values and each epoch's mean step loss."""
    X, init = reference_setup(c)
    X = X.to(dtype)
    model = Reference(c, init, dtype)
    opt = torch.optim.SGD([q for q in model.parameters() if q.requires_grad], lr=c.lr, weight_decay=c.weight_decay)
    stream = Stream(c)
    epoch_losses = []
    for _ in range(c.epochs if epochs is None else epochs):
        perm = stream.permutation()
        batches = [perm[s:s + c.batch_size] for s in range(0, c.n, c.batch_size)]
        if c.drop_last:
            batches = [b for b in batches if len(b) == c.batch_size]
        step_losses = []
        for k, idx in enumerate(batches):
            m1, m2 = stream.masks(len(idx), dtype)
            opt.zero_grad(set_to_none=True)   # the branch under stop-gradient gets no grad: no step, no decay
            loss = model.loss(X[idx], m1, m2, parity=k % 2)
            loss.backward()
            opt.step()
            model.normalize(parity=k % 2)
            step_losses.append(loss.item())
        epoch_losses.append(float(np.mean(step_losses)))
    return model, init, epoch_losses


def engine_train(configs: list[TrainConfig], dtype: torch.dtype = F64, epochs: int | None = None):
    eng = Engine(configs, device="cpu", dtype=dtype)
    init = {n: {k: v.detach().clone() for k, v in net.items()} for n, net in eng.model.items()}
    losses = [eng.run_epoch().tolist() for _ in range(configs[0].epochs if epochs is None else epochs)]
    return eng, init, np.array(losses).T          # losses [R, epochs]


def assert_same_params(engine_params: dict, r: int, reference: dict, dtype: torch.dtype, what: str) -> None:
    assert set(engine_params) == set(reference), what
    for net, params in engine_params.items():
        assert set(params) == set(reference[net]), (what, net)
        for name, value in params.items():
            torch.testing.assert_close(value[r].detach(), reference[net][name].detach().to(dtype), **TOL[dtype],
                                       msg=lambda m: f"{what}: {net}.{name}: {m}")


# ============================================================================ the training paths
PATHS: dict[str, dict[str, Any]] = {
    # non-contrastive, Eq. 4-7 (online/target alternation)
    "ncl simplified": dict(method="ncl"),
    "ncl simplified inner loss": dict(method="ncl", loss_form="inner"),
    "ncl relu + bn": dict(method="ncl", activation="relu", batchnorm=True),
    "ncl linear": dict(method="ncl", activation="none", loss_form="inner", lr=0.02),
    "ncl code symrelu + torch biases": dict(method="ncl", symrelu_form="code", bias_init="torch"),
    "ncl pred": dict(method="ncl", predictor=True),
    "ncl pred + bn": dict(method="ncl", predictor=True, batchnorm=True),
    "ncl pred no bias": dict(method="ncl", predictor=True, predictor_bias=False),
    "ncl frozen pred": dict(method="ncl", predictor=True, freeze_predictor=True),
    "ncl two-layer + bn": dict(method="ncl", layers=2, batchnorm=True),
    "ncl two-layer code form + pred": dict(method="ncl", layers=2, symrelu_form="code", predictor=True),
    "ncl warm + row norm": dict(method="ncl", init="warm", weight_norm="row"),
    "ncl warm cover + column norm": dict(method="ncl", init="warm", warm_pick="cover", weight_norm="column"),
    "ncl warm code + row norm all": dict(method="ncl", init="warm", warm_pick="code", m=4, weight_norm="row",
                                         weight_norm_scope="all", predictor=True),
    "ncl random init + column norm all": dict(method="ncl", weight_norm="column", weight_norm_scope="all"),
    "ncl weight decay + drop masks": dict(method="ncl", weight_decay=0.5, masking_prob=0.3, mask_meaning="drop"),
    # contrastive, NT-Xent (Eq. 8)
    "cl nt-xent": dict(method="cl"),
    "cl nt-xent dependent masks": dict(method="cl", augmentation="dependent"),
    "cl projector + bn": dict(method="cl", projector=True, batchnorm=True, activation="relu"),
    "cl inner": dict(method="cl", loss_form="inner", temperature=2.0),
    "cl two-layer + row norm": dict(method="cl", layers=2, weight_norm="row", init="random"),
    "cl weight decay": dict(method="cl", weight_decay=0.3, temperature=0.5),
    # Simplified-SimSiam
    "simsiam": dict(method="simsiam", predictor=True),
    "simsiam bn two-layer": dict(method="simsiam", predictor=True, batchnorm=True, layers=2),
}


@pytest.mark.parametrize("drop_last", [False, True], ids=["keep-last", "drop-last"])
@pytest.mark.parametrize("path", PATHS)
def test_engine_equals_plain_torch_loop(path, drop_last):
    """Same initial values, same final parameters, same mean step loss per epoch (float64)."""
    c = TrainConfig(**{**TINY, **PATHS[path], "drop_last": drop_last})
    ref, ref_init, ref_losses = reference_train(c)
    eng, eng_init, eng_losses = engine_train([c])
    assert_same_params(eng_init, 0, ref_init, F64, "initial values")
    assert_same_params(eng.model, 0, ref.named(), F64, f"after {c.epochs} epochs")
    np.testing.assert_allclose(eng_losses[0], ref_losses, rtol=1e-9, atol=1e-10)


def test_float32_engine_equals_plain_torch_loop():
    """The float32 engine against the same loop in float32 (atol 1e-5)."""
    for extra in (dict(method="ncl", predictor=True, batchnorm=True), dict(method="cl", projector=True)):
        c = TrainConfig(**{**TINY, **extra})
        ref, _, _ = reference_train(c, torch.float32)
        eng, _, _ = engine_train([c], torch.float32)
        assert_same_params(eng.model, 0, ref.named(), torch.float32, str(extra))


@pytest.mark.parametrize("method", ["ncl", "cl"])
def test_replicas_with_their_own_lr_and_weight_decay(method):
    """Replicas trained together with different learning rates, weight decays, Pr(sparse) and
    seeds: each equals its own plain loop (the engine's per-replica SGD path)."""
    cs = [TrainConfig(**{**TINY, "method": method, "seed": 5, "lr": 0.05, "weight_decay": 0.2}),
          TrainConfig(**{**TINY, "method": method, "seed": 6, "lr": 0.02, "p_sparse": 0.3}),
          TrainConfig(**{**TINY, "method": method, "seed": 7, "lr": 0.08, "weight_decay": 1.0, "masking_prob": 0.7})]
    eng, _, losses = engine_train(cs)
    for r, c in enumerate(cs):
        ref, _, ref_losses = reference_train(c)
        assert_same_params(eng.model, r, ref.named(), F64, f"replica {r}")
        np.testing.assert_allclose(losses[r], ref_losses, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("extra", [dict(method="ncl", predictor=True), dict(method="cl"),
                                   dict(method="ncl", layers=2, metric_layer="product")],
                         ids=["ncl", "cl", "two-layer product"])
def test_train_returns_the_reference_weights_and_losses(extra):
    """``landscape.train.train`` end to end: its final metric weights (W1, or W2 W1 with
    ``metric_layer="product"``) and logged losses are the plain loop's after 3 epochs."""
    c = TrainConfig(**{**TINY, **extra, "epochs": 3})
    r = train(c, device="cpu", dtype=F64)
    ref, _, ref_losses = reference_train(c)
    enc = ref.named()["online" if c.method == "ncl" else "enc"]
    W = enc["W2"] @ enc["W1"] if c.metric_layer == "product" and c.layers == 2 else enc["W1"]
    np.testing.assert_allclose(r.final_weights[0], W.detach().numpy(), rtol=1e-9, atol=1e-10)
    assert r.epochs.tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(r.loss[0, 1:], ref_losses, rtol=1e-9, atol=1e-10)


# ============================================================================ the minibatch schedule
def _steps(c: TrainConfig, epochs: int = 2) -> list[list[tuple[int, int]]]:
    """(batch size, parity) of every step the engine takes, per epoch."""
    eng = Engine([c], device="cpu", dtype=F64)
    seen: list[tuple[int, int]] = []
    step = eng.step
    eng.step = lambda x, parity, masks=None: (seen.append((x.shape[1], parity)), step(x, parity, masks))[1]
    out = []
    for _ in range(epochs):
        eng.run_epoch()
        out.append(seen[:])
        seen.clear()
    return out


@pytest.mark.parametrize("n, B, drop_last, steps", [
    (120, 50, False, [(50, 0), (50, 1), (20, 0)]),    # ceil(n / B) steps: the partial batch is a step
    (120, 50, True, [(50, 0), (50, 1)]),              # n // B steps
    (100, 50, False, [(50, 0), (50, 1)]),
    (100, 50, True, [(50, 0), (50, 1)]),
    (149, 50, False, [(50, 0), (50, 1), (49, 0)]),
    (151, 50, False, [(50, 0), (50, 1), (50, 0), (1, 1)]),
    (151, 50, True, [(50, 0), (50, 1), (50, 0)]),
    (30, 50, False, [(30, 0)]),                       # B > n: one step on all n samples
])
def test_steps_per_epoch_and_parities(n, B, drop_last, steps):
    """Steps per epoch: ceil(n / B), or n // B with drop_last; the online/target parity is the
    step's index within the epoch (online on even steps, Sec. 4.1), from 0 in every epoch."""
    c = TrainConfig(**{**TINY, "n": n, "batch_size": B, "drop_last": drop_last})
    assert _steps(c) == [steps, steps]


def test_alternation_updates_online_on_even_and_target_on_odd_steps():
    """After each step only the network of that step's parity has moved (with the predictor,
    on the branch updated); n = 120, B = 50 gives online, target, online."""
    c = TrainConfig(**{**TINY, "predictor": True})
    eng = Engine([c], device="cpu", dtype=F64)
    snap = lambda: {n: {k: v.detach().clone() for k, v in net.items()} for n, net in eng.model.items()}
    moved = []
    before = snap()
    step = eng.step

    def recording_step(x, parity, masks=None):
        nonlocal before
        loss = step(x, parity, masks)
        after = snap()
        moved.append({n for n in after if any(not torch.equal(after[n][k], before[n][k]) for k in after[n])})
        before = after
        return loss

    eng.step = recording_step
    eng.run_epoch()
    assert moved == [{"online", "pred"}, {"target", "pred"}, {"online", "pred"}]
