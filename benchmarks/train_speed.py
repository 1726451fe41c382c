"""Speed of the batched engine against the usual per-run training loop, measured in one process.

Configuration: the paper's main setting, p = m = 50, d = 10, n = 1000, batch 512, 15 replicas
(5 seeds x Pr(sparse) 0.1/0.2/0.3), encoder linear + BatchNorm + symmetric ReLU, for the
non-contrastive model (alternating online/target, Eq. 4) and the contrastive model (NT-Xent).

The naive loop is one ``nn.Module`` per run with a ``DataLoader`` whose ``Dataset`` draws the
two masked views of each sample (the usual place for augmentations), trained one run after the
other; it is timed with 1 and with 2 CPU threads and the faster is used for the ratio.  A faster
naive variant that draws the masks per batch is printed too, with its ratio.

Prints ms per epoch (all 15 replicas), the achieved GFLOP/s of the contrastive hot loop (the
step's NT-Xent with its gradient) and of a whole contrastive epoch next to this machine's
dense-matmul GFLOP/s, a projection of the whole paper at paper scale, and last
``ratio_vs_naive: X`` (non-contrastive model).  ``--quick`` for a short run.
"""
from __future__ import annotations

import argparse
import math
import time
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

from landscape import losses
from landscape.config import TrainConfig
from landscape.train import Engine, cpu_threads, num_threads

P_SPARSE = (0.1, 0.2, 0.3)
SEEDS = range(5)


def configs(method: str, m: int = 50) -> list[TrainConfig]:
    return [TrainConfig(method=method, batchnorm=True, seed=s, p_sparse=ps, m=m) for s in SEEDS for ps in P_SPARSE]


@contextmanager
def timer(out: list[float]):
    t = time.perf_counter()
    yield
    out.append(time.perf_counter() - t)


# ----------------------------------------------------------------------------- batched engine
def time_engine(method: str, epochs: int, compile: bool, threads: int, m: int = 50) -> float:
    """ms per epoch for all 15 replicas."""
    with num_threads(threads):
        eng = Engine(configs(method, m), compile=compile)
        for _ in range(2):  # warm-up (and compilation)
            eng.run_epoch()
        t: list[float] = []
        with timer(t):
            for _ in range(epochs):
                eng.run_epoch()
    return t[0] / epochs * 1e3


# ----------------------------------------------------------------------------- the naive loop
class SymReLU(nn.Module):
    """Eq. (14) with a trainable threshold."""

    def __init__(self, m: int) -> None:
        super().__init__()
        self.b = nn.Parameter(torch.zeros(m))

    def forward(self, u):
        return F.relu(u - self.b) - F.relu(-u - self.b)


def encoder(p: int, m: int, d: int) -> nn.Module:
    net = nn.Sequential(nn.Linear(p, m, bias=False), nn.BatchNorm1d(m), SymReLU(m))
    nn.init.normal_(net[0].weight, std=1 / math.sqrt(p * d))
    return net


class MaskedViews(torch.utils.data.Dataset):
    """The usual place for augmentations: two masked views of one sample per ``__getitem__``
    (Eq. 3, a Bernoulli keep-vector per view, not a p x p matrix)."""

    def __init__(self, X: torch.Tensor, alpha: float) -> None:
        self.X, self.alpha = X, alpha

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i: int):
        x = self.X[i]
        return x * (torch.rand_like(x) < self.alpha), x * (torch.rand_like(x) < self.alpha)


class BatchMasked(torch.utils.data.Dataset):
    """A faster variant: plain samples, masks drawn for the whole batch in the training loop."""

    def __init__(self, X: torch.Tensor, alpha: float) -> None:
        self.X, self.alpha = X, alpha

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i: int):
        return self.X[i]


def _views(batch, alpha: float):
    if isinstance(batch, (list, tuple)):
        return batch
    return batch * (torch.rand_like(batch) < alpha), batch * (torch.rand_like(batch) < alpha)


def naive_epochs(method: str, cfg: TrainConfig, X: torch.Tensor, epochs: int, per_sample: bool = True) -> None:
    """Train one run the usual way for ``epochs`` epochs."""
    data = (MaskedViews if per_sample else BatchMasked)(X, cfg.alpha)
    loader = torch.utils.data.DataLoader(data, batch_size=cfg.batch_size, shuffle=True)
    if method == "ncl":
        online, target = encoder(cfg.p, cfg.m, cfg.d), encoder(cfg.p, cfg.m, cfg.d)
        opts = [torch.optim.SGD(online.parameters(), lr=cfg.lr), torch.optim.SGD(target.parameters(), lr=cfg.lr)]
        for _ in range(epochs):
            for k, batch in enumerate(loader):
                a1, a2 = _views(batch, cfg.alpha)
                upd, other = (online, target) if k % 2 == 0 else (target, online)
                with torch.no_grad():
                    hb = F.normalize(other(a2), dim=1)
                loss = ((F.normalize(upd(a1), dim=1) - hb) ** 2).sum(1).mean()
                opts[k % 2].zero_grad()
                loss.backward()
                opts[k % 2].step()
    else:
        enc = encoder(cfg.p, cfg.m, cfg.d)
        opt = torch.optim.SGD(enc.parameters(), lr=cfg.lr)
        for _ in range(epochs):
            for batch in loader:
                a1, a2 = _views(batch, cfg.alpha)
                z = F.normalize(torch.cat([enc(a1), enc(a2)]), dim=1)
                n2 = z.shape[0]
                sim = z @ z.T / cfg.temperature
                sim = sim.masked_fill(torch.eye(n2, dtype=torch.bool), float("-inf"))
                target_idx = torch.cat([torch.arange(n2 // 2, n2), torch.arange(n2 // 2)])
                loss = F.cross_entropy(sim, target_idx)
                opt.zero_grad()
                loss.backward()
                opt.step()


def time_naive(method: str, epochs: int, threads: int, per_sample: bool = True) -> float:
    """ms per epoch for 15 runs trained one after the other."""
    torch.manual_seed(0)
    eng = Engine(configs(method)[:1])
    X = eng.X[0].clone()
    with num_threads(threads):
        naive_epochs(method, configs(method)[0], X, 1, per_sample)  # warm-up
        t: list[float] = []
        with timer(t):
            for c in configs(method):
                naive_epochs(method, c, X, epochs, per_sample)
    return t[0] / epochs * 1e3


# ----------------------------------------------------------------------------- FLOP rates
def cl_epoch_gflop(cfg: TrainConfig, replicas: int) -> float:
    """Nominal FLOPs of the contrastive similarity per epoch: 2 (2N)^2 m forward, twice that
    backward (3 matrix products), per replica and batch."""
    sizes = [min(cfg.batch_size, cfg.n - k) for k in range(0, cfg.n, cfg.batch_size)]
    return replicas * sum(3 * 2 * (2 * N) ** 2 * cfg.m for N in sizes) / 1e9


def time_nt_xent(threads: int, reps: int, replicas: int = 15, views: int = 1024, m: int = 50) -> float:
    """ms per contrastive step's loss at the paper's shape: NT-Xent of ``replicas`` x 2N = 1024
    unit-norm views (m = 50, t = 0.05), forward and gradient, as the engine calls it; fastest of
    ``reps``."""
    g = torch.Generator().manual_seed(0)
    z1, z2 = (torch.randn(replicas, views // 2, m, generator=g).requires_grad_() for _ in range(2))
    t = torch.full((replicas,), 0.05)
    with num_threads(threads):
        return best_ms(lambda: torch.autograd.grad(losses.nt_xent(z1, z2, t).sum(), (z1, z2)), reps)


def best_ms(f, reps: int) -> float:
    """Fastest of ``reps`` calls of ``f`` (after one warm-up), in ms: this machine is shared, and
    the fastest call is the least disturbed one."""
    f()
    best = math.inf
    for _ in range(reps):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best * 1e3


def matmul_gflops(threads: int, reps: int) -> tuple[float, float]:
    """This machine's matmul rates (fastest of ``reps`` calls): dense square 2048 x 2048
    products, and batched products of the hot loop's shape [15, 1024, 50] x [15, 50, 1024]
    (inner dimension 50: output-bound)."""
    with num_threads(threads):
        a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
        dense = 2 * 2048 ** 3 / best_ms(lambda: a @ b, reps) / 1e6
        a, b = torch.randn(15, 1024, 50), torch.randn(15, 50, 1024)
        shaped = 2 * 15 * 1024 * 1024 * 50 / best_ms(lambda: torch.bmm(a, b), reps) / 1e6
    return dense, shaped


# ----------------------------------------------------------------------------- projection
def projection(ms_ncl: float, ms_cl: float, ms_cl_m10: float) -> tuple[float, int, int]:
    """Seconds for every batched run of the paper profile, from the measured cost per
    replica-epoch (scaled by n; for the contrastive step the rate measured at m = 50, or at
    m = 10 for Figure 9's m = d runs, halved when the last partial batch is dropped)."""
    try:
        from landscape import experiments
    except ImportError:
        return float("nan"), 0, 0
    total, runs, calls = 0.0, 0, 0
    seen = set()
    for name in experiments.names():
        exp = experiments.get(name)
        for group in exp.configs(exp.defaults("paper")).values():
            key = tuple(c.key() for c in group)
            if key in seen:
                continue
            seen.add(key)
            c = group[0]
            R = len(group)
            runs += R
            calls += 1
            if c.method == "cl":
                per = (ms_cl if c.m > 10 else ms_cl_m10) / 15 * (c.n / 1000) * (1 if not c.drop_last else 0.5)
            else:
                per = ms_ncl / 15 * (c.n / 1000)
            total += per * R * c.epochs / 1e3
    return total, runs, calls


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a short run")
    args = ap.parse_args()
    e_ncl, e_cl, e_naive_ncl, e_naive_cl = (20, 3, 3, 1) if args.quick else (200, 20, 10, 3)

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads available, device cpu")
    cfg = configs("ncl")[0]
    thr_ncl, thr_cl = cpu_threads(configs("ncl"), torch.device("cpu")), cpu_threads(configs("cl"), torch.device("cpu"))

    ncl_eager = time_engine("ncl", e_ncl, compile=False, threads=thr_ncl)
    print(f"batched NCL (eager, {thr_ncl} thread(s)):      {ncl_eager:8.2f} ms/epoch (15 replicas)")
    ncl_comp = time_engine("ncl", e_ncl, compile=True, threads=thr_ncl)
    print(f"batched NCL (compiled, {thr_ncl} thread(s)):   {ncl_comp:8.2f} ms/epoch (15 replicas)")
    naive_ncl = {t: time_naive("ncl", e_naive_ncl, t) for t in (1, 2)}
    for t, v in naive_ncl.items():
        print(f"naive NCL loop ({t} thread(s)):            {v:8.2f} ms/epoch (15 runs one after the other)")
    fast_ncl = time_naive("ncl", e_naive_ncl, 1, per_sample=False)
    print(f"  (variant with batch-drawn masks, 1 thread: {fast_ncl:8.2f} ms/epoch; "
          f"ratio {fast_ncl / min(ncl_eager, ncl_comp):.1f})")
    cl_ms = time_engine("cl", e_cl, compile=False, threads=thr_cl)
    print(f"batched CL (fused NT-Xent, {thr_cl} thread(s)): {cl_ms:8.2f} ms/epoch (15 replicas)")
    thr_m10 = cpu_threads(configs("cl", 10), torch.device("cpu"))
    cl_ms_m10 = time_engine("cl", e_cl, compile=False, threads=thr_m10, m=10)
    print(f"batched CL, m = 10 (Figure 9, {thr_m10} thread(s)): {cl_ms_m10:8.2f} ms/epoch (15 replicas)")
    naive_cl = {t: time_naive("cl", e_naive_cl, t) for t in (1, 2)}
    for t, v in naive_cl.items():
        print(f"naive CL loop ({t} thread(s)):             {v:8.2f} ms/epoch (15 runs one after the other)")

    dense, shaped = matmul_gflops(thr_cl, 10 if args.quick else 40)
    step_gflop = 15 * 3 * 2 * 1024 ** 2 * cfg.m / 1e9
    loss_ms = time_nt_xent(thr_cl, 10 if args.quick else 40)
    kernel = losses.nt_xent_kernel(torch.device("cpu"))
    print(f"CL hot loop, the step's NT-Xent with its gradient ({kernel} kernel, 15 x 1024 views, "
          f"{step_gflop:.2f} GFLOP nominal: 3 products of the similarity): {loss_ms:.1f} ms, "
          f"{step_gflop / loss_ms * 1e3:.1f} GFLOP/s = {100 * step_gflop / loss_ms * 1e3 / dense:.0f}% of this "
          f"machine's dense matmul {dense:.1f} GFLOP/s ({100 * step_gflop / loss_ms * 1e3 / shaped:.0f}% of "
          f"{shaped:.1f} GFLOP/s for batched products of the similarity's shape), {thr_cl} thread(s)")
    gflop = cl_epoch_gflop(cfg, 15)
    achieved = gflop / (cl_ms / 1e3)
    print(f"CL epoch as a whole (masks, encoder, BatchNorm, optimiser included): {gflop:.2f} GFLOP "
          f"nominal, {achieved:.1f} GFLOP/s = {100 * achieved / dense:.0f}% of the dense matmul rate")

    ncl_best = min(ncl_eager, ncl_comp)
    secs, runs, calls = projection(ncl_best, cl_ms, cl_ms_m10)
    if runs:
        print(f"projection, whole paper at paper scale on this machine: {secs / 3600:.2f} h "
              f"({runs} training runs in {calls} batched calls, 8000 epochs each)")
    else:
        print("projection: landscape.experiments is not available")
    ratio_cl = min(naive_cl.values()) / cl_ms
    print(f"ratio_vs_naive_cl: {ratio_cl:.1f}")
    print(f"ratio_vs_naive: {min(naive_ncl.values()) / ncl_best:.1f}")


if __name__ == "__main__":
    main()
