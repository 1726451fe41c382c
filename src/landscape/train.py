"""The batched training engine: all replicas of an experiment in one set of tensors.

A replica is one :class:`~landscape.config.TrainConfig` (a seed and any per-replica values such
as Pr(sparse)).  Replicas that share a network shape are trained together; each replica draws
its data, initial weights, shuffles and masks from generators seeded by its own seed only, so
it gives the same numbers whether it is trained alone or beside others.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import torch
from torch import Tensor

from . import losses
from .config import REPLICA_FIELDS, TrainConfig, structural_key
from .data import dictionary, draw_masks, make_dataset
from .metrics import max_cosine_summary
from .models import encode, encoder_weight, head, init_model, normalize_rows_


class TrainingDiverged(RuntimeError):
    """Raised when a replica's loss or weights become NaN or infinite."""


@dataclass
class TrainResult:
    """Logged curves of a batched run.  Arrays have the replica dimension first."""

    configs: list[TrainConfig]
    epochs: np.ndarray                 # [T] epochs at which metrics were logged (0 = initial)
    loss: np.ndarray                   # [R, T] mean step loss over the epochs since the last log (NaN at 0)
    maxcos: np.ndarray                 # [R, T, 3] min / median / max of Eq. (11)
    final_weights: np.ndarray          # [R, m, p] the metric's encoder weights at the end
    dictionaries: np.ndarray           # [R, p, d]
    wall_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def final_maxcos(self) -> np.ndarray:
        return self.maxcos[:, -1, :]


def resolve_device(device: str = "auto") -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device not in ("cpu", "cuda"):
        raise ValueError(f"unknown device {device!r}; valid choices: auto, cpu, cuda")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' requested but CUDA is not available; use 'auto' or 'cpu'")
    return torch.device(device)


def _seed_generators(seed: int, device: torch.device) -> tuple[torch.Generator, torch.Generator]:
    """A CPU generator for data and initialisation, and one on ``device`` for shuffles and masks."""
    g_setup = torch.Generator().manual_seed(seed)
    g_train = torch.Generator(device=device).manual_seed(seed * 1_000_003 + 7919)
    return g_setup, g_train


class Engine:
    """State of a batched run: parameters, data and per-replica generators."""

    def __init__(self, configs: Sequence[TrainConfig], device: str = "auto",
                 dtype: torch.dtype = torch.float32) -> None:
        if not configs:
            raise ValueError("train needs at least one configuration")
        keys = {structural_key(c) for c in configs}
        if len(keys) > 1:
            first = configs[0].to_dict()
            diff = sorted({k for c in configs[1:] for k, v in c.to_dict().items()
                           if k not in REPLICA_FIELDS and v != first[k]})
            raise ValueError("replicas trained together must share their network and schedule; "
                             f"these fields differ: {', '.join(diff)}")
        self.configs = list(configs)
        self.cfg = cfg = configs[0]
        self.device = resolve_device(device)
        self.dtype = dtype
        R = self.R = len(configs)
        Ms, Xs, models, self.g_train = [], [], [], []
        for c in configs:
            g_setup, g_train = _seed_generators(c.seed, self.device)
            M = dictionary(c.p, c.d, c.dictionary, generator=g_setup)
            X, _ = make_dataset(c.n, M, c.p_sparse, c.latents, c.noise, generator=g_setup)
            models.append(init_model(M, c, g_setup))
            Ms.append(M)
            Xs.append(X)
            self.g_train.append(g_train)
        put = lambda t: t.to(device=self.device, dtype=dtype)
        self.M = put(torch.stack(Ms))
        self.X = put(torch.stack(Xs))
        self.model = {name: {k: put(torch.stack([mdl[name][k] for mdl in models])).requires_grad_()
                             for k in models[0][name]} for name in models[0]}
        col = lambda vals: torch.tensor(vals, dtype=dtype, device=self.device).reshape(R, 1, 1)
        self.alpha = col([c.alpha for c in configs])
        self.lr = [c.lr for c in configs]
        self.lr_t = col(self.lr)
        self.decay_t = col([1.0 - c.lr * c.weight_decay for c in configs])
        self.temperature = col([c.temperature for c in configs])
        self.uniform_lr = len(set(self.lr)) == 1 and all(c.weight_decay == 0 for c in configs)
        self.epoch = 0
        self._u1 = torch.empty(R, cfg.batch_size, cfg.p, dtype=dtype, device=self.device)
        self._u2 = torch.empty_like(self._u1)

    # ------------------------------------------------------------------ randomness per replica
    def _perms(self) -> Tensor:
        return torch.stack([torch.randperm(self.cfg.n, generator=g, device=self.device) for g in self.g_train])

    def _masks(self, N: int) -> tuple[Tensor, Tensor]:
        """Mask multipliers for both views, ``[R, N, p]``, each replica from its own generator."""
        u1, u2 = self._u1[:, :N], self._u2[:, :N]
        dependent = self.cfg.augmentation == "dependent"
        for r, g in enumerate(self.g_train):
            u1[r].uniform_(generator=g)
            if not dependent:
                u2[r].uniform_(generator=g)
        if dependent:
            keep = (u1 < self.alpha).to(self.dtype)
            return 2.0 * keep, 2.0 - 2.0 * keep
        return (u1 < self.alpha).to(self.dtype), (u2 < self.alpha).to(self.dtype)

    # ------------------------------------------------------------------ one SGD step
    def _sgd(self, params: list[Tensor], loss: Tensor) -> None:
        grads = torch.autograd.grad(loss.sum(), params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                if self.uniform_lr:
                    p.sub_(g, alpha=self.lr[0])
                else:
                    shape = (self.R,) + (1,) * (p.dim() - 1)
                    p.mul_(self.decay_t.reshape(shape)).sub_(g * self.lr_t.reshape(shape))

    def _normalize(self, net: dict[str, Tensor]) -> None:
        if self.cfg.weight_norm != "none":
            with torch.no_grad():
                normalize_rows_(net["W1"], self.cfg.weight_norm)

    def step(self, x: Tensor, parity: int) -> Tensor:
        """One SGD step on the batch ``x [R, N, p]``; returns the per-replica loss ``[R]``."""
        cfg, mdl = self.cfg, self.model
        m1, m2 = self._masks(x.shape[1])
        a1, a2 = x * m1, x * m2
        if cfg.method == "ncl":
            # Alternating optimisation (Sec. 4.1): online on even batches, target on odd ones,
            # the other network under stop-gradient.  The predictor (if any) is on the branch
            # being updated and is trained every step.
            upd, other = ("online", "target") if parity == 0 else ("target", "online")
            xa, xb = (a1, a2) if parity == 0 else (a2, a1)
            with torch.no_grad():
                hb = encode(mdl[other], xb, cfg)
            ha = encode(mdl[upd], xa, cfg)
            if cfg.predictor:
                ha = head(mdl["pred"], ha)
            loss_fn = losses.ncl_normalized if cfg.loss_form == "normalized" else losses.ncl_inner
            loss = loss_fn(ha, hb)
            params = list(mdl[upd].values()) + (list(mdl["pred"].values()) if cfg.predictor else [])
            self._sgd(params, loss)
            self._normalize(mdl[upd])
            return loss.detach()
        enc = mdl["enc"]
        h1, h2 = encode(enc, a1, cfg), encode(enc, a2, cfg)
        params = list(enc.values())
        if cfg.method == "cl":
            if cfg.projector:
                h1, h2 = head(mdl["proj"], h1), head(mdl["proj"], h2)
                params += list(mdl["proj"].values())
            loss = losses.nt_xent(h1, h2, self.temperature, normalize=cfg.loss_form == "normalized")
        else:  # simsiam
            p1, p2 = head(mdl["pred"], h1), head(mdl["pred"], h2)
            params += list(mdl["pred"].values())
            loss = losses.simsiam(p1, h1, p2, h2)
        self._sgd(params, loss)
        self._normalize(enc)
        return loss.detach()

    def run_epoch(self) -> Tensor:
        """One pass over the data in minibatches; returns the mean step loss per replica."""
        cfg = self.cfg
        perm = self._perms()
        B = cfg.batch_size
        n_batches = cfg.n // B if cfg.drop_last else math.ceil(cfg.n / B)
        ridx = torch.arange(self.R, device=self.device)[:, None]
        total = torch.zeros(self.R, dtype=self.dtype, device=self.device)
        for k in range(n_batches):
            x = self.X[ridx, perm[:, k * B:(k + 1) * B]]
            total += self.step(x, k % 2)
        self.epoch += 1
        return total / n_batches

    # ------------------------------------------------------------------ metrics and state
    def metric_net(self) -> dict[str, Tensor]:
        return self.model["online" if self.cfg.method == "ncl" else "enc"]

    def maxcos(self) -> Tensor:
        with torch.no_grad():
            return max_cosine_summary(encoder_weight(self.metric_net(), self.cfg), self.M)

    def state_dict(self) -> dict[str, Any]:
        return {"epoch": self.epoch,
                "model": {n: {k: v.detach().cpu().clone() for k, v in net.items()} for n, net in self.model.items()},
                "g_train": [g.get_state() for g in self.g_train]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.epoch = state["epoch"]
        with torch.no_grad():
            for n, net in self.model.items():
                for k, v in net.items():
                    v.copy_(state["model"][n][k])
        for g, s in zip(self.g_train, state["g_train"]):
            g.set_state(s)


def log_epochs(epochs: int, log_every: int) -> list[int]:
    """Epochs at which metrics are logged: 0, k, 2k, ... and always the last one."""
    pts = list(range(0, epochs + 1, log_every))
    if pts[-1] != epochs:
        pts.append(epochs)
    return pts


def train(configs: TrainConfig | Sequence[TrainConfig], *, device: str = "auto",
          dtype: torch.dtype = torch.float32, progress: bool | str = False,
          checkpoint: Callable[[Engine, dict[str, Any]], None] | None = None,
          resume: dict[str, Any] | None = None, checkpoint_every_s: float = 60.0) -> TrainResult:
    """Train all ``configs`` together and return their logged curves.

    ``progress`` shows a tqdm bar (a string is used as its description).  ``checkpoint`` is
    called with the engine and the logs so far at most every ``checkpoint_every_s`` seconds;
    ``resume`` continues from such a saved state (see :mod:`landscape.cache`).
    """
    if isinstance(configs, TrainConfig):
        configs = [configs]
    t0 = time.perf_counter()
    eng = Engine(configs, device=device, dtype=dtype)
    cfg = eng.cfg
    points = log_epochs(cfg.epochs, cfg.log_every)
    logs: dict[str, list] = {"loss": [], "maxcos": []}
    if resume is not None:
        eng.load_state_dict(resume["engine"])
        logs = {k: list(v) for k, v in resume["logs"].items()}
    else:
        logs["loss"].append(np.full(eng.R, np.nan))
        logs["maxcos"].append(eng.maxcos().cpu().double().numpy())
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=cfg.epochs, initial=eng.epoch, desc=progress if isinstance(progress, str) else "train",
                   unit="epoch", mininterval=1.0)
    last_ckpt = time.perf_counter()
    acc = torch.zeros(eng.R, dtype=torch.float64, device=eng.device)
    count = 0
    while eng.epoch < cfg.epochs:
        acc += eng.run_epoch().double()
        count += 1
        if bar is not None:
            bar.update(1)
        if eng.epoch in points[1:]:
            loss = (acc / count).cpu().numpy()
            acc.zero_()
            count = 0
            mc = eng.maxcos().cpu().double().numpy()
            bad = ~np.isfinite(loss) | ~np.isfinite(mc).all(-1)
            if bad.any():
                r = int(np.flatnonzero(bad)[0])
                raise TrainingDiverged(
                    f"training diverged (NaN/inf loss or weights) by epoch {eng.epoch} in replica {r} "
                    f"(seed {configs[r].seed}, p_sparse {configs[r].p_sparse}); lower 'lr' "
                    f"(now {configs[r].lr}) or change the initialisation")
            logs["loss"].append(loss)
            logs["maxcos"].append(mc)
            if checkpoint is not None and time.perf_counter() - last_ckpt > checkpoint_every_s:
                checkpoint(eng, logs)
                last_ckpt = time.perf_counter()
    if bar is not None:
        bar.close()
    with torch.no_grad():
        W = encoder_weight(eng.metric_net(), cfg).detach().cpu().double().numpy()
    return TrainResult(
        configs=list(configs), epochs=np.array(points),
        loss=np.stack(logs["loss"], axis=1), maxcos=np.stack(logs["maxcos"], axis=1),
        final_weights=W, dictionaries=eng.M.cpu().double().numpy(),
        wall_s=time.perf_counter() - t0 + (resume or {}).get("wall_s", 0.0))
