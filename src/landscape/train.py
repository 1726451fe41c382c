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
from functools import partial
from typing import Any, Callable, Sequence

import numpy as np
import torch
from torch import Tensor

from . import losses
from .config import REPLICA_FIELDS, TrainConfig, structural_key
from .data import dictionary, make_dataset, mask_threshold
from .metrics import max_cosine_summary
from .models import encode, encoder_weight, head, init_model, normalize_rows_
from .threads import num_threads


#: Weights beyond this magnitude count as diverged (float32 norms overflow soon after).
WEIGHT_LIMIT = 1e12


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


def divergence_causes(c: TrainConfig) -> list[tuple[float, str]]:
    """The parameters that can make ``c``'s training diverge, as ``(how far from the paper's
    value in the harmful direction, in decades; advice)``, the most unusual first.  The learning
    rate always; the NT-Xent temperature of a contrastive model (similarities are divided by it);
    a warm start's noise sigma; a weight decay with ``lr * weight_decay > 1``; the unnormalised
    ``inner`` losses."""
    paper = TrainConfig()
    out = [(math.log10(c.lr / paper.lr), f"lower 'lr' (now {c.lr:g}; the paper's {paper.lr:g})")]
    if c.method == "cl":
        out.append((math.log10(paper.temperature / c.temperature),
                    f"raise 'temperature' (now {c.temperature:g}; the paper's {paper.temperature:g})"))
    if c.init == "warm":
        reference = c.p ** -0.5
        if c.warm_sigma is not None:
            text = f"lower 'warm_sigma' (Table 4's 'sigmas'; now {c.warm_sigma:g}; the paper's p^-1/2 = {reference:.3g})"
        else:
            text = (f"raise 'warm_c' (now {c.warm_c:g}, so the warm start's sigma = p^(-c/2) = {c.sigma:.3g}; "
                    f"the paper's c = 1)")
        out.append((math.log10(max(c.sigma, 1e-300) / reference), text))
    if c.lr * c.weight_decay > 1:
        out.append((math.log10(c.lr * c.weight_decay), f"lower 'weight_decay' (now {c.weight_decay:g}: "
                                                       f"lr x weight_decay = {c.lr * c.weight_decay:.3g} > 1)"))
    if c.loss_form == "inner":
        out.append((0.0, "use loss_form 'normalized' (the 'inner' losses are unbounded)"))
    return sorted(out, key=lambda item: -item[0])


def divergence_advice(c: TrainConfig) -> str:
    """:func:`divergence_causes` as one line: ``raise 'temperature' (...), lower 'lr' (...)``."""
    return "; ".join(text for _, text in divergence_causes(c))


def resolve_device(device: str = "auto") -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device not in ("cpu", "cuda"):
        raise ValueError(f"unknown device {device!r}; valid choices: auto, cpu, cuda")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' requested but CUDA is not available; use 'auto' or 'cpu'")
    return torch.device(device)


def _train_seed(seed: int) -> int:
    """Seed of a replica's training randomness (shuffles and masks), distinct from its setup seed."""
    return seed * 1_000_003 + 7919


# ----------------------------------------------------------------------------- the loss functions
# Pure functions of the parameters and the batch, so that they can be compiled as a whole.
def ncl_step_loss(cfg: TrainConfig, upd: dict[str, Tensor], pred: dict[str, Tensor] | None,
                  other: dict[str, Tensor], x: Tensor, ma: Tensor, mb: Tensor) -> Tensor:
    """Non-contrastive loss of the branch being updated (Eq. 4/5, or Eq. 6/7 with
    ``loss_form='inner'``); the other branch is under stop-gradient."""
    with torch.no_grad():
        hb = encode(other, x * mb, cfg)
    ha = encode(upd, x * ma, cfg)
    if pred is not None:
        ha = head(pred, ha)
    if cfg.loss_form == "normalized":
        return losses.ncl_normalized(ha, hb)
    return losses.ncl_inner(ha, hb)


def cl_step_loss(cfg: TrainConfig, enc: dict[str, Tensor], proj: dict[str, Tensor] | None,
                 x: Tensor, m1: Tensor, m2: Tensor, temperature: Tensor) -> Tensor:
    """Contrastive NT-Xent loss (Eq. 8) on the two views, with an optional projector."""
    h1, h2 = encode(enc, x * m1, cfg), encode(enc, x * m2, cfg)
    if proj is not None:
        h1, h2 = head(proj, h1), head(proj, h2)
    return losses.nt_xent(h1, h2, temperature, normalize=cfg.loss_form == "normalized")


def simsiam_step_loss(cfg: TrainConfig, enc: dict[str, Tensor], pred: dict[str, Tensor],
                      x: Tensor, m1: Tensor, m2: Tensor) -> Tensor:
    """Simplified-SimSiam: shared encoder, linear predictor, symmetric negative cosine."""
    h1, h2 = encode(enc, x * m1, cfg), encode(enc, x * m2, cfg)
    return losses.simsiam(head(pred, h1), h1, head(pred, h2), h2)


class Engine:
    """State of a batched run: parameters, data and per-replica random streams.

    On the CPU each replica draws its shuffles and masks from its own NumPy PCG64 stream (mask
    entries compare 32 random bits with alpha 2^32); on CUDA from its own torch CUDA generator.
    ``compile=True`` compiles the loss with ``torch.compile`` (faster for long runs; its numbers
    differ from eager mode in the last bits, so it is part of the cache key)."""

    def __init__(self, configs: Sequence[TrainConfig], device: str = "auto",
                 dtype: torch.dtype = torch.float32, compile: bool = False) -> None:
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
        Ms, Xs, models = [], [], []
        for c in configs:
            g_setup = torch.Generator().manual_seed(c.seed)
            M = dictionary(c.p, c.d, c.dictionary, generator=g_setup)
            X, _ = make_dataset(c.n, M, c.p_sparse, c.latents, c.noise, std=c.noise_std,
                                 generator=g_setup)
            models.append(init_model(M, c, g_setup))
            Ms.append(M)
            Xs.append(X)
        if self.device.type == "cpu":
            self.rngs = [np.random.Generator(np.random.PCG64(_train_seed(c.seed))) for c in configs]
        else:
            self.rngs = [torch.Generator(device=self.device).manual_seed(_train_seed(c.seed)) for c in configs]
        put = lambda t: t.to(device=self.device, dtype=dtype)
        self.M = put(torch.stack(Ms))
        self.X = put(torch.stack(Xs))
        self.model = {name: {k: put(torch.stack([mdl[name][k] for mdl in models])).requires_grad_()
                             for k in models[0][name]} for name in models[0]}
        if cfg.freeze_predictor:
            for v in self.model["pred"].values():
                v.requires_grad_(False)
        col = lambda vals: torch.tensor(vals, dtype=dtype, device=self.device).reshape(R, 1, 1)
        self.alphas = [c.alpha for c in configs]
        self.alpha = col(self.alphas)
        # 32-bit thresholds: P(u32 <= thr) = (thr + 1) / 2^32 = alpha up to 2^-32
        self.thr = np.array([mask_threshold(a) for a in self.alphas], dtype=np.uint32)[:, None]
        self.lr = [c.lr for c in configs]
        self.lr_t = col(self.lr)
        self.decay_t = col([1.0 - c.lr * c.weight_decay for c in configs])
        self.temperature = col([c.temperature for c in configs])
        self.uniform_lr = len(set(self.lr)) == 1 and all(c.weight_decay == 0 for c in configs)
        self.epoch = 0
        self.compiled = bool(compile)
        self._ncl = partial(ncl_step_loss, cfg)
        self._cl = partial(cl_step_loss, cfg)
        self._simsiam = partial(simsiam_step_loss, cfg)
        if compile:
            self._ncl, self._cl, self._simsiam = (torch.compile(f, dynamic=False)
                                                  for f in (self._ncl, self._cl, self._simsiam))

    # ------------------------------------------------------------------ randomness per replica
    def _perms(self) -> Tensor:
        n = self.cfg.n
        if self.device.type == "cpu":
            return torch.from_numpy(np.stack([g.permutation(n) for g in self.rngs]))
        return torch.stack([torch.randperm(n, generator=g, device=self.device) for g in self.rngs])

    def _uniform_masks(self, N: int) -> Tensor:
        """``[R, N, p]`` Bernoulli(alpha_r) keep-masks (bool, True = keep), one stream per replica."""
        size = N * self.cfg.p
        if self.device.type == "cpu":
            bits = np.stack([g.bit_generator.random_raw((size + 1) // 2).view(np.uint32)[:size]
                             for g in self.rngs])
            return torch.from_numpy(bits <= self.thr).reshape(self.R, N, self.cfg.p)
        u = torch.stack([torch.rand(size, generator=g, device=self.device, dtype=self.dtype)
                         for g in self.rngs]).reshape(self.R, N, self.cfg.p)
        return u < self.alpha

    def _masks(self, N: int) -> tuple[Tensor, Tensor]:
        """Mask multipliers of both views: Eq. (3) (independent, bool keep-masks) or Eq. (2)
        (dependent: 2 D and 2 (I - D))."""
        m1 = self._uniform_masks(N)
        if self.cfg.augmentation == "dependent":
            keep = m1.to(self.dtype)
            return 2.0 * keep, 2.0 - 2.0 * keep
        return m1, self._uniform_masks(N)

    # ------------------------------------------------------------------ one SGD step
    def _sgd(self, params: list[Tensor], loss: Tensor) -> None:
        grads = torch.autograd.grad(loss.sum(), params)
        with torch.no_grad():
            if self.uniform_lr:
                torch._foreach_add_(params, grads, alpha=-self.lr[0])
                return
            for p, g in zip(params, grads):
                shape = (self.R,) + (1,) * (p.dim() - 1)
                p.mul_(self.decay_t.reshape(shape)).sub_(g * self.lr_t.reshape(shape))

    def _normalize(self, net: dict[str, Tensor]) -> None:
        """Row or column normalisation after a step: of the network just updated, or with
        ``weight_norm_scope="all"`` of every encoder (W^o and W^t), as the public code's
        ``alternate_train`` does (it matters only where an encoder starts unnormalised)."""
        if self.cfg.weight_norm != "none":
            nets = [net] if self.cfg.weight_norm_scope == "updated" else [n for n in self.model.values() if "W1" in n]
            with torch.no_grad():
                for n in nets:
                    normalize_rows_(n["W1"], self.cfg.weight_norm)

    def step(self, x: Tensor, parity: int, masks: tuple[Tensor, Tensor] | None = None) -> Tensor:
        """One SGD step on the batch ``x [R, N, p]``; returns the per-replica loss ``[R]``.

        ``masks`` (the two views' mask multipliers, ``[R, N, p]`` each) replaces the replicas'
        own mask draws; the first view goes to the online network (or the first view of the
        contrastive pair), the second to the target, as in the public code's datasets."""
        cfg, mdl = self.cfg, self.model
        m1, m2 = self._masks(x.shape[1]) if masks is None else masks
        if cfg.method == "ncl":
            # Alternating optimisation (Sec. 4.1): online on even batches, target on odd ones,
            # the other network under stop-gradient.  The predictor (if any) is on the branch
            # being updated and is trained every step.
            upd, other = ("online", "target") if parity == 0 else ("target", "online")
            ma, mb = (m1, m2) if parity == 0 else (m2, m1)
            pred = mdl.get("pred")
            loss = self._ncl(mdl[upd], pred, mdl[other], x, ma, mb)
            trained_pred = pred is not None and not cfg.freeze_predictor
            params = list(mdl[upd].values()) + (list(pred.values()) if trained_pred else [])
            self._sgd(params, loss)
            self._normalize(mdl[upd])
            return loss.detach()
        enc = mdl["enc"]
        params = list(enc.values())
        if cfg.method == "cl":
            proj = mdl.get("proj")
            loss = self._cl(enc, proj, x, m1, m2, self.temperature)
            params += list(proj.values()) if proj is not None else []
        else:
            loss = self._simsiam(enc, mdl["pred"], x, m1, m2)
            params += list(mdl["pred"].values())
        self._sgd(params, loss)
        self._normalize(enc)
        return loss.detach()

    def run_epoch(self, perm: Tensor | None = None, masks: tuple[Tensor, Tensor] | None = None,
                  on_step: Callable[[int, Tensor], None] | None = None) -> Tensor:
        """One pass over the data in minibatches; returns the mean step loss per replica.

        Hooks for differential tests (``tests/test_authors_code.py``), which feed the public
        code's exact inputs; training never passes them: ``perm [R, n]`` replaces the epoch's
        shuffle, ``masks`` (two ``[R, n, p]`` mask multipliers, rows in the order of ``perm``)
        the mask draws, and ``on_step(k, loss)`` is called after every step ``k``."""
        cfg = self.cfg
        perm = (self._perms() if perm is None else perm).to(self.device)
        flat = (perm + torch.arange(self.R, device=self.device)[:, None] * cfg.n).reshape(-1)
        Xp = self.X.reshape(-1, cfg.p).index_select(0, flat).reshape(self.R, cfg.n, cfg.p)  # shuffled
        B = cfg.batch_size
        n_batches = cfg.n // B if cfg.drop_last else math.ceil(cfg.n / B)
        total = torch.zeros(self.R, dtype=self.dtype, device=self.device)
        for k in range(n_batches):
            batch = slice(k * B, (k + 1) * B)
            given = None if masks is None else tuple(mk[:, batch].to(self.device, self.dtype) for mk in masks)
            loss = self.step(Xp[:, batch], k % 2, given)
            if on_step is not None:
                on_step(k, loss)
            total += loss
        self.epoch += 1
        return total / n_batches

    def inject(self, *, M: Tensor | None = None, X: Tensor | None = None,
               model: dict[str, dict[str, Tensor]] | None = None) -> None:
        """Replace the seeded dictionary ``M [R, p, d]``, data ``X [R, n, p]`` and/or any
        initial parameters (``{network: {name: [R, ...]}}``, a subset of :attr:`model`) by given
        values.  For differential tests, which feed the public code's exact inputs to both
        implementations (``tests/test_authors_code.py``); training never calls it."""
        put = lambda t: torch.as_tensor(t).to(device=self.device, dtype=self.dtype)
        if M is not None:
            self.M = put(M).reshape(self.M.shape)
        if X is not None:
            self.X = put(X).reshape(self.X.shape)
        with torch.no_grad():
            for net, values in (model or {}).items():
                for k, v in values.items():
                    self.model[net][k].copy_(put(v).reshape(self.model[net][k].shape))

    # ------------------------------------------------------------------ metrics and state
    def metric_net(self) -> dict[str, Tensor]:
        return self.model["online" if self.cfg.method == "ncl" else "enc"]

    def maxcos(self) -> Tensor:
        """Eq. (11) summary per replica, computed in float64 (robust to large weights)."""
        with torch.no_grad():
            return max_cosine_summary(encoder_weight(self.metric_net(), self.cfg).double(), self.M.double())

    def weight_scale(self) -> Tensor:
        """Largest absolute weight of each replica (over all its networks)."""
        with torch.no_grad():
            return torch.stack([v.detach().abs().flatten(1).amax(1) for net in self.model.values()
                                for v in net.values()]).amax(0)

    def state_dict(self) -> dict[str, Any]:
        rng = [g.bit_generator.state if isinstance(g, np.random.Generator) else g.get_state()
               for g in self.rngs]
        return {"epoch": self.epoch, "rngs": rng,
                "model": {n: {k: v.detach().cpu().clone() for k, v in net.items()} for n, net in self.model.items()}}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.epoch = state["epoch"]
        with torch.no_grad():
            for n, net in self.model.items():
                for k, v in net.items():
                    v.copy_(state["model"][n][k])
        for g, s in zip(self.rngs, state["rngs"]):
            if isinstance(g, np.random.Generator):
                g.bit_generator.state = s
            else:
                g.set_state(s)


#: Threads of a paper-sized step on a CPU, whatever the machine has: the contrastive step's
#: numbers depend on the thread count (the weight gradient's matrix product over 2N samples is
#: split differently), so a fixed count keeps a run's numbers the same on every machine and
#: when a checkpointed run resumes under another thread setting.
CPU_THREADS = 2


def cpu_threads(configs: Sequence[TrainConfig], device: torch.device) -> int:
    """Threads for the CPU: :data:`CPU_THREADS` for paper-sized steps (measured here: a
    15-replica non-contrastive epoch at p = m = 50, batch 512 runs in 20 ms on two threads and
    31 ms on one; a contrastive step with 2N >= 500 views, whatever the number of replicas); one
    for small steps (smoke runs), where threading overhead dominates.  The count is fixed, not
    the machine's, because the contrastive step's numbers depend on it."""
    c = configs[0]
    if device.type != "cpu":
        return torch.get_num_threads()
    N = min(c.batch_size, c.n)
    large = len(configs) * N * c.p * c.m >= 1e7
    if c.method == "cl":  # [2N, 2N] similarities: the compiled kernel gives each thread replicas
        large = large or (2 * N) ** 2 >= 2.5e5  # (even one: its numbers are then as in a batch)
    return CPU_THREADS if large else 1


def use_compile(configs: Sequence[TrainConfig], compile: bool | str) -> bool:
    """Whether to compile: ``"auto"`` compiles runs of at least 1000 epochs that are not
    contrastive (the fused contrastive loss is matmul-bound already)."""
    if compile == "auto":
        return configs[0].epochs >= 1000 and configs[0].method != "cl"
    return bool(compile)


def log_epochs(epochs: int, log_every: int) -> list[int]:
    """Epochs at which metrics are logged: 0, k, 2k, ... and always the last one."""
    pts = list(range(0, epochs + 1, log_every))
    if pts[-1] != epochs:
        pts.append(epochs)
    return pts


def train(configs: TrainConfig | Sequence[TrainConfig], *, device: str = "auto",
          dtype: torch.dtype = torch.float32, progress: bool | str = False,
          checkpoint: Callable[[Engine, dict[str, Any], float], None] | None = None,
          resume: dict[str, Any] | None = None, checkpoint_every_s: float = 60.0,
          compile: bool | str = False, threads: int | None = None) -> TrainResult:
    """Train all ``configs`` together and return their logged curves.

    ``progress`` shows a tqdm bar (a string is used as its description).  ``checkpoint`` is
    called with the engine, the logs so far and the wall time so far (seconds, earlier
    stretches included) at most every ``checkpoint_every_s`` seconds and once at the end; ``resume`` continues from
    such a saved state (see :mod:`landscape.cache`), its ``"wall_s"`` counted in the result's.  ``compile``
    compiles the loss with ``torch.compile`` (``"auto"``: for runs long enough to repay it).
    ``threads`` sets the CPU threads for the run (default: :func:`cpu_threads`).
    """
    if isinstance(configs, TrainConfig):
        configs = [configs]
    dev = resolve_device(device)
    with num_threads(threads or cpu_threads(configs, dev)):
        return _train(configs, device, dtype, progress, checkpoint, resume, checkpoint_every_s, compile)


def _train(configs, device, dtype, progress, checkpoint, resume, checkpoint_every_s, compile) -> TrainResult:
    t0 = time.perf_counter()
    eng = Engine(configs, device=device, dtype=dtype, compile=use_compile(configs, compile))
    cfg = eng.cfg
    points = log_epochs(cfg.epochs, cfg.log_every)
    before = (resume or {}).get("wall_s", 0.0)   # seconds spent before the checkpoint resumed from
    logs: dict[str, list] = {"loss": [], "maxcos": []}
    if resume is not None:
        eng.load_state_dict(resume["engine"])
        logs = {k: list(v) for k, v in resume["logs"].items()}
    else:
        logs["loss"].append(np.full(eng.R, np.nan))
        logs["maxcos"].append(eng.maxcos().cpu().double().numpy())
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=cfg.epochs, initial=eng.epoch, desc=progress if isinstance(progress, str) else "train",
                   unit="epoch", mininterval=1.0)
    last_ckpt = time.perf_counter()
    log_at = set(points[1:])
    acc = torch.zeros(eng.R, dtype=torch.float64, device=eng.device)
    count = 0
    while eng.epoch < cfg.epochs:
        acc += eng.run_epoch().double()
        count += 1
        if bar is not None:
            bar.update(1)
        if eng.epoch in log_at:
            loss = (acc / count).cpu().numpy()
            acc.zero_()
            count = 0
            mc = eng.maxcos().cpu().double().numpy()
            wmax = eng.weight_scale().cpu().double().numpy()
            bad = ~np.isfinite(loss) | ~np.isfinite(mc).all(-1) | ~(wmax < WEIGHT_LIMIT)
            if bad.any():
                r = int(np.flatnonzero(bad)[0])
                raise TrainingDiverged(
                    f"training diverged (loss or weights not finite, or weights beyond {WEIGHT_LIMIT:.0e}) "
                    f"by epoch {eng.epoch} in replica {r} (seed {configs[r].seed}, p_sparse "
                    f"{configs[r].p_sparse}); the parameters that can cause it here, the most unusual "
                    f"first: {divergence_advice(configs[r])}")
            logs["loss"].append(loss)
            logs["maxcos"].append(mc)
            if checkpoint is not None and time.perf_counter() - last_ckpt > checkpoint_every_s:
                checkpoint(eng, logs, time.perf_counter() - t0 + before)
                last_ckpt = time.perf_counter()
    if bar is not None:
        bar.close()
    if checkpoint is not None:       # the final state too: a longer training can continue from it
        checkpoint(eng, logs, time.perf_counter() - t0 + before)
    with torch.no_grad():
        W = encoder_weight(eng.metric_net(), cfg).detach().cpu().double().numpy()
    return TrainResult(
        configs=list(configs), epochs=np.array(points),
        loss=np.stack(logs["loss"], axis=1), maxcos=np.stack(logs["maxcos"], axis=1),
        final_weights=W, dictionaries=eng.M.cpu().double().numpy(),
        wall_s=time.perf_counter() - t0 + before)
