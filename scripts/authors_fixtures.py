#!/usr/bin/env python3
"""Differential-test fixtures recorded from the authors' own code (run as an oracle, never copied).

    python scripts/authors_fixtures.py [--authors-code PATH] [--venv DIR] [--out DIR]
    python scripts/authors_fixtures.py --figure14 OUT.json [--epochs 1500] [--seeds 3]

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

``--figure14`` instead runs the authors' ``main.py`` unmodified in Figure 14's setting
(``--model simplified --use_row_norm True --normalize_repr True``, ``config/fullrank_nopre_ws.yaml``
cut to Pr(sparse) 0.1, masking 0.5, c = 1.25) and writes the per-epoch minimum max-cosine (logged
through the wandb stub) to a JSON file.
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
With AUTHORS_WANDB_LOG set, ``log`` appends its numeric values as JSON lines to that file."""
import json, os
config = {}
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
        with open(path, "a") as fh:
            fh.write(json.dumps(_numeric(d)) + "\\n")
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


def inner_figure14(authors: Path, out_json: Path, epochs: int, seeds: int, commit: str) -> None:
    """Run the authors' main.py (unmodified, in a subprocess) in Figure 14's setting."""
    import tempfile

    import yaml
    tmp = Path(tempfile.mkdtemp(prefix="authors-fig14-"))
    cfg = yaml.safe_load((authors / "config" / "fullrank_nopre_ws.yaml").read_text())
    cfg.update(num_exp=seeds, NUM_EPOCHES=epochs, ws_noise_levels="(1.25,)", sparsity_levels="(0.1,)",
               masking_probs="(0.5,)")
    (tmp / "cfg.yaml").write_text(yaml.safe_dump(cfg))
    log = tmp / "wandb.jsonl"
    env = dict(os.environ, AUTHORS_WANDB_LOG=str(log), MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1",
               OMP_NUM_THREADS="1")
    cmd = [sys.executable, "main.py", "--cfg", str(tmp / "cfg.yaml"), "--logDir", str(tmp / "logs"),
           "--model", "simplified", "--use_row_norm", "True", "--normalize_repr", "True", "--lr", "0.005",
           "--batch_size", "512", "--use_bn", "False", "--log_metrics"]
    t0 = time.time()
    subprocess.run(cmd, cwd=authors, env=env, check=True, stdout=subprocess.DEVNULL)
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    runs = [rows[i * epochs:(i + 1) * epochs] for i in range(seeds)]
    import pickle
    sys.path.insert(0, str(authors))  # the pickles hold the authors' model
    result = dict(command=" ".join(cmd[1:]), config=cfg, authors_commit=commit, wall_s=time.time() - t0,
                  seeds=[i + 1 for i in range(seeds)], epochs=epochs, runs=[])
    for i, run in enumerate(runs):
        with open(tmp / "logs" / f"training_val_dict_c1.25_noiseNone_sparse0.1_mask0.5_emaNone_experiment{i}.pkl",
                  "rb") as fh:
            val = pickle.load(fh)
        result["runs"].append(dict(
            seed=i + 1, init_min=float(val["init_metric"][2]), final_min=float(val["final_metric"][2]),
            final_median=float(val["final_metric"][1]), final_max=float(val["final_metric"][0]),
            min_maxcos=[r["Min Wo_dot_M"] for r in run], loss=[r["loss"] for r in run]))
    out_json.write_text(json.dumps(result))
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}))
    for r in result["runs"]:
        print(f"seed {r['seed']}: min max-cosine {r['init_min']:.3f} -> {r['final_min']:.3f}")


# =============================================================================== entry point
def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--authors-code", type=Path, default=DEFAULT_AUTHORS,
                    help="checkout of the authors' repository (default: %(default)s)")
    ap.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="its virtual environment (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="fixture folder (default: %(default)s)")
    ap.add_argument("--figure14", type=Path, default=None, metavar="OUT.json",
                    help="run the authors' main.py in Figure 14's setting instead, writing curves to OUT.json")
    ap.add_argument("--epochs", type=int, default=1500, help="--figure14: epochs (default 1500)")
    ap.add_argument("--seeds", type=int, default=3, help="--figure14: experiments (seeds 1..N, default 3)")
    ap.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    authors = args.authors_code.resolve()
    if not (authors / "main.py").exists():
        raise SystemExit(f"{authors} is not a checkout of the authors' code (no main.py)")
    commit = authors_commit(authors)
    if not args.inside:
        py = ensure_venv(args.venv.resolve())
        cmd = [str(py), str(Path(__file__).resolve()), "--inside", "--authors-code", str(authors),
               "--out", str(args.out.resolve()), "--epochs", str(args.epochs), "--seeds", str(args.seeds)]
        if args.figure14 is not None:
            cmd += ["--figure14", str(args.figure14.resolve())]
        raise SystemExit(subprocess.call(cmd))
    if args.figure14 is not None:
        inner_figure14(authors, args.figure14, args.epochs, args.seeds, commit)
    else:
        inner_fixtures(authors, args.out, commit)


if __name__ == "__main__":
    main()
