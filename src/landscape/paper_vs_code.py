"""The comparisons of the paper-vs-code page: each ambiguous setting trained under both readings.

The page (``notebooks/paper-vs-code.py``) trains Figure 2's CL model (Table 2's CL-basic) under
the text's readings, with each of six readings switched to the public code's alone, with all six
switched, with all but one switched, and with the two decisive ones (noise and masks) switched; Table 1's models with both meanings of the masking
probability; Figure 2's NCL with and without BatchNorm; Figure 4's warm start with both column
picks.  Every comparison runs at Pr(sparse) 0.1, 0.2 and 0.3 with one seed.  The variants are
defined here so that the shipped-results tools know them (``scripts/paper_run.py --train-only
paper-vs-code``, ``scripts/prune_shipped.py``).
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .config import TrainConfig, structural_key
from .profiles import PROFILES

__all__ = ["PROFILES", "P_SPARSE", "TEXT", "CODE", "sizes", "comparisons", "all_configs", "train_groups",
           "FIG14_SETTING", "SIDE_BY_SIDE", "SIDE_BY_SIDE_SEEDS", "side_by_side"]

P_SPARSE = (0.1, 0.2, 0.3)
#: The six readings of the measured table: the text's (the companion's defaults) and the code's.
TEXT: dict[str, Any] = dict(augmentation="independent", symrelu_form="paper", latents="paper", noise="paper",
                            lr=0.025, drop_last=False)
CODE: dict[str, Any] = dict(augmentation="dependent", symrelu_form="code", latents="code", noise="code",
                            lr=0.005, drop_last=True)

_CL_BASIC = dict(method="cl", activation="symrelu", batchnorm=True, temperature=0.05)
_SIMCLR = dict(method="cl", projector=True, activation="relu", batchnorm=True, masking_prob=0.1)
_SIMSIAM = dict(method="simsiam", predictor=True, activation="relu", batchnorm=True, masking_prob=0.1)
_NCL_BASIC = dict(method="ncl", activation="symrelu")
_NCL_WARM = dict(method="ncl", activation="symrelu", batchnorm=True, init="warm", warm_c=1.0)


def sizes(profile: str, epochs: int | None = None, seed: int = 0) -> dict[str, Any]:
    """The fields every comparison shares: the paper's sizes with 2000 epochs (a quarter of the
    paper's 8000: enough to separate the readings), or toy sizes for ``smoke``."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; valid profiles: {', '.join(PROFILES)}")
    size = (dict(n=1000, batch_size=512, epochs=2000, log_every=100) if profile == "paper"
            else dict(n=250, batch_size=100, epochs=60, log_every=10))
    if epochs is not None:
        if int(epochs) < 1:
            raise ValueError(f"epochs must be >= 1, got {epochs!r}")
        size["epochs"] = int(epochs)
    return dict(p=50, d=10, m=50, seed=int(seed), **size)


def comparisons() -> dict[str, dict[str, dict[str, Any]]]:
    """``{comparison: {variant name: TrainConfig fields}}`` (before the shared sizes)."""
    cl = {"text (default)": {**_CL_BASIC, **TEXT}}
    for k in TEXT:
        cl[f"text, {k} = code"] = {**_CL_BASIC, **TEXT, k: CODE[k]}
    cl["code (all six)"] = {**_CL_BASIC, **CODE}
    for k in CODE:
        cl[f"code, {k} = text"] = {**_CL_BASIC, **CODE, k: TEXT[k]}
    pair = {"text, noise and augmentation = code": {**_CL_BASIC, **TEXT, "noise": CODE["noise"],
                                                      "augmentation": CODE["augmentation"]}}
    return {
        "cl": cl,
        "pair": pair,
        "masks": {"Simplified-SimCLR, keep 0.1 (default)": {**_SIMCLR, "mask_meaning": "keep"},
                  "Simplified-SimCLR, drop 0.1 (code)": {**_SIMCLR, "mask_meaning": "drop"},
                  "Simplified-SimSiam, keep 0.1 (default)": {**_SIMSIAM, "mask_meaning": "keep"},
                  "Simplified-SimSiam, drop 0.1 (code)": {**_SIMSIAM, "mask_meaning": "drop"}},
        "bn": {"NCL, BatchNorm (default)": {**_NCL_BASIC, "batchnorm": True},
               "NCL, no BatchNorm (code)": {**_NCL_BASIC, "batchnorm": False}},
        "warm": {"with replacement (default, code)": {**_NCL_WARM, "warm_pick": "with_replacement"},
                 "every column at least once": {**_NCL_WARM, "warm_pick": "cover"}},
    }


#: Figure 14's setting as the authors' ``main.py`` runs it (``--model simplified --use_row_norm
#: True --normalize_repr True``, ``fullrank_nopre_ws.yaml`` cut to one sparsity, one masking
#: probability and c = 1.25), to set beside their own run (``results/authors/figure-14.json``).
FIG14_SETTING: dict[str, Any] = dict(method="ncl", activation="symrelu", batchnorm=False, init="warm",
                                     warm_c=1.25, weight_norm="row", p=20, d=20, m=20, p_sparse=0.1,
                                     masking_prob=0.5, batch_size=512)
#: The authors' experiment i is seeded i + 1.
SIDE_BY_SIDE_SEEDS = (1, 2, 3)

#: Every setting run side by side with the authors' own scripts (their records:
#: ``results/authors/<name>.json``, whose ``companion_config`` a test holds equal to these):
#: the model's fields as the text reads them, cut to one Pr(sparse) and one masking probability;
#: :func:`side_by_side` applies :meth:`TrainConfig.code_reading`.  ``epochs`` and ``seeds`` are
#: those of the authors' recorded runs; ``zero_bias``: also train it with the text's zero biases;
#: ``text_heads``: also with the text's N(0, 1/(p d)) weights for the heads (``head_init="paper"``);
#: ``extra``: more variants of the code's reading, ``{label: changed fields}``.
SIDE_BY_SIDE: dict[str, dict[str, Any]] = {
    "figure-14": dict(fields=FIG14_SETTING, epochs=1500, seeds=SIDE_BY_SIDE_SEEDS, zero_bias=True,
                      title="Figure 14's setting (warm start, rows normalised, p = d = m = 20)"),
    "figure-02-ncl": dict(fields=dict(method="ncl", activation="symrelu", batchnorm=False, p=50, d=10, m=50,
                                      p_sparse=0.1, masking_prob=0.5, batch_size=512),
                          epochs=300, seeds=(1, 2, 3, 4, 5), zero_bias=False,
                          title="Figure 2's non-contrastive model (random start, p = 50, d = 10, m = 50)"),
    "figure-05": dict(fields=dict(method="ncl", activation="symrelu", batchnorm=True, predictor=True,
                                  init="warm", warm_c=1.0, p=50, d=10, m=50, p_sparse=0.1, masking_prob=0.5,
                                  batch_size=512),
                      epochs=300, seeds=(1, 2, 3, 4, 5), zero_bias=False, text_heads=True,
                      title="Figure 5's model (linear predictor, BatchNorm, warm start c = 1)"),
    "figure-03": dict(fields=dict(method="ncl", activation="symrelu", batchnorm=True, layers=2, p=50, d=10, m=50,
                                  p_sparse=0.1, masking_prob=0.5, batch_size=512),
                      epochs=300, seeds=(1, 2, 3, 4, 5), zero_bias=False,
                      title="Figure 3's two-layer model (BatchNorm, random start; a command line of ours: "
                            "no script of theirs runs it)"),
    "figure-02-cl": dict(fields=dict(method="cl", activation="symrelu", batchnorm=True, p=50, d=10, m=50,
                                     p_sparse=0.1, masking_prob=0.5, batch_size=512),
                         epochs=300, seeds=(1, 2, 3, 4, 5), zero_bias=False,
                         title="Figure 2's contrastive model (NT-Xent, BatchNorm, random start; the authors' "
                               "NT-Xent similarity computed as z z^T of its unit rows, a speed patch checked "
                               "to change nothing beyond 1e-6)"),
    "table-1-simsiam": dict(fields=dict(method="simsiam", activation="symrelu", batchnorm=True, layers=2,
                                        predictor=True, p=50, d=10, m=50, p_sparse=0.1, masking_prob=0.1,
                                        batch_size=512),
                            epochs=300, seeds=(1, 2, 3, 4, 5), zero_bias=False, text_heads=True,
                            title="Table 1's Simplified-SimSiam (projection layer, linear predictor, BatchNorm, "
                                  "random start; their main_simsiam.py, which no script of theirs runs)"),
    "table-1-simclr": dict(fields=dict(method="cl", activation="symrelu", batchnorm=True, projector=True, p=50,
                                       d=10, m=50, p_sparse=0.1, masking_prob=0.1, batch_size=512),
                           epochs=300, seeds=(1, 2, 3, 4, 5), zero_bias=False, text_heads=True,
                           extra={"code reading, but D ~ Bernoulli(0.1)": {"masking_prob": 0.1}},
                           title="Table 1's Simplified-SimCLR (BatchNorm, linear projector, NT-Xent, random start; "
                                 "their main_simclr.py --model simclr-orig, which no script of theirs runs, with "
                                 "the same NT-Xent speed patch)"),
    "figure-15": dict(fields={**FIG14_SETTING, "weight_norm": "column"}, epochs=1500, seeds=SIDE_BY_SIDE_SEEDS,
                      zero_bias=False,
                      title="Figure 15's setting (warm start, columns normalised, p = d = m = 20; Figure 14's "
                            "command line with their --use_alt_norm, a command line of ours)"),
}


def side_by_side(profile: str, epochs: int | None = None, name: str = "figure-14") -> dict[str, list[TrainConfig]]:
    """``{variant: [TrainConfig per seed]}`` of a :data:`SIDE_BY_SIDE` setting under the public
    code's reading (:meth:`TrainConfig.code_reading`: n = 3000, lr 0.005, nn.Linear's biases...),
    and for Figure 14's also with the text's zero biases (the bias initialisation's measured
    effect); the authors' recorded epochs and seeds (toy sizes for ``smoke``)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; valid profiles: {', '.join(PROFILES)}")
    if name not in SIDE_BY_SIDE:
        raise ValueError(f"unknown side-by-side setting {name!r}; valid: {', '.join(SIDE_BY_SIDE)}")
    setting = SIDE_BY_SIDE[name]
    base = TrainConfig(**setting["fields"]).code_reading()
    size = (dict(epochs=setting["epochs"], log_every=10) if profile == "paper"
            else dict(n=250, batch_size=100, epochs=60, log_every=5))
    if epochs is not None:
        if int(epochs) < 1:
            raise ValueError(f"epochs must be >= 1, got {epochs!r}")
        size["epochs"] = int(epochs)
    base = base.replace(**size)
    variants = [("code reading", {})] + ([("code reading, zero biases", {"bias_init": "zero"})]
                                         if setting["zero_bias"] else []) + (
        [("code reading, the text's head weights", {"head_init": "paper"})] if setting.get("text_heads") else []) + list(
        setting.get("extra", {}).items())
    return {v: [base.replace(seed=s, **change) for s in setting["seeds"]] for v, change in variants}


def _groups(variants: Mapping[str, Mapping[str, Any]], common: Mapping[str, Any]
            ) -> list[list[tuple[str, list[TrainConfig]]]]:
    """The variants (each at every Pr(sparse)) grouped into batched training calls."""
    groups: dict[Any, list[tuple[str, list[TrainConfig]]]] = {}
    for name, fields in variants.items():
        cfgs = [TrainConfig(**{**common, **fields, "p_sparse": ps}) for ps in P_SPARSE]
        groups.setdefault(structural_key(cfgs[0]), []).append((name, cfgs))
    return list(groups.values())


def all_configs(profile: str, epochs: int | None = None, seed: int = 0) -> list[list[TrainConfig]]:
    """Every batched training call of the page (for the shipped-results tools)."""
    common = sizes(profile, epochs, seed)
    return [[c for _, cs in members for c in cs] for variants in comparisons().values()
            for members in _groups(variants, common)] + [
        cfgs for name in SIDE_BY_SIDE for cfgs in side_by_side(profile, name=name).values()]


def train_groups(variants: Mapping[str, Mapping[str, Any]], common: Mapping[str, Any], *,
                 device: str = "auto", progress: bool = False) -> dict[str, np.ndarray]:
    """Train the variants, batching those that may share one run; return
    ``{name: final [min, median, max] max-cosine per Pr(sparse)}`` (an array [3, 3])."""
    from .cache import cached_train

    out = {}
    for members in _groups(variants, common):
        cfgs = [c for _, cs in members for c in cs]
        fin = cached_train(cfgs, device=device, progress=progress).final_maxcos
        for k, (name, _) in enumerate(members):
            out[name] = fin[k * len(P_SPARSE):(k + 1) * len(P_SPARSE)]
    return out
