"""Encoders, predictor and projector as plain functions of batched parameters.

Every parameter tensor has a leading replica dimension R, so one call runs all replicas of an
experiment.  A network is a ``dict[str, Tensor]``:

* ``W1 [R, m, p]``, ``b1 [R, m]`` and, with BatchNorm, ``g1, c1 [R, m]`` (scale and shift);
* for a two-layer encoder also ``W2 [R, m, m]``, ``b2``, ``g2``, ``c2``;
* a head (predictor, Eq. 5, or projector) is ``W [R, m, m]``, ``b [R, m]``.
"""
from __future__ import annotations

import math

import torch
from torch import Tensor

from .config import TrainConfig

BN_EPS = 1e-5


def symrelu(u: Tensor, b: Tensor, form: str = "paper") -> Tensor:
    """Symmetric ReLU.

    ``paper`` (Eq. 14): SReLU_b(u) = ReLU(u - b) - ReLU(-u - b).
    ``code`` (public code): ReLU(u) - ReLU(-u + 2b), where u already contains the bias.
    """
    if form == "paper":
        return torch.relu(u - b) - torch.relu(-u - b)
    return torch.relu(u) - torch.relu(2 * b - u)


def batchnorm(u: Tensor, g: Tensor, c: Tensor) -> Tensor:
    """BatchNorm with batch statistics (training mode) over the sample dimension of ``[R, N, m]``."""
    centred = u - u.mean(dim=1, keepdim=True)
    var = (centred * centred).mean(dim=1, keepdim=True)  # biased, as BatchNorm in training mode
    return centred * (torch.rsqrt(var + BN_EPS) * g[:, None, :]) + c[:, None, :]


def _bias_inside(cfg: TrainConfig) -> bool:
    """In the paper's SReLU the bias is the threshold; otherwise it is added to W x."""
    return not (cfg.activation == "symrelu" and cfg.symrelu_form == "paper")


def encode(net: dict[str, Tensor], x: Tensor, cfg: TrainConfig) -> Tensor:
    """h(x) = act(BN(W x + b)) for each layer (Sec. 4.1; BN and act as configured). ``x [R, N, p]``."""
    h = x
    for layer in range(1, cfg.layers + 1):
        W, b = net[f"W{layer}"], net[f"b{layer}"]
        if _bias_inside(cfg):
            u = torch.baddbmm(b[:, None, :], h, W.transpose(1, 2))
        else:
            u = torch.bmm(h, W.transpose(1, 2))
        if cfg.batchnorm:
            u = batchnorm(u, net[f"g{layer}"], net[f"c{layer}"])
        if cfg.activation == "symrelu":
            h = symrelu(u, b[:, None, :], cfg.symrelu_form)
        elif cfg.activation == "relu":
            h = torch.relu(u)
        else:
            h = u
    return h


def head(net: dict[str, Tensor], h: Tensor) -> Tensor:
    """Linear predictor (Eq. 5) or projector: W h + b (W h without a bias), nothing after it."""
    if "b" not in net:
        return torch.bmm(h, net["W"].transpose(1, 2))
    return torch.baddbmm(net["b"][:, None, :], h, net["W"].transpose(1, 2))


def encoder_weight(net: dict[str, Tensor], cfg: TrainConfig) -> Tensor:
    """The ``[R, m, p]`` matrix whose rows the max-cosine metric (Eq. 11) compares with M."""
    if cfg.layers == 2 and cfg.metric_layer == "product":
        return net["W2"] @ net["W1"]
    return net["W1"]


# ----------------------------------------------------------------------------- initialisation
def init_std(cfg: TrainConfig) -> float:
    """Random initialisation N(0, 1/(p d)) (Sec. 4.2)."""
    return 1.0 / math.sqrt(cfg.p * cfg.d)


def warm_rows(M: Tensor, cfg: TrainConfig, generator: torch.Generator) -> Tensor:
    """Warm start: rows of W (columns of W^T) are random columns of M plus N(0, sigma^2) noise,
    sigma = p^(-c/2) (Sec. 5.2.2).  ``with_replacement``: m columns drawn with replacement;
    ``cover`` uses every column at least once when m >= d, in a random order of its own for each
    network; ``code`` is the public code's ``gen_Winit``: when m = d, row i starts at column i in
    every network, so that neuron i of the online and of the target network start at the same
    column (the non-contrastive loss compares them neuron by neuron), and m columns drawn with
    replacement when m > d (as ``with_replacement``)."""
    p, d = M.shape
    if cfg.warm_pick == "code" and cfg.m == d:
        idx = torch.arange(d)
    elif cfg.warm_pick in ("with_replacement", "code"):
        idx = torch.randint(d, (cfg.m,), generator=generator)
    else:
        extra = torch.randint(d, (cfg.m - d,), generator=generator)
        idx = torch.cat([torch.arange(d), extra])[torch.randperm(cfg.m, generator=generator)]
    return M[:, idx].T + cfg.sigma * torch.randn(cfg.m, p, generator=generator, dtype=M.dtype)


def init_encoder(M: Tensor, cfg: TrainConfig, generator: torch.Generator) -> dict[str, Tensor]:
    """One replica's encoder (no replica dimension), float64 on the CPU."""
    dt = torch.float64
    if cfg.init == "warm":
        W1 = warm_rows(M, cfg, generator)
    else:
        W1 = init_std(cfg) * torch.randn(cfg.m, cfg.p, generator=generator, dtype=dt)
    net = {"W1": W1, "b1": torch.zeros(cfg.m, dtype=dt)}
    if cfg.layers == 2:
        net["W2"] = init_std(cfg) * torch.randn(cfg.m, cfg.m, generator=generator, dtype=dt)
        net["b2"] = torch.zeros(cfg.m, dtype=dt)
    if cfg.batchnorm:
        for layer in range(1, cfg.layers + 1):
            net[f"g{layer}"] = torch.ones(cfg.m, dtype=dt)
            net[f"c{layer}"] = torch.zeros(cfg.m, dtype=dt)
    return net


def init_head(cfg: TrainConfig, generator: torch.Generator, bias: bool = True) -> dict[str, Tensor]:
    """A linear predictor or projector, N(0, 1/(p d)) weights and zero bias (none with ``bias=False``)."""
    W = init_std(cfg) * torch.randn(cfg.m, cfg.m, generator=generator, dtype=torch.float64)
    return {"W": W, "b": torch.zeros(cfg.m, dtype=torch.float64)} if bias else {"W": W}


def init_model(M: Tensor, cfg: TrainConfig, generator: torch.Generator) -> dict[str, dict[str, Tensor]]:
    """All networks of one replica: ``online``/``target`` (and ``pred``) for the non-contrastive
    model; ``enc`` (and ``proj`` or ``pred``) for the contrastive and SimSiam models."""
    if cfg.method == "ncl":
        model = {"online": init_encoder(M, cfg, generator), "target": init_encoder(M, cfg, generator)}
    else:
        model = {"enc": init_encoder(M, cfg, generator)}
    if cfg.predictor:
        model["pred"] = init_head(cfg, generator, bias=cfg.predictor_bias)
    if cfg.projector:
        model["proj"] = init_head(cfg, generator)
    if cfg.head_init == "torch":
        init_heads_(model, cfg, generator)
    if cfg.bias_init == "torch":
        init_biases_(model, generator)
    return model


def init_heads_(model: dict[str, dict[str, Tensor]], cfg: TrainConfig, generator: torch.Generator) -> None:
    """``head_init="torch"``: the weights of the predictor, the projector and SimSiam's
    projection layer ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), ``nn.Linear``'s default, which the
    public code keeps (it overwrites the first layer only).  Drawn after all other weights."""
    heads = [model[k] for k in ("pred", "proj") if k in model]
    targets = [(net, "W") for net in heads]
    if cfg.method == "simsiam" and "W2" in model["enc"]:
        targets.insert(0, (model["enc"], "W2"))
    for net, name in targets:
        W = net[name]
        bound = 1.0 / math.sqrt(W.shape[1])
        net[name] = (2.0 * torch.rand(W.shape, generator=generator, dtype=W.dtype) - 1.0) * bound


def init_biases_(model: dict[str, dict[str, Tensor]], generator: torch.Generator) -> None:
    """``bias_init="torch"``: every encoder and head bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
    ``nn.Linear``'s default, which the public code keeps (it overwrites only the weights); the
    text (Sec. 4.2) starts biases at zero.  Drawn after all weights, so that a seed gives the
    same weights under either bias initialisation."""
    for net in model.values():
        for name in sorted(k for k in net if k[0] == "b"):
            W = net["W" + name[1:]]
            bound = 1.0 / math.sqrt(W.shape[1])
            net[name] = (2.0 * torch.rand(net[name].shape, generator=generator, dtype=W.dtype) - 1.0) * bound


def normalize_rows_(W: Tensor, mode: str) -> None:
    """Row or column normalisation of ``W [R, m, p]`` in place (Sec. 5.2.2, Figs. 7, 13-16)."""
    if mode == "row":
        W.div_(W.norm(dim=2, keepdim=True).clamp_min(1e-12))
    elif mode == "column":
        W.div_(W.norm(dim=1, keepdim=True).clamp_min(1e-12))
