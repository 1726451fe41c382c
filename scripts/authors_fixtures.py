#!/usr/bin/env python3
"""Differential-test fixtures and recorded runs of the authors' own code (run as an oracle, never copied).

    python scripts/authors_fixtures.py [--authors-code PATH] [--venv DIR] [--out DIR]
    python scripts/authors_fixtures.py --run NAME OUT.json [--epochs E] [--seeds S] [--check-epochs K]
    python scripts/authors_fixtures.py --figure14 OUT.json [--epochs 1500] [--seeds 3]
    python scripts/authors_fixtures.py --list

PATH is a checkout of github.com/ashwinipokle/contrastive_landscape (default
``../shared/reference/contrastive_landscape`` next to this repository).  The script creates its
own virtual environment (default ``.cache/authors-venv``: Python 3.11, numpy 1.23.5 because the
authors' dataset code uses ``np.float``, torch 2.13.0, yacs, pyyaml, scipy, tqdm, matplotlib,
seaborn) with a no-op ``wandb`` module, and re-executes itself inside it, importing the authors'
modules from PATH.

Fixtures (``tests/fixtures/authors/*.npz``, read by ``tests/test_authors_code.py``): for every
model family of the paper the authors' model, loss, optimisers and training loop
(``functions/train.py``: ``alternate_train`` or ``train``) are fed FIXED inputs (dictionary M,
data X, per-epoch sample orders, both views' masks, all initial parameters) through a replay
loader, and a few SGD steps are recorded: the loss of every step, the gradients of the first
step and every parameter after every step.  ``data_stats.npz`` holds statistics of large samples
of the authors' latent, noise and mask generators.  Every file's ``meta`` (JSON) names the
authors' commit.

``--run NAME`` instead runs one of the authors' scripts (``main.py``, ``main_simclr.py``,
``main_simsiam.py``), unmodified, in one named setting of :data:`SETTINGS` (``--list`` shows
them): their config file and the flags of their ``scripts/*.sh``, cut to one Pr(sparse), one
masking probability and one warm-start level, ``num_exp`` = seeds (experiment i is seeded
i + 1), ``NUM_EPOCHES`` = epochs.  It writes a compact JSON (the format of
``results/authors/figure-14.json``): the command, config, wall time, and per seed the initial and
final min/median/max max-cosine, the final loss and the minimum max-cosine every 10 epochs;
plus the companion's ``TrainConfig`` under the public code's reading (``companion_config``).
``--figure14 OUT.json`` is ``--run figure-14 OUT.json``.

Each run goes through a small launcher (this script with ``--launch``) that executes the
authors' script with ``runpy`` after registering a global forward hook which only reads the
loss each training step returns (for the mean loss of the last epoch, which their wandb logging
does not report); settings that name a patch (the NT-Xent similarity of ``figure-02-cl``) apply
it in memory there, never in their files.  Before the run, ``--check-epochs K`` epochs of seed 1
are run twice, once as plain ``python SCRIPT ...`` and once through the launcher, and the largest
differences of the logged metrics, final metrics, loss and parameters are recorded (``check``).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
DEFAULT_AUTHORS = REPO.parent / "shared" / "reference" / "contrastive_landscape"
DEFAULT_VENV = REPO / ".cache" / "authors-venv"
DEFAULT_OUT = REPO / "tests" / "fixtures" / "authors"
REQUIREMENTS = ["numpy==1.23.5", "torch==2.13.0", "yacs", "pyyaml", "scipy", "tqdm", "matplotlib", "seaborn"]
#: The commit of the public repository that ../shared/reference holds (its README says so).
README_COMMIT = "daec951"

WANDB_STUB = '''"""No-op stand-in for wandb (the authors' code imports it; nothing is sent anywhere).
With AUTHORS_WANDB_LOG set, ``log`` appends its numeric values as JSON lines to that file, with
the wall-clock time (``_t``) and whatever a launcher's ``EXTRA()`` adds."""
import json, os, time
config = {}
EXTRA = None
def _numeric(d):
    out = {}
    for k, v in d.items():
        try:
            out[k] = float(v.detach() if hasattr(v, "detach") else v)
        except Exception:
            pass
    return out
def log(d, *a, **k):
    path = os.environ.get("AUTHORS_WANDB_LOG")
    if path:
        row = _numeric(d)
        row["_t"] = time.time()
        if EXTRA is not None:
            row.update(EXTRA())
        with open(path, "a") as fh:
            fh.write(json.dumps(row) + "\\n")
class _Run:
    def finish(self, *a, **k):
        pass
    def log(self, d, *a, **k):
        log(d)
def init(*a, **k):
    return _Run()
def finish(*a, **k):
    pass
def watch(*a, **k):
    pass
def Image(*a, **k):
    return None
'''


# =============================================================================== outside the venv
def authors_commit(path: Path) -> str:
    """The checkout's git commit (from ``.git``), else the one its reference README names."""
    git = path / ".git"
    if git.is_dir():
        head = (git / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = git / head[5:]
            if ref.exists():
                return ref.read_text().strip()
            packed = git / "packed-refs"
            if packed.exists():
                for line in packed.read_text().splitlines():
                    if line.endswith(head[5:]):
                        return line.split()[0]
        return head
    return README_COMMIT


def ensure_venv(venv: Path) -> Path:
    """Create the authors' virtual environment once (a marker file records the requirements)."""
    py = venv / "bin" / "python"
    marker = venv / ".authors-requirements"
    if py.exists() and marker.exists() and marker.read_text() == "\n".join(REQUIREMENTS):
        _write_stub(py)
        return py
    base = next((c for c in ("python3.11",) if subprocess.run(["which", c], capture_output=True).returncode == 0),
                None)
    if base is None:
        if sys.version_info[:2] != (3, 11):
            raise SystemExit("the authors' environment needs Python 3.11 (python3.11 not found)")
        base = sys.executable
    subprocess.check_call([base, "-m", "venv", str(venv)])
    subprocess.check_call([str(py), "-m", "pip", "install", "-q", *REQUIREMENTS])
    _write_stub(py)
    marker.write_text("\n".join(REQUIREMENTS))
    return py


def _write_stub(py: Path) -> None:
    """(Re)write the no-op ``wandb`` module into the environment's site-packages."""
    site = subprocess.check_output([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   text=True).strip()
    Path(site, "wandb.py").write_text(WANDB_STUB)


# =============================================================================== inside the venv
def _inside_imports(authors: Path) -> dict[str, Any]:
    """Import the authors' modules from their checkout."""
    sys.path.insert(0, str(authors))
    import numpy as np
    import torch
    from data_model import gen_sparse_coding_data as gen
    from dataset.dep_mask_contrastive_dataset import DependentMaskContrastiveDataset
    from dataset.masked_sparse_contr_dataset import MaskedSparseContrastiveDataset
    from functions.train import alternate_train, train
    from models.simclr import SimCLRModel, SimCLROrigModel
    from models.simsiam import SimSiamModel
    from models.sparse_contrastive_ml_model import SparseContrastiveMultiLayeredModel
    from models.sparse_contrastive_model import SparseContrastiveModel
    from models.sparse_contrastive_model_reduced import SparseContrastiveModelReduced
    return dict(np=np, torch=torch, gen=gen, alternate_train=alternate_train, train=train,
                Reduced=SparseContrastiveModelReduced, Pred=SparseContrastiveModel,
                TwoLayer=SparseContrastiveMultiLayeredModel, SimCLR=SimCLRModel, SimCLROrig=SimCLROrigModel,
                SimSiam=SimSiamModel, IndependentDS=MaskedSparseContrastiveDataset,
                DependentDS=DependentMaskContrastiveDataset)


#: The cases: the authors' model class and flags, their training loop, and the sizes.  ``loop``
#: is ``alternate`` (main.py: online and target alternate per batch) or ``joint`` (main_simclr.py
#: / main_simsiam.py: one optimiser, ``train``).  ``masks`` is ``independent`` (the
#: non-contrastive and SimSiam scripts: two masks, keep probability 1 - masking probability,
#: last partial batch kept) or ``dependent`` (the contrastive script: 2 D x and 2 (I - D) x,
#: D ~ Bernoulli(0.5), last partial batch dropped).
NCL = dict(loop="alternate", masks="independent", drop_last=False, n=40, batch=16, epochs=4,
           p=16, d=8, m=16, lr=0.05, maskprob=0.5)
CL = dict(loop="joint", masks="dependent", drop_last=True, n=40, batch=16, epochs=5,
          p=16, d=8, m=16, lr=0.05, maskprob=0.5)
CASES: dict[str, dict[str, Any]] = {
    # main.py --model simplified (SparseContrastiveModelReduced: no BN, no predictor)
    "ncl_simplified": dict(NCL, model="Reduced", normalize_repr=True),
    "ncl_simplified_inner": dict(NCL, model="Reduced", normalize_repr=False, lr=0.02),
    "ncl_simplified_ws_row": dict(NCL, model="Reduced", normalize_repr=True, row_norm=True, warm_c=1.25,
                                  p=12, d=12, m=12),
    "ncl_simplified_ws_col": dict(NCL, model="Reduced", normalize_repr=True, col_norm=True, warm_c=1.25,
                                  p=12, d=12, m=12),
    "ncl_simplified_ws_row_m_gt_d": dict(NCL, model="Reduced", normalize_repr=True, row_norm=True, warm_c=1.0),
    # main.py --model simplified-pred (SparseContrastiveModel with a linear predictor)
    "ncl_pred_bn": dict(NCL, model="Pred", normalize_repr=True, use_bn=True),
    "ncl_pred_nobn": dict(NCL, model="Pred", normalize_repr=True, use_bn=False),
    "ncl_pred_ws_row": dict(NCL, model="Pred", normalize_repr=True, use_bn=False, row_norm=True, warm_c=1.25,
                            p=12, d=12, m=12),
    # scripts/ncl_no_pred_ws_rn.sh and _cn.sh (Figs. 7, 13-16): simplified-pred, --use_pred_bias False,
    # --normalize_repr False with --m_identity True (M = I), or True with M from QR
    "ncl_pred_nobias_ws_row_identity": dict(NCL, model="Pred", normalize_repr=False, use_bn=False, use_pred_bias=False,
                                            row_norm=True, warm_c=1.25, identity=True, p=12, d=12, m=12),
    "ncl_pred_nobias_ws_col": dict(NCL, model="Pred", normalize_repr=True, use_bn=False, use_pred_bias=False,
                                   col_norm=True, warm_c=1.25, p=12, d=12, m=12),
    # main.py --model simplified-ml (two-layer encoder with BN)
    "ncl_two_layer_bn": dict(NCL, model="TwoLayer", normalize_repr=True, use_bn=True),
    # main_simclr.py --model simclr (NT-Xent, tau 0.05), with and without BN
    "simclr_bn": dict(CL, model="SimCLR", use_bn=True),
    "simclr_nobn": dict(CL, model="SimCLR", use_bn=False),
    # main_simclr.py --model simclr-orig: Simplified-SimCLR, BN + SymReLU + linear projector
    "simclr_projector": dict(CL, model="SimCLROrig"),
    # main_simsiam.py --model simsiam: Simplified-SimSiam (encoder, projection layer, predictor)
    "simsiam": dict(CL, model="SimSiam", use_bn=True, masks="independent", drop_last=False, maskprob=0.1, epochs=4,
                    batch=16, n=40),
}


def _snapshot(params: dict) -> dict[str, Any]:
    return {k: v.detach().cpu().numpy().copy() for k, v in params.items()}


def _grads(params: dict) -> dict[str, Any]:
    return {k: v.grad.detach().cpu().numpy().copy() for k, v in params.items() if v.grad is not None}


class ReplayLoader:
    """An iterable standing in for the authors' DataLoader: epoch e yields the fixed batches of
    that epoch (data in the recorded order, both views' masks applied as the authors' datasets
    apply them), and records the model's parameters (and, after the first step, its gradients)
    each time the training loop asks for the next batch, i.e. after every step and its weight
    normalisation."""

    def __init__(self, batches: list[list[tuple]], on_fetch: Callable[[], None]) -> None:
        self.batches = batches
        self.on_fetch = on_fetch
        self.epoch = 0
        self.started = False

    def __iter__(self):
        batches = self.batches[self.epoch]
        self.epoch += 1
        for b in batches:
            if self.started:
                self.on_fetch()
            self.started = True
            yield b
        # the loop asks once more when the epoch ends (and after the last epoch's last step)
        if self.epoch == len(self.batches):
            self.on_fetch()


def record_case(name: str, spec: dict[str, Any], mods: dict[str, Any], seed: int) -> dict[str, Any]:
    """Feed one model fixed inputs and record ``epochs`` epochs of its own training loop."""
    np, torch, gen = mods["np"], mods["torch"], mods["gen"]
    p, d, m, n, B, E = (spec[k] for k in ("p", "d", "m", "n", "batch", "epochs"))
    np.random.seed(seed)
    torch.manual_seed(seed)
    M = np.eye(p) if spec.get("identity") else gen.gen_M(p=p, d=d)
    Z = gen.gen_z(n=n, d=d, prob=0.2)
    X = ((M @ Z + gen.gen_epsilon(n=n, p=p, d=d, sigma0=None)).T).astype(np.float32)
    warm = spec.get("warm_c")
    Wo_init = gen.gen_Winit(M, c=warm, m=m, d=d, p=p).astype(np.float32)
    Wt_init = gen.gen_Winit(M, c=warm, m=m, d=d, p=p).astype(np.float32)
    # orders and masks, drawn here once and fed to both implementations
    perms = np.stack([np.random.permutation(n) for _ in range(E)])
    keep = 1.0 - spec["maskprob"]
    if spec["masks"] == "independent":
        mask1 = (np.random.rand(E, n, p) < keep).astype(np.float32)
        mask2 = (np.random.rand(E, n, p) < keep).astype(np.float32)
    else:  # the contrastive script's complementary masks, D ~ Bernoulli(0.5)
        D = (np.random.rand(E, n, p) < 0.5).astype(np.float32)
        mask1, mask2 = 2.0 * D, 2.0 * (1.0 - D)
    n_batches = n // B if spec["drop_last"] else -(-n // B)
    batches = []
    for e in range(E):
        epoch = []
        for k in range(n_batches):
            rows = slice(k * B, (k + 1) * B)  # masks are stored by position in the epoch's order
            idx = perms[e, rows]
            x = torch.from_numpy(X[idx])
            epoch.append((x * torch.from_numpy(mask1[e, rows]), x * torch.from_numpy(mask2[e, rows]),
                          torch.from_numpy(Z.T[idx].astype(np.int64))))
        batches.append(epoch)

    kind = spec["model"]
    common = dict(m=m, p=p, d=d, device="cpu")
    if kind == "Reduced":
        model = mods["Reduced"](Wo_init=Wo_init, Wt_init=Wt_init, normalize_rep=spec["normalize_repr"], **common)
    elif kind == "Pred":
        model = mods["Pred"](Wo_init=Wo_init, Wt_init=Wt_init, normalize_rep=spec["normalize_repr"],
                             use_bn=spec["use_bn"], use_pred=True, use_pred_bias=spec.get("use_pred_bias", True),
                             **common)
    elif kind == "TwoLayer":
        Wo1 = gen.gen_Winit(M, c=None, m=m, d=d, p=m).astype(np.float32)
        Wt1 = gen.gen_Winit(M, c=None, m=m, d=d, p=m).astype(np.float32)
        model = mods["TwoLayer"](Wo_init=Wo_init, Wt_init=Wt_init, Wo1_init=Wo1, Wt1_init=Wt1,
                                 normalize_rep=spec["normalize_repr"], use_bn=spec["use_bn"], **common)
    elif kind == "SimCLR":
        model = mods["SimCLR"](Wo_init=Wo_init, batch_size=B, temperature=0.05, use_bn=spec["use_bn"], **common)
    elif kind == "SimCLROrig":
        model = mods["SimCLROrig"](Wo_init=Wo_init, batch_size=B, temperature=0.05, **common)
    elif kind == "SimSiam":
        model = mods["SimSiam"](Wo_init=Wo_init, use_bn=spec["use_bn"], **common)
    else:
        raise ValueError(kind)

    # names fixed before the first forward pass: the authors' forward assigns ``self.bo =
    # self.Wo.bias``, which registers the bias a second time under another name
    params = dict(model.named_parameters())
    init = _snapshot(params)
    losses: list[float] = []
    states: list[dict] = []
    grads: list[dict] = []
    forward = model.forward

    def recording_forward(*a, **k):
        loss = forward(*a, **k)
        losses.append(float(loss.detach()))
        return loss

    model.forward = recording_forward

    def on_fetch() -> None:
        states.append(_snapshot(params))
        if not grads:
            grads.append(_grads(params))

    loader = ReplayLoader(batches, on_fetch)
    if spec["loop"] == "alternate":
        # main.py: two SGD optimisers, each over all of the model's parameters
        opt_o = torch.optim.SGD(list(model.parameters()), lr=spec["lr"])
        opt_t = torch.optim.SGD(list(model.parameters()), lr=spec["lr"])
        mods["alternate_train"](model, online_optimizer=opt_o, target_optimizer=opt_t, train_loader=loader,
                                max_epochs=E, M=M, col_norm=spec.get("col_norm", False),
                                row_norm=spec.get("row_norm", False))
    else:  # main_simclr.py / main_simsiam.py: one optimiser
        opt = torch.optim.SGD(model.parameters(), lr=spec["lr"])
        mods["train"](model, optimizer=opt, train_loader=loader, max_epochs=E, M=M)
    steps = len(losses)
    assert len(states) == steps, (name, len(states), steps)
    out: dict[str, Any] = {"M": M.astype(np.float64), "X": X, "perms": perms.astype(np.int64),
                           "mask1": mask1, "mask2": mask2, "loss": np.array(losses, dtype=np.float64)}
    for k, v in init.items():
        out[f"init/{k}"] = v
    for k, v in grads[0].items():
        out[f"grad0/{k}"] = v
    for k in init:
        out[f"steps/{k}"] = np.stack([s[k] for s in states])
    spec_meta = {k: v for k, v in spec.items()}
    out["_meta"] = dict(case=name, seed=seed, steps=steps, batches_per_epoch=n_batches, spec=spec_meta)
    return out


def data_stats(mods: dict[str, Any], seed: int) -> dict[str, Any]:
    """Statistics of large samples of the authors' generators: latents (``gen_z``), noise
    (``gen_epsilon`` with sigma0=None, as the scripts run), and the two datasets' masks."""
    np, gen = mods["np"], mods["gen"]
    np.random.seed(seed)
    out: dict[str, Any] = {}
    info: dict[str, Any] = {}
    with open(os.devnull, "w") as devnull:
        stdout, sys.stdout = sys.stdout, devnull
        try:
            for d, prob in ((10, 0.1), (10, 0.3), (20, 0.1), (20, 0.25)):
                N = 100_000
                Z = gen.gen_z(n=N, d=d, prob=prob).T  # [N, d]
                tag = f"latents/d{d}_p{prob}"
                out[f"{tag}/mean"] = Z.mean(0)
                out[f"{tag}/var"] = Z.var(0)
                out[f"{tag}/neg_rate"] = (Z < 0).mean(0)
                out[f"{tag}/pos_rate"] = (Z > 0).mean(0)
                nz = (Z != 0).astype(np.float64)
                out[f"{tag}/cooccur"] = nz.T @ nz / N
                out[f"{tag}/n_neg"] = np.unique((Z < 0).sum(1))
                out[f"{tag}/n_pos"] = np.unique((Z > 0).sum(1))
                info[tag] = N
            for p, d in ((20, 20), (50, 10)):
                N = 50_000
                eps = gen.gen_epsilon(n=N, p=p, d=d, sigma0=None).T  # [N, p]
                tag = f"noise/p{p}_d{d}"
                out[f"{tag}/mean"] = eps.mean(0)
                out[f"{tag}/var"] = eps.var(0)
                out[f"{tag}/kurt"] = ((eps - eps.mean(0)) ** 4).mean(0) / eps.var(0) ** 2
                info[tag] = N
            p = 20
            ones = np.ones((1, p))
            for maskprob in (0.1, 0.5, 0.9):
                N = 40_000
                ds = mods["IndependentDS"](data=ones, Z=np.zeros((1, 1)), prob_ones=1 - maskprob)
                a = np.array([np.stack(ds[0][:2]) for _ in range(N)])  # [N, 2, p]
                tag = f"masks/independent_q{maskprob}"
                out[f"{tag}/keep1"] = a[:, 0].mean(0)
                out[f"{tag}/keep2"] = a[:, 1].mean(0)
                out[f"{tag}/both"] = (a[:, 0] * a[:, 1]).mean(0)
                out[f"{tag}/values"] = np.unique(a)
                info[tag] = N
            # warm starts (gen_Winit, as main.py calls it: once for W^o, once for W^t): which
            # dictionary column each row starts nearest to, in both networks
            for p, d, m, c in ((20, 20, 20, 1.25), (50, 10, 50, 1.0), (50, 10, 10, 1.0)):
                K = 2000
                M = gen.gen_M(p=p, d=d)
                nearest = np.empty((K, 2, m), dtype=np.int64)
                resid = np.empty((K, 2))
                for k in range(K):
                    for j in range(2):
                        W = gen.gen_Winit(M, c=c, m=m, d=d, p=p).T  # rows are neurons
                        nearest[k, j] = np.abs(W @ M).argmax(1)
                        resid[k, j] = (W - (W @ M) @ M.T).std()
                tag = f"warm/p{p}_d{d}_m{m}_c{c}"
                out[f"{tag}/row_is_column_i"] = (nearest == np.arange(m) % d).mean((0, 1)) if m == d else \
                    np.zeros(m)
                out[f"{tag}/online_target_same"] = (nearest[:, 0] == nearest[:, 1]).mean(0)
                out[f"{tag}/column_use"] = np.stack([(nearest[:, :, :] == j).sum(2).mean((0, 1)) for j in range(d)])
                out[f"{tag}/resid_std"] = resid.mean(0)
                info[tag] = K
            N = 40_000
            ds = mods["DependentDS"](data=ones, Z=np.zeros((1, 1)))
            a = np.array([np.stack(ds[0][:2]) for _ in range(N)])
            out["masks/dependent/view1_rate"] = (a[:, 0] > 0).mean(0)
            out["masks/dependent/sum"] = np.unique(a[:, 0] + a[:, 1])
            out["masks/dependent/values"] = np.unique(a)
            info["masks/dependent"] = N
        finally:
            sys.stdout = stdout
    out["_meta"] = dict(sample_sizes=info, seed=seed)
    return out


def save(path: Path, arrays: dict[str, Any], commit: str, versions: dict[str, str]) -> None:
    import numpy as np
    meta = dict(arrays.pop("_meta"), authors_commit=commit,
                authors_repository="github.com/ashwinipokle/contrastive_landscape", versions=versions,
                script="scripts/authors_fixtures.py")
    np.savez_compressed(path, meta=np.array(json.dumps(meta, sort_keys=True)), **arrays)


def inner_fixtures(authors: Path, out: Path, commit: str) -> None:
    mods = _inside_imports(authors)
    np, torch = mods["np"], mods["torch"]
    torch.set_num_threads(1)
    versions = dict(python=sys.version.split()[0], numpy=np.__version__, torch=torch.__version__)
    out.mkdir(parents=True, exist_ok=True)
    import contextlib
    import io
    for i, (name, spec) in enumerate(CASES.items()):
        with contextlib.redirect_stdout(io.StringIO()):  # the authors' code prints as it goes
            arrays = record_case(name, spec, mods, seed=100 + i)
        save(out / f"{name}.npz", arrays, commit, versions)
        print(f"{name}: {len(arrays['loss'])} steps, losses {arrays['loss'][0]:.4f} -> {arrays['loss'][-1]:.4f}")
    save(out / "data_stats.npz", data_stats(mods, seed=7), commit, versions)
    print("data_stats: done")


# =============================================================================== recorded runs
#: Flags every setting shares with the authors' scripts (``scripts/*.sh``).
_LR_BATCH = ["--lr", "0.005", "--batch_size", "512"]
#: The registry of named settings for ``--run``: the authors' script, config file, the cut of its
#: sweeps (one Pr(sparse), one masking probability, one warm-start level) and flags, the default
#: length, where the flags come from, and the companion's model fields (``landscape.config.
#: TrainConfig``, before ``code_reading()``; sizes, sparsity and masking are added from ``cut``).
SETTINGS: dict[str, dict[str, Any]] = {
    "figure-14": dict(
        script="main.py", cfg="fullrank_nopre_ws.yaml",
        cut=dict(ws_noise_levels="(1.25,)", sparsity_levels="(0.1,)", masking_probs="(0.5,)"),
        flags=["--model", "simplified", "--use_row_norm", "True", "--normalize_repr", "True", *_LR_BATCH,
               "--use_bn", "False", "--log_metrics"],
        epochs=1500, seeds=3,
        what="the authors' main.py, unmodified, in Figure 14's setting (issue 13): simplified model, rows of "
             "W^o and W^t normalised after every step, warm start c = 1.25",
        source="config/fullrank_nopre_ws.yaml (p = d = m = 20) with --model simplified --use_row_norm True "
               "--normalize_repr True (the row-normalised warm start of Figure 14)",
        companion=dict(method="ncl", activation="symrelu", batchnorm=False, init="warm", warm_c=1.25,
                       weight_norm="row", p=20, d=20, m=20, masking_prob=0.5)),
    "figure-02-ncl": dict(
        script="main.py", cfg="overpara_nopre_alter.yaml",
        cut=dict(sparsity_levels="(0.1,)", masking_probs="(0.5,)"),
        flags=["--normalize_repr", "True", "--model", "simplified", *_LR_BATCH, "--log_metrics", "--use_bn", "True"],
        epochs=300, seeds=5,
        what="the authors' main.py, unmodified, in Figure 2's non-contrastive setting (issue 13): simplified "
             "model (one-layer encoder, SymReLU, no predictor; it ignores --use_bn, so no BatchNorm), random "
             "initialisation, p = 50, d = 10, m = 50, Pr(sparse) = 0.1, masking probability 0.5",
        source="scripts/cl_vs_ncl_ksparse.sh, its main.py line (config/overpara_nopre_alter.yaml); the config's "
               "default sweeps cut to Pr(sparse) 0.1 and masking probability 0.5",
        companion=dict(method="ncl", activation="symrelu", batchnorm=True, p=50, d=10, m=50, masking_prob=0.5,
                       init="random")),
    "figure-05": dict(
        script="main.py", cfg="overpara_pre_ws_alter.yaml",
        cut=dict(ws_noise_levels="(1,)", sparsity_levels="(0.1,)", masking_probs="(0.5,)"),
        flags=["--normalize_repr", "True", "--model", "simplified-pred", *_LR_BATCH, "--log_metrics", "--use_bn",
               "True"],
        epochs=300, seeds=5,
        what="the authors' main.py, unmodified, in Figure 5's setting (issue 13): simplified-pred model (one-layer "
             "encoder with BatchNorm and SymReLU, linear predictor with bias), warm start c = 1, p = 50, d = 10, "
             "m = 50, Pr(sparse) = 0.1, masking probability 0.5",
        source="scripts/ncl_pred_ws_ksparse.sh's flags; that script names config/overpara_pre_alter.yaml, which "
               "has no warm-start levels (it would run a random start); config/overpara_pre_ws_alter.yaml is the "
               "repository's warm-start config for these sizes and, of the fields main.py reads, differs from it "
               "only in ws_noise_levels (2, 1.5, 1.25, 1) and masking_probs (0.5,); cut to c = 1 (their value 1)",
        companion=dict(method="ncl", activation="symrelu", batchnorm=True, predictor=True, init="warm", warm_c=1.0,
                       p=50, d=10, m=50, masking_prob=0.5)),
    "figure-03": dict(
        script="main.py", cfg="overpara_nopre_alter.yaml",
        cut=dict(sparsity_levels="(0.1,)", masking_probs="(0.5,)"),
        flags=["--normalize_repr", "True", "--model", "simplified-ml", *_LR_BATCH, "--log_metrics", "--use_bn",
               "True"],
        epochs=300, seeds=5,
        what="the authors' main.py, unmodified, with its two-layer model (simplified-ml: two linear layers, each "
             "with BatchNorm and SymReLU, no predictor), random initialisation, p = 50, d = 10, m = 50, "
             "Pr(sparse) = 0.1, masking probability 0.5; the max-cosine is of the first layer's rows (their "
             "check_sparse_coding_learning reads Wo)",
        source="NO script of theirs runs --model simplified-ml and no config is specific to it: the flags are those "
               "of the main.py line of scripts/cl_vs_ncl_ksparse.sh (Figure 2) with --model simplified-ml, on the "
               "same config/overpara_nopre_alter.yaml (a constructed setting, not one of their command lines)",
        companion=dict(method="ncl", activation="symrelu", batchnorm=True, layers=2, metric_layer="first", p=50,
                       d=10, m=50, masking_prob=0.5, init="random")),
    "figure-02-cl": dict(
        script="main_simclr.py", cfg="overpara_nopre_alter.yaml",
        cut=dict(sparsity_levels="(0.1,)", masking_probs="(0.5,)"),
        flags=["--normalize_repr", "True", "--model", "simclr", *_LR_BATCH, "--temperature", "0.05", "--log_metrics",
               "--use_bn", "True"],
        epochs=300, seeds=5, check_epochs=3, patch="ntxent-unit-dot",
        what="the authors' main_simclr.py in Figure 2's contrastive setting (issue 13): simclr model (one-layer "
             "encoder, BatchNorm, SymReLU, NT-Xent with temperature 0.05, no projector), complementary masks "
             "2Dx and 2(I-D)x with D ~ Bernoulli(0.5) (the masking probability only names their output file), "
             "last partial batch dropped, p = 50, d = 10, m = 50, Pr(sparse) = 0.1; RUN WITH A SPEED PATCH "
             "applied in memory (see patch and check): NT-Xent's cosine similarity of its [2N, 2N, 50] broadcast "
             "replaced by z @ z.T of the unit rows it already has",
        source="scripts/cl_vs_ncl_ksparse.sh, its main_simclr.py line (config/overpara_nopre_alter.yaml); the "
               "config's default sweeps cut to Pr(sparse) 0.1 and masking probability 0.5",
        companion=dict(method="cl", activation="symrelu", batchnorm=True, p=50, d=10, m=50, masking_prob=0.5,
                       init="random")),
    "table-1-simsiam": dict(
        script="main_simsiam.py", cfg="overpara_nopre_alter.yaml",
        cut=dict(sparsity_levels="(0.1,)", masking_probs="(0.1,)"),
        flags=["--model", "simsiam", *_LR_BATCH, "--log_metrics", "--use_bn", "True"],
        epochs=300, seeds=5,
        what="the authors' main_simsiam.py, unmodified, in Table 1's Simplified-SimSiam setting (issue 13): "
             "encoder (linear, BatchNorm, SymReLU), projection layer (linear, BatchNorm, SymReLU), linear "
             "predictor, symmetrised negative cosine with stop-gradient, one SGD optimiser; independent masks "
             "that zero each coordinate with probability 0.1 (their meaning of the masking probability 0.1), "
             "random initialisation, p = 50, d = 10, m = 50, Pr(sparse) = 0.1",
        source="NO script of theirs runs main_simsiam.py: config/overpara_nopre_alter.yaml (Table 1's sizes), the "
               "lr and batch of all their scripts, --use_bn True (Table 1's Simplified-SimSiam has BatchNorm; "
               "main_simsiam.py's default is False); --normalize_repr does not reach this model",
        companion=dict(method="simsiam", predictor=True, activation="relu", batchnorm=True, p=50, d=10, m=50,
                       masking_prob=0.1, init="random")),
    "figure-15": dict(
        script="main.py", cfg="fullrank_nopre_ws.yaml",
        cut=dict(ws_noise_levels="(1.25,)", sparsity_levels="(0.1,)", masking_probs="(0.5,)"),
        flags=["--model", "simplified", "--use_alt_norm", "True", "--use_row_norm", "False", "--normalize_repr",
               "True", *_LR_BATCH, "--use_bn", "False", "--log_metrics"],
        epochs=1500, seeds=3,
        what="the authors' main.py, unmodified, in Figure 15's setting: simplified model, COLUMNS of W^o and W^t "
             "normalised after every step (their --use_alt_norm), warm start c = 1.25, p = d = m = 20, "
             "Pr(sparse) = 0.1, masking probability 0.5",
        source="Figure 14's command line (config/fullrank_nopre_ws.yaml, --model simplified --normalize_repr True) "
               "with --use_alt_norm True --use_row_norm False: their column-normalised script "
               "(scripts/ncl_no_pred_ws_cn.sh) runs simplified-pred on config files that are not in their "
               "repository, so this is a constructed setting, the text's Figure 15 model",
        companion=dict(method="ncl", activation="symrelu", batchnorm=False, init="warm", warm_c=1.25,
                       weight_norm="column", p=20, d=20, m=20, masking_prob=0.5)),
    "table-1-simclr": dict(
        script="main_simclr.py", cfg="overpara_nopre_alter.yaml",
        cut=dict(sparsity_levels="(0.1,)", masking_probs="(0.1,)"),
        flags=["--model", "simclr-orig", *_LR_BATCH, "--temperature", "0.05", "--log_metrics"],
        epochs=300, seeds=5, check_epochs=3, patch="ntxent-unit-dot",
        what="the authors' main_simclr.py in Table 1's Simplified-SimCLR setting: simclr-orig model (one-layer "
             "encoder, BatchNorm (always on in this model), SymReLU, then a linear projector with bias, NT-Xent "
             "with temperature 0.05), complementary masks 2Dx and 2(I-D)x with D ~ Bernoulli(0.5), last partial "
             "batch dropped, random initialisation, p = 50, d = 10, m = 50, Pr(sparse) = 0.1; RUN WITH THE SAME "
             "SPEED PATCH as figure-02-cl (see patch and check)",
        source="NO script of theirs runs --model simclr-orig: config/overpara_nopre_alter.yaml (Table 1's sizes), "
               "the lr, batch and temperature of their main_simclr.py line in scripts/cl_vs_ncl_ksparse.sh; "
               "the masking probability 0.1 only names their output file",
        companion=dict(method="cl", projector=True, activation="relu", batchnorm=True, p=50, d=10, m=50,
                       masking_prob=0.1, init="random")),
}

#: In-memory patches a setting may name (applied by the launcher, never to the authors' files).
PATCHES: dict[str, str] = {
    "ntxent-unit-dot": "models/nt_xent.py NT_Xent: after its __init__, self.similarity_f (nn.CosineSimilarity(dim=2) "
                       "applied to z.unsqueeze(1) [2N, 1, 50] and z.unsqueeze(0) [1, 2N, 50], a [2N, 2N, 50] "
                       "broadcast) is replaced, in memory by the launcher of scripts/authors_fixtures.py, by "
                       "functools.partial(torch.einsum, 'ixk,xjk->ij'), i.e. z @ z.T: z's rows are already unit "
                       "(NT_Xent.forward applies F.normalize to both views first), so it is the same cosine "
                       "similarity; the gradient with respect to the encoder output is the same because "
                       "F.normalize's Jacobian removes the radial term in which the two differ. "
                       "Nothing else is changed.",
}

#: The log interval of the compact curves (and of the companion's ``log_every``).
CURVE_EVERY = 10


def _launch(argv: list[str]) -> None:
    """``--launch SCRIPT [--patch NAME] -- ARGS``: run the authors' SCRIPT (cwd: their checkout) as
    ``python SCRIPT ARGS`` would, after registering a forward hook that records the loss each
    training step returns (read only; the wandb stub adds the epoch's mean to its log row)."""
    sep = argv.index("--")
    opts, rest = argv[:sep], argv[sep + 1:]
    script = opts[0]
    patch = opts[opts.index("--patch") + 1] if "--patch" in opts else None
    authors = Path.cwd()
    sys.path.insert(0, str(authors))
    sys.argv = [script, *rest]
    import runpy

    import torch
    import wandb

    steps: list[float] = []

    def hook(module, inputs, output):  # the training model (it has an encoder Wo) returns the loss
        if hasattr(module, "Wo") and isinstance(output, torch.Tensor) and output.dim() == 0:
            steps.append(float(output.detach()))

    def extra() -> dict[str, float]:
        out = {"epoch_steps": float(len(steps)), "epoch_loss_sum": float(sum(steps))}
        steps.clear()
        return out

    torch.nn.modules.module.register_module_forward_hook(hook)
    wandb.EXTRA = extra
    if patch == "ntxent-unit-dot":
        import functools

        import models.nt_xent as nx

        original_init = nx.NT_Xent.__init__

        def patched_init(self, *a, **k):
            original_init(self, *a, **k)
            # called as similarity_f(z.unsqueeze(1), z.unsqueeze(0)) on unit rows: z @ z.T; a
            # partial of torch.einsum (no parameters), so their pickle of the model still works
            del self.similarity_f
            self.similarity_f = functools.partial(torch.einsum, "ixk,xjk->ij")

        nx.NT_Xent.__init__ = patched_init
    elif patch is not None:
        raise SystemExit(f"unknown patch {patch!r}; known: {', '.join(PATCHES)}")
    runpy.run_path(script, run_name="__main__")


def _write_cfg(authors: Path, setting: dict[str, Any], folder: Path, epochs: int, seeds: int) -> dict[str, Any]:
    import yaml
    cfg = yaml.safe_load((authors / "config" / setting["cfg"]).read_text())
    cfg.update(num_exp=seeds, NUM_EPOCHES=epochs, **setting["cut"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cfg.yaml").write_text(yaml.safe_dump(cfg))
    return cfg


def _execute(authors: Path, setting: dict[str, Any], folder: Path, *, launcher: bool) -> tuple[list[str], float]:
    """Run the setting (config already in ``folder``) plainly or through the launcher."""
    log = folder / "wandb.jsonl"
    env = dict(os.environ, AUTHORS_WANDB_LOG=str(log), MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1",
               OMP_NUM_THREADS="1")
    args = ["--cfg", str(folder / "cfg.yaml"), "--logDir", str(folder / "logs"), *setting["flags"]]
    if launcher:
        pre = [sys.executable, str(Path(__file__).resolve()), "--launch", setting["script"]]
        if setting.get("patch"):
            pre += ["--patch", setting["patch"]]
        cmd = [*pre, "--", *args]
    else:
        cmd = [sys.executable, setting["script"], *args]
    t0 = time.time()
    subprocess.run(cmd, cwd=authors, env=env, check=True, stdout=subprocess.DEVNULL)
    return [setting["script"], *args], time.time() - t0


def _collect(authors: Path, folder: Path, epochs: int, seeds: int) -> tuple[list[list[dict]], list[dict]]:
    """The wandb rows per seed and the authors' pickles (experiment i = seed i + 1)."""
    import pickle
    if str(authors) not in sys.path:
        sys.path.insert(0, str(authors))  # the pickles hold the authors' model
    rows = [json.loads(line) for line in (folder / "wandb.jsonl").read_text().splitlines()]
    if len(rows) != epochs * seeds:
        raise RuntimeError(f"{folder}: {len(rows)} logged epochs, expected {epochs} x {seeds}")
    vals = []
    for i in range(seeds):
        (path,) = (folder / "logs").glob(f"training_val_dict_*_experiment{i}.pkl")
        with open(path, "rb") as fh:
            vals.append(pickle.load(fh))
    return [rows[i * epochs:(i + 1) * epochs] for i in range(seeds)], vals


def _scalar(v: Any) -> float:
    """A float from the authors' loss (a tensor that requires grad) or a number."""
    return float(v.detach() if hasattr(v, "detach") else v)


def _seconds_per_epoch(rows: list[dict]) -> float | None:
    import numpy as np
    t = np.array([r["_t"] for r in rows])
    return float(np.median(np.diff(t))) if len(t) > 1 else None


def _check(authors: Path, setting: dict[str, Any], tmp: Path, epochs: int) -> dict[str, Any]:
    """Seed 1 for ``epochs`` epochs, plainly (``python SCRIPT ...``) and through the launcher (with
    its loss hook and any patch): the largest differences of what each run reports."""
    import numpy as np
    out: dict[str, Any] = {}
    runs = {}
    for kind, launcher in (("plain", False), ("launcher", True)):
        folder = tmp / f"check-{kind}"
        _write_cfg(authors, setting, folder, epochs, 1)
        _, wall = _execute(authors, setting, folder, launcher=launcher)
        (rows,), (val,) = _collect(authors, folder, epochs, 1)
        runs[kind] = (rows, val)
        out[f"s_per_epoch_{kind}"] = _seconds_per_epoch(rows)
        out[f"wall_s_{kind}"] = round(wall, 1)
    (ra, va), (rb, vb) = runs["plain"], runs["launcher"]
    logged = [k for k in ("Min Wo_dot_M", "Med Wo_dot_M", "Max Wo_dot_M", "loss") if k in ra[0]]
    sa, sb = va["model"].state_dict(), vb["model"].state_dict()
    params = max(float((sa[k].double() - sb[k].double()).abs().max()) for k in sa if sa[k].is_floating_point())
    out.update(
        epochs=epochs, seed=1,
        what="seed 1 run twice for these epochs: plainly (python SCRIPT ARGS, no hook, no patch) and through the "
             "launcher used for the recorded runs (loss-reading forward hook" +
             (f", patch {setting['patch']!r}" if setting.get("patch") else "") + "); max |difference| of each "
             "epoch's logged min/median/max max-cosine and last-minibatch loss, of the final metrics and loss in "
             "their pickle, and of every parameter and BatchNorm buffer of the final model",
        max_abs_diff_logged=max(abs(x[k] - y[k]) for x, y in zip(ra, rb) for k in logged),
        max_abs_diff_final_metric=float(np.max(np.abs(np.array(va["final_metric"][:3], dtype=float)
                                                      - np.array(vb["final_metric"][:3], dtype=float)))),
        max_abs_diff_loss=abs(_scalar(va["loss"]) - _scalar(vb["loss"])),
        max_abs_diff_parameters=params,
        plain_final=dict(min=float(va["final_metric"][2]), median=float(va["final_metric"][1]),
                         max=float(va["final_metric"][0]), loss=_scalar(va["loss"])),
        launcher_final=dict(min=float(vb["final_metric"][2]), median=float(vb["final_metric"][1]),
                            max=float(vb["final_metric"][0]), loss=_scalar(vb["loss"])))
    return out


def inner_run(name: str, authors: Path, out_json: Path, epochs: int, seeds: int, check_epochs: int,
              commit: str) -> None:
    """Run the authors' script in setting ``name`` and write the compact JSON (the format of
    ``results/authors/figure-14.json``, plus s/epoch, epoch-mean losses, patch and check)."""
    import tempfile
    setting = SETTINGS[name]
    tmp = Path(tempfile.mkdtemp(prefix=f"authors-{name}-"))
    check = _check(authors, setting, tmp, check_epochs) if check_epochs > 0 else None
    if check is not None:
        print(json.dumps({"check": check}))
    cfg = _write_cfg(authors, setting, tmp / "run", epochs, seeds)
    command, wall = _execute(authors, setting, tmp / "run", launcher=True)
    per_seed, vals = _collect(authors, tmp / "run", epochs, seeds)
    curve_epochs = list(range(0, epochs + 1, CURVE_EVERY))
    runs = []
    for i, (rows, val) in enumerate(zip(per_seed, vals)):
        init_min = float(val["init_metric"][2])
        window = []  # mean step loss over the epochs since the previous curve epoch
        for e in curve_epochs[1:]:
            chunk = rows[max(0, e - CURVE_EVERY):e]
            window.append(round(sum(r["epoch_loss_sum"] for r in chunk) / sum(r["epoch_steps"] for r in chunk), 6))
        last = rows[-1]
        runs.append(dict(
            seed=i + 1, init_min=init_min, final_min=float(val["final_metric"][2]),
            final_median=float(val["final_metric"][1]), final_max=float(val["final_metric"][0]),
            final_loss=_scalar(val["loss"]),
            final_loss_epoch_mean=last["epoch_loss_sum"] / last["epoch_steps"],
            final_loss_window_mean=window[-1] if window else None,
            min_maxcos=[round(init_min, 6)] + [round(rows[e - 1]["Min Wo_dot_M"], 6) for e in curve_epochs[1:]],
            loss_window_mean=[None] + window))
    result = dict(
        what=setting["what"],
        produced_by=f"scripts/authors_fixtures.py --run {name} OUT.json --epochs {epochs} --seeds {seeds} "
                    f"--check-epochs {check_epochs} (the authors' code in its own environment; OMP_NUM_THREADS=1)",
        authors_code=f"github.com/ashwinipokle/contrastive_landscape at commit {commit[:7]}",
        machine=f"this project's CPU machine ({os.cpu_count()} cores, no GPU)",
        finished=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        command=" ".join(command), config=cfg, wall_s=round(wall, 1),
        seeds=[i + 1 for i in range(seeds)], epochs=epochs, curve_epochs=curve_epochs, runs=runs,
        setting=name, source=setting["source"],
        s_per_epoch=round(wall / (epochs * seeds), 4),
        s_per_epoch_note="wall_s / (epochs x seeds): data generation, training and their per-epoch wandb "
                         "metrics (through the stub) included",
        launched_as="the authors' script executed unmodified with runpy by scripts/authors_fixtures.py --launch "
                    "(cwd: their checkout), after registering a global forward hook "
                    "(torch.nn.modules.module.register_module_forward_hook) that only reads the loss each "
                    "training step returns" + (", and with the patch below" if setting.get("patch") else ""),
        loss_note="final_loss: what their code reports as loss (the `loss` of their pickle: the last minibatch's "
                  "of the last epoch, the same value their wandb row logs). final_loss_epoch_mean: the unweighted "
                  "mean of the step losses of the last epoch; final_loss_window_mean and loss_window_mean[k]: of "
                  "all steps of the 10 epochs up to curve_epochs[k] (the companion's logged loss with "
                  "log_every = 10). Their training loop does not pass these to wandb; the launcher's hook records "
                  "them (see check: it changes no number).",
        patch=PATCHES[setting["patch"]] if setting.get("patch") else None,
        check=check)
    out_json.write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k not in ("runs", "curve_epochs", "config")}))
    for r in runs:
        print(f"seed {r['seed']}: min max-cosine {r['init_min']:.3f} -> {r['final_min']:.3f}, "
              f"loss {r['final_loss']:.4f} (epoch mean {r['final_loss_epoch_mean']:.4f})")


def companion_config(name: str, epochs: int) -> dict[str, Any]:
    """The companion's ``TrainConfig`` of setting ``name`` under the public code's reading, as a
    dict without the seed: ``TrainConfig(**fields, p_sparse=0.1, epochs, log_every=10)
    .code_reading().to_dict()``, built by the project's own interpreter."""
    fields = dict(SETTINGS[name]["companion"], p_sparse=0.1, epochs=epochs, log_every=CURVE_EVERY)
    code = ("import json, sys\nfrom landscape.config import TrainConfig\n"
            "d = TrainConfig(**json.loads(sys.argv[1])).code_reading().to_dict()\nd.pop('seed')\n"
            "print(json.dumps(d))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]))
    errors = []
    for py in dict.fromkeys([sys.executable, str(REPO / ".venv" / "bin" / "python")]):
        if not Path(py).exists():
            continue
        res = subprocess.run([py, "-c", code, json.dumps(fields)], capture_output=True, text=True, env=env)
        if res.returncode == 0:
            return json.loads(res.stdout)
        errors.append(f"{py}: {res.stderr.strip().splitlines()[-1] if res.stderr.strip() else res.returncode}")
    raise SystemExit("cannot build the companion's TrainConfig (landscape not importable): " + "; ".join(errors))


# =============================================================================== entry point
def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["--launch"]:  # inside the venv, cwd = the authors' checkout
        _launch(argv[1:])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--authors-code", type=Path, default=DEFAULT_AUTHORS,
                    help="checkout of the authors' repository (default: %(default)s)")
    ap.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="its virtual environment (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="fixture folder (default: %(default)s)")
    ap.add_argument("--run", nargs=2, default=None, metavar=("NAME", "OUT.json"),
                    help="run the authors' script in setting NAME instead (see --list), writing OUT.json")
    ap.add_argument("--figure14", type=Path, default=None, metavar="OUT.json",
                    help="the same as --run figure-14 OUT.json")
    ap.add_argument("--list", action="store_true", help="list the settings of --run and exit")
    ap.add_argument("--epochs", type=int, default=None, help="--run: epochs (default: the setting's)")
    ap.add_argument("--seeds", type=int, default=None, help="--run: experiments, seeded 1..N (default: the setting's)")
    ap.add_argument("--check-epochs", type=int, default=None,
                    help="--run: epochs of the plain-vs-launcher check before the run (0: none; default: the "
                         "setting's, else 3)")
    ap.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.list:
        for name, s in SETTINGS.items():
            patch = f", patch {s['patch']}" if s.get("patch") else ""
            print(f"{name}: {s['script']} --cfg config/{s['cfg']} {' '.join(s['flags'])} "
                  f"({s['epochs']} epochs, {s['seeds']} seeds{patch})")
        return
    if args.figure14 is not None:
        if args.run is not None:
            ap.error("--figure14 is --run figure-14: give one of them")
        args.run = ["figure-14", str(args.figure14)]
    run_name = run_out = None
    if args.run is not None:
        run_name, run_out = args.run[0], Path(args.run[1]).resolve()
        if run_name not in SETTINGS:
            ap.error(f"unknown setting {run_name!r}; valid: {', '.join(SETTINGS)}")
        s = SETTINGS[run_name]
        args.epochs = s["epochs"] if args.epochs is None else args.epochs
        args.seeds = s["seeds"] if args.seeds is None else args.seeds
        args.check_epochs = s.get("check_epochs", 3) if args.check_epochs is None else args.check_epochs
        if args.epochs < 1 or args.seeds < 1 or args.check_epochs < 0:
            ap.error("--epochs and --seeds must be >= 1, --check-epochs >= 0")
    authors = args.authors_code.resolve()
    if not (authors / "main.py").exists():
        raise SystemExit(f"{authors} is not a checkout of the authors' code (no main.py)")
    commit = authors_commit(authors)
    if not args.inside:
        companion = companion_config(run_name, args.epochs) if run_name else None  # fails fast
        py = ensure_venv(args.venv.resolve())
        cmd = [str(py), str(Path(__file__).resolve()), "--inside", "--authors-code", str(authors),
               "--out", str(args.out.resolve())]
        if run_name:
            cmd += ["--run", run_name, str(run_out), "--epochs", str(args.epochs), "--seeds", str(args.seeds),
                    "--check-epochs", str(args.check_epochs)]
        rc = subprocess.call(cmd)
        if rc == 0 and run_name:
            record = json.loads(run_out.read_text())
            record["companion_config"] = companion
            record["companion_config_note"] = (
                "landscape.config.TrainConfig(**fields, p_sparse=0.1, epochs=E, log_every=10).code_reading()"
                ".to_dict() without the seed; the seeds are the authors' i + 1")
            run_out.write_text(json.dumps(record, indent=1))
        raise SystemExit(rc)
    if run_name:
        inner_run(run_name, authors, run_out, args.epochs, args.seeds, args.check_epochs, commit)
    else:
        inner_fixtures(authors, args.out, commit)


if __name__ == "__main__":
    main()
