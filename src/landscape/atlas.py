"""The Atlas: phase diagrams beyond the paper, over knobs of the data model and of training.

Each atlas is a two-axis grid (columns ``x``, rows ``y``).  At every grid point each of its
models is trained with ``runs`` seeds (``seed``, ``seed + 1``, ...) in **one batched call per
(point, model)**, so that a point trained alone (one execution of ``landscape sweep``) and the
whole grid trained by its page share their cache entries and shipped results.

* ``atlas-noise``: the noise standard deviation (``TrainConfig.noise_std``; the text's
  sqrt(log d / d) and the public code's sqrt(ln d) / d are grid values) against the masks
  (independent, Eq. 3, at several keep probabilities; dependent, Eq. 2), for CL-basic and
  NCL-basic (Table 2's models).
* ``atlas-sparsity``: Pr(sparse) against the width m / d, for CL, NCL, NCL with a predictor and
  NCL from a warm start.
* ``atlas-warm``: the warm start's closeness c (sigma = p^(-c/2)) against the normalisation of
  the weights after every step (none / rows / columns), without and with a predictor (Sec.
  5.2.3, Figures 7 and 13-16; Theorem 3's setting is rows, no predictor, small Delta).

Summaries (:func:`grid_summary`) are the final minimum max-cosine (Eq. 11) per cell: mean and
standard deviation over runs, and how much the mean still moved over the last quarter of
training (:data:`FLAT_TOL` decides "flat").  Cells not trained are NaN.

A cell still moving at the end of its epochs is trained again at twice the epochs, then four
times, ... up to the page's ``extend`` factor (:func:`cell_chain`; its own cache entry each, a
longer training continuing from the shorter one's kept final state where there is one): the map
shows each cell at the shortest length at which it has flattened, or at the cap, and says which.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .config import TrainConfig
from .data import noise_std

__all__ = ["ATLASES", "Atlas", "GridSummary", "get", "names", "cells", "cell_configs", "grid_summary",
           "final_stats", "boundary_text", "crossing", "cell_chain", "longer", "settled", "base_epochs",
           "reading_points", "theorem3_c", "clear", "FLAT_TOL", "LEVEL", "MIN_EFFECT"]

#: A cell is "flat" when its mean final minimum max-cosine moved by at most this much over the
#: last quarter of training.
FLAT_TOL = 0.02
#: The level at which a method is said to recover the dictionary (minimum max-cosine).
LEVEL = 0.8
#: A difference (CL - NCL, or final - start) counts as clear when it exceeds both twice its
#: standard error over the runs and this much; otherwise it is inconclusive.
MIN_EFFECT = 0.02


def clear(diff: np.ndarray, se: np.ndarray) -> np.ndarray:
    """Where a difference is clear of the seed spread and of :data:`MIN_EFFECT` (NaN: False)."""
    with np.errstate(invalid="ignore"):
        return (np.abs(diff) > 2 * se) & (np.abs(diff) > MIN_EFFECT)

#: What the smoke profile changes (as :data:`landscape.experiments.SMOKE_CHANGES`).
SMOKE = dict(n=250, batch_size=100, lr=0.2, log_every=5)
#: Sec. 4.2's sizes and training (the paper profile).
PAPER = dict(p=50, d=10, m=50, n=1000, batch_size=512, lr=0.025, log_every=10, latents="paper",
             masking_prob=0.5, mask_meaning="keep", symrelu_form="paper", temperature=0.05,
             warm_pick="code")

CL = dict(method="cl", activation="symrelu", batchnorm=True)
NCL = dict(method="ncl", activation="symrelu", batchnorm=True)
NCL_PRED = dict(NCL, predictor=True)
NCL_WARM = dict(NCL, init="warm", warm_c=1.0)
NORMED = dict(method="ncl", activation="symrelu", batchnorm=False, init="warm")


@dataclass(frozen=True)
class Atlas:
    """One phase diagram: its axes, models and how a grid point sets a configuration."""

    name: str
    title: str
    x_param: str                 # page parameter holding the column values
    x_label: str
    models: tuple[tuple[str, dict[str, Any]], ...]
    rows: Callable[[Mapping[str, Any]], list[tuple[str, dict[str, Any]]]]   # (label, fields) per row
    point: Callable[[float, Mapping[str, Any]], dict[str, Any]]             # fields of column x
    base: Callable[[Mapping[str, Any]], dict[str, Any]] = lambda params: {}

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.models]


def base_epochs(atlas: Atlas, params: Mapping[str, Any], model: str) -> int:
    """The epochs a model's cells train first (before any longer training, :func:`cell_chain`)."""
    fixed = dict(atlas.models)[model]
    return int(params["epochs_cl"] if fixed["method"] == "cl" else params["epochs_ncl"])


def cell_configs(atlas: Atlas, params: Mapping[str, Any], x: float, row: Mapping[str, Any],
                 model: str, profile: str = "paper") -> list[TrainConfig]:
    """The ``runs`` configurations of one model at one grid point (one batched call)."""
    fixed = dict(dict(atlas.models)[model])
    fields = dict(PAPER)
    if profile == "smoke":
        fields.update(SMOKE)
    fields.update(atlas.base(params))
    fields.update(p_sparse=float(params.get("p_sparse", 0.1)))
    fields.update(atlas.point(x, params))
    fields.update(row)
    fields.update(fixed)
    if fixed["method"] == "cl" and "cl_augmentation" in params:
        fields.update(augmentation=params["cl_augmentation"])
    fields.update(epochs=base_epochs(atlas, params, model))
    return [TrainConfig(**{**fields, "seed": int(params["seed"]) + i}) for i in range(int(params["runs"]))]


def cells(atlas: Atlas, params: Mapping[str, Any], profile: str = "paper"):
    """Every ``(model, row index, column index, configs)`` of the grid, column by column."""
    xs = list(params[atlas.x_param])
    for j, x in enumerate(xs):
        for i, (_, row) in enumerate(atlas.rows(params)):
            for model in atlas.labels:
                yield model, i, j, cell_configs(atlas, params, x, row, model, profile)


def longer(configs: Sequence[TrainConfig], factor: int) -> list[TrainConfig]:
    """The same runs trained ``factor`` times as many epochs (a cache entry of their own)."""
    return [c.replace(epochs=int(c.epochs) * int(factor)) for c in configs]


def settled(result: Any) -> bool:
    """Whether a result's mean minimum max-cosine moved by at most :data:`FLAT_TOL` over the last
    quarter of its training."""
    return abs(final_stats(result)["moved"]) <= FLAT_TOL


def cell_chain(configs: Sequence[TrainConfig], extend: int,
               get: Callable[[list[TrainConfig]], Any]) -> list[tuple[list[TrainConfig], Any]]:
    """A cell's trainings at 1, 2, 4, ... times its epochs (at most ``extend`` times), each
    ``(configs, get(configs))``: the chain goes on while the last result is still moving and stops
    at the first missing one (``get`` returned None: the next training to do)."""
    if int(extend) < 1:
        raise ValueError(f"extend must be >= 1 (1: never train a cell longer), got {extend!r}")
    chain = [(list(configs), get(list(configs)))]
    factor = 2
    while factor <= int(extend) and chain[-1][1] is not None and not settled(chain[-1][1]):
        cfgs = longer(configs, factor)
        chain.append((cfgs, get(cfgs)))
        factor *= 2
    return chain


# ----------------------------------------------------------------------------- the three atlases
def _noise_rows(params: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = [(f"Eq. 3, keep {a:g}", dict(augmentation="independent", masking_prob=float(a)))
           for a in params["keep_probs"]]
    if params["dependent"]:
        out.append(("Eq. 2 (2Dx, 2(I-D)x)", dict(augmentation="dependent", masking_prob=0.5)))
    return out


def _sparsity_rows(params: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"m/d = {m / PAPER['d']:g}", dict(m=int(m))) for m in params["widths"]]


def _sparsity_base(params: Mapping[str, Any]) -> dict[str, Any]:
    return dict(noise=params["noise"])


def _warm_rows(params: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [("no normalisation", dict(weight_norm="none")), ("rows normalised", dict(weight_norm="row")),
            ("columns normalised", dict(weight_norm="column"))]


def _warm_base(params: Mapping[str, Any]) -> dict[str, Any]:
    d = int(params["d"])
    return dict(p=d, d=d, m=d, noise=params["noise"], dictionary=params["dictionary"])


ATLASES: dict[str, Atlas] = {a.name: a for a in [
    Atlas("atlas-noise", "Noise x augmentation", "noise_stds", "noise standard deviation",
          (("CL", dict(CL)), ("NCL", dict(NCL))), _noise_rows,
          lambda x, params: dict(noise_std=float(x))),
    Atlas("atlas-sparsity", "Sparsity x width", "p_sparses", "Pr(sparse)",
          (("CL", dict(CL)), ("NCL", dict(NCL)),
           ("NCL + predictor", dict(NCL_PRED)), ("NCL, warm start", dict(NCL_WARM))),
          _sparsity_rows, lambda x, params: dict(p_sparse=float(x)), _sparsity_base),
    Atlas("atlas-warm", "Warm start x normalisation", "warm_cs", "warm start c (sigma = p^(-c/2))",
          (("NCL", dict(NORMED)), ("NCL + predictor", dict(NORMED, predictor=True, predictor_bias=False))),
          _warm_rows, lambda x, params: dict(warm_c=float(x)), _warm_base),
]}


def names() -> list[str]:
    return list(ATLASES)


def get(name: str) -> Atlas:
    if name not in ATLASES:
        raise ValueError(f"unknown atlas {name!r}; valid: {', '.join(ATLASES)}")
    return ATLASES[name]


def reading_points(d: int = 10) -> dict[str, float]:
    """The noise levels of the two readings: the text's (variance log d / d) and the code's."""
    return {"text": noise_std(d, "paper"), "code": noise_std(d, "code")}


def theorem3_c(d: int, warm_scale: float = 0.1) -> float:
    """The warm-start c at which sigma = p^(-c/2) equals Theorem 3's page's off-diagonal scale
    warm_scale / d (p = d): c = 2 ln(d / warm_scale) / ln d."""
    return 2.0 * math.log(d / warm_scale) / math.log(d)


# ----------------------------------------------------------------------------- summaries
@dataclass
class GridSummary:
    """Per model, arrays of shape [rows, columns]; NaN where a cell is not trained."""

    mean: dict[str, np.ndarray]
    std: dict[str, np.ndarray]
    moved: dict[str, np.ndarray]       # mean at the end - mean at 75 % of training (signed)
    doubled: dict[str, np.ndarray]     # mean at the end - mean at 50 % (the last doubling of the epochs)
    doubled_before: dict[str, np.ndarray]   # mean at 50 % - mean at 25 % (the doubling before)
    epochs: dict[str, np.ndarray]      # epochs of the training summarised (a cell's longest stored)
    first: dict[str, np.ndarray]       # final mean of the cell's first (shortest) training
    runs: dict[str, np.ndarray]
    rise: dict[str, np.ndarray]        # mean over runs of (final - initial)
    rise_std: dict[str, np.ndarray]
    wall_s: float
    trained: int
    total: int
    repeats: int = 0                   # pairs (shorter, longer training) of the cells' chains
    repeats_exact: int = 0             # of those, the longer repeating the shorter bit for bit
    repeat_max: float = 0.0            # the largest |difference| of any max-cosine over shared epochs

    def rise_se(self, m: str) -> np.ndarray:
        """Standard error of the mean rise from the start."""
        return self.rise_std[m] / np.sqrt(self.runs[m])

    def diff(self, a: str, b: str) -> np.ndarray:
        return self.mean[a] - self.mean[b]

    def diff_se(self, a: str, b: str) -> np.ndarray:
        """Standard error of the difference of two cells' means."""
        return np.sqrt(self.std[a] ** 2 / self.runs[a] + self.std[b] ** 2 / self.runs[b])


def _std(x: np.ndarray) -> float:
    return float(x.std(ddof=1)) if len(x) > 1 else 0.0


def final_stats(result: Any) -> dict[str, float]:
    """Of the minimum max-cosine over a result's runs: the final ``mean`` and ``std``, how far
    the mean ``moved`` over the last quarter of training (signed: negative while it still
    falls), the ``rise`` from the start (mean and ``rise_std``), the number of ``runs``, and how
    far the mean moved over the last doubling of the epochs (``doubled``: from half the epochs to
    the end) and over the one before (``doubled_before``: from a quarter to half): a curve falling
    as fast per doubling at the end as before is not about to flatten."""
    mins = np.asarray(result.maxcos)[:, :, 0]
    epochs = np.asarray(result.epochs)
    end = mins[:, -1]

    def mean_at(fraction: float) -> float:
        return float(mins[:, min(int(np.searchsorted(epochs, fraction * epochs[-1])), len(epochs) - 1)].mean())

    rise = end - mins[:, 0]
    return dict(mean=float(end.mean()), std=_std(end), moved=float(end.mean()) - mean_at(0.75), runs=len(end),
                rise=float(rise.mean()), rise_std=_std(rise), doubled=float(end.mean()) - mean_at(0.5),
                doubled_before=mean_at(0.5) - mean_at(0.25))


def repeat_difference(shorter: Any, longer: Any) -> float:
    """The largest |difference| of any max-cosine of any run between a longer training and a
    shorter one of the same runs over the epochs both logged (0.0: bit for bit; a longer
    training's first epochs are the shorter one's, up to the last bits of the machine's kernels)."""
    _, i, j = np.intersect1d(np.asarray(shorter.epochs), np.asarray(longer.epochs), return_indices=True)
    return float(np.max(np.abs(np.asarray(longer.maxcos)[:, j] - np.asarray(shorter.maxcos)[:, i]), initial=0.0))


def grid_summary(atlas: Atlas, params: Mapping[str, Any], results: Mapping[tuple[str, int, int], Any]) -> GridSummary:
    """Summaries of ``results``: ``(model, row, column) ->`` a TrainResult, or the list of a
    cell's stored trainings at growing lengths (:func:`cell_chain`: the last is summarised, every
    one's wall time counts, and each longer one is compared with the one before it over their
    shared epochs: :func:`repeat_difference`); missing cells (None or an empty list): NaN."""
    shape = (len(atlas.rows(params)), len(params[atlas.x_param]))
    keys = ("mean", "std", "moved", "doubled", "doubled_before", "runs", "rise", "rise_std", "epochs", "first")
    out = {k: {m: np.full(shape, np.nan) for m in atlas.labels} for k in keys}
    wall, trained, diffs = 0.0, 0, []
    for (model, i, j), res in results.items():
        chain = [r for r in (res if isinstance(res, (list, tuple)) else [res]) if r is not None]
        if not chain:
            continue
        trained += 1
        for k, v in final_stats(chain[-1]).items():
            out[k][model][i, j] = v
        out["epochs"][model][i, j] = float(np.asarray(chain[-1].epochs)[-1])
        out["first"][model][i, j] = final_stats(chain[0])["mean"]
        wall += sum(float(r.wall_s) for r in chain)
        diffs += [repeat_difference(a, b) for a, b in zip(chain, chain[1:])]
    return GridSummary(**out, wall_s=wall, trained=trained, total=shape[0] * shape[1] * len(atlas.labels),
                       repeats=len(diffs), repeats_exact=sum(d == 0.0 for d in diffs),
                       repeat_max=max(diffs, default=0.0))


def crossing(values: Sequence[float], xs: Sequence[float], level: float = LEVEL) -> tuple[float, str] | None:
    """The first x (linear interpolation between neighbouring columns) where ``values`` passes
    ``level``, scanning left to right, and the direction (``"falls"`` or ``"rises"``); None when
    it never does between two trained columns."""
    for k in range(len(xs) - 1):
        a, b = values[k], values[k + 1]
        if np.isnan(a) or np.isnan(b) or (a >= level) == (b >= level):
            continue
        return float(xs[k] + (a - level) / (a - b) * (xs[k + 1] - xs[k])), "falls" if a >= level else "rises"
    return None


def boundary_text(atlas: Atlas, params: Mapping[str, Any], summary: GridSummary, model: str,
                  level: float = LEVEL) -> list[str]:
    """One phrase per row: where the model's minimum max-cosine crosses ``level``."""
    xs = list(params[atlas.x_param])
    out = []
    for i, (label, _) in enumerate(atlas.rows(params)):
        vals = summary.mean[model][i]
        n = int(np.sum(~np.isnan(vals)))
        where = "everywhere" if n == len(vals) else f"in the {n} of {len(vals)} cells trained"
        if np.all(np.isnan(vals)):
            out.append(f"{label}: not trained")
        elif np.nanmin(vals) >= level:
            out.append(f"{label}: above {level:g} {where}")
        elif np.nanmax(vals) < level:
            out.append(f"{label}: below {level:g} {where}")
        else:
            found = crossing(vals, xs, level)
            out.append(f"{label}: {found[1]} through {level:g} near {found[0]:.3g}" if found is not None
                       else f"{label}: on both sides of {level:g}, with untrained cells between")
    return out
