"""Per-condition summaries of a batched run: the final (and initial) minimum, median and maximum
max-cosine (Eq. 11) and loss over runs, and their keys for a page's key numbers."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ..config import REPLICA_FIELDS

METRICS = ("min", "median", "max")          # order of TrainResult.maxcos[..., :]
FIELD_LABELS = {"p_sparse": "Pr(sparse)", "warm_sigma": "σ", "masking_prob": "masking prob.",
                "warm_c": "c", "lr": "lr", "temperature": "τ", "latents": "latents", "noise": "noise"}
FIELD_SLUGS = {"p_sparse": "ps", "warm_sigma": "sig", "masking_prob": "mask", "warm_c": "c"}
#: Standard deviations over runs use this many delta degrees of freedom (0: population std).
STD_DDOF = 0


@dataclass(frozen=True)
class Stats:
    """Mean, standard deviation (ddof = STD_DDOF), minimum and maximum over runs."""

    mean: float
    std: float
    min: float
    max: float
    n: int

    @classmethod
    def of(cls, values: Iterable[float]) -> "Stats":
        v = np.asarray(list(values), dtype=float)
        std = float(v.std(ddof=STD_DDOF)) if v.size > STD_DDOF else float("nan")
        return cls(float(v.mean()), std, float(v.min()), float(v.max()), int(v.size))

    def __str__(self) -> str:
        return f"{self.mean:.2f} ± {self.std:.2f}"


@dataclass(frozen=True)
class ConditionSummary:
    """The runs of one model under one condition (e.g. one Pr(sparse))."""

    model: str
    condition: tuple[tuple[str, Any], ...]
    seeds: tuple[int, ...]
    start: dict[str, Stats]           # metric -> stats at epoch 0
    final: dict[str, Stats]           # metric -> stats at the last logged epoch
    final_loss: Stats
    epochs: int
    #: metric -> stats over runs of each run's own change, final minus epoch 0 (paired)
    change: dict[str, Stats] = field(default_factory=dict)

    @property
    def cond(self) -> dict[str, Any]:
        return dict(self.condition)

    @property
    def runs(self) -> int:
        return len(self.seeds)

    def label(self, with_model: bool = False) -> str:
        parts = [f"{FIELD_LABELS.get(k, k)} = {v:g}" if isinstance(v, float) else f"{FIELD_LABELS.get(k, k)} = {v}"
                 for k, v in self.condition]
        text = ", ".join(parts)
        if with_model:
            return f"{self.model}, {text}" if text else self.model
        return text or self.model

    def key(self, metric: str, when: str = "final") -> str:
        """A glue-safe key such as ``ncl_ps0p1_min`` (``_start`` appended for epoch 0)."""
        parts = [slug(self.model)] + [_cond_slug(k, v) for k, v in self.condition] + [metric]
        if when != "final":
            parts.append(when)
        return "_".join(parts)


def slug(text: str) -> str:
    """``"NCL-basic-2L"`` -> ``"ncl_basic_2l"``."""
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")


def _cond_slug(k: str, v: Any) -> str:
    val = f"{v:g}" if isinstance(v, float) else str(v)
    return FIELD_SLUGS.get(k, slug(k)) + val.replace(".", "p").replace("-", "m")


def varying_fields(configs: Sequence[Any]) -> tuple[str, ...]:
    """The replica fields other than the seed that differ between ``configs``."""
    out = []
    for f in REPLICA_FIELDS:
        if f == "seed":
            continue
        if len({getattr(c, f) for c in configs}) > 1:
            out.append(f)
    return tuple(out)


def condition_fields(configs: Sequence[Any]) -> tuple[str, ...]:
    """The fields that name a condition: those that vary, and Pr(sparse) always (unless the
    latents are one-hot), so that a run with a single Pr(sparse) keeps the same keys."""
    varying = set(varying_fields(configs))
    if any(c.latents != "one_hot" for c in configs):
        varying.add("p_sparse")
    return tuple(f for f in REPLICA_FIELDS if f in varying)


def groups(result: Any, by: Sequence[str] | None = None) -> list[tuple[tuple[tuple[str, Any], ...], np.ndarray]]:
    """Replica indices per condition (default :func:`condition_fields`), in order of first appearance."""
    by = condition_fields(result.configs) if by is None else tuple(by)
    order: dict[tuple, list[int]] = {}
    for i, c in enumerate(result.configs):
        order.setdefault(tuple((f, getattr(c, f)) for f in by), []).append(i)
    return [(k, np.array(v)) for k, v in order.items()]


def summarise(result: Any, model: str, by: Sequence[str] | None = None) -> list[ConditionSummary]:
    """Per condition: the final (and initial) min / median / max max-cosine and the final loss."""
    out = []
    for cond, idx in groups(result, by):
        mc = result.maxcos[idx]             # [r, T, 3]
        out.append(ConditionSummary(
            model=model, condition=cond, seeds=tuple(int(result.configs[i].seed) for i in idx),
            start={m: Stats.of(mc[:, 0, j]) for j, m in enumerate(METRICS)},
            final={m: Stats.of(mc[:, -1, j]) for j, m in enumerate(METRICS)},
            final_loss=Stats.of(result.loss[idx, -1]), epochs=int(result.epochs[-1]),
            change={m: Stats.of(mc[:, -1, j] - mc[:, 0, j]) for j, m in enumerate(METRICS)}))
    return out


def summarise_all(results: Mapping[str, Any], by: Sequence[str] | None = None) -> list[ConditionSummary]:
    """:func:`summarise` for every model of ``{label: TrainResult}``, concatenated."""
    return [s for label, res in results.items() for s in summarise(res, label, by)]


def find(summaries: Sequence[ConditionSummary], model: str, **condition: Any) -> ConditionSummary:
    """The summary of ``model`` under ``condition`` (floats compared to 1e-9)."""
    for s in summaries:
        if s.model != model:
            continue
        cond = s.cond
        if all(k in cond and _same(cond[k], v) for k, v in condition.items()):
            return s
    have = sorted({s.model for s in summaries})
    raise KeyError(f"no summary for model {model!r} with {condition}; models: {', '.join(have)}")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-9)
    return a == b


def format_summary(summaries: Sequence[ConditionSummary], start: bool = True) -> str:
    """A plain-text table: model, condition, runs, then min / median / max max-cosine
    (mean ± std over runs; ``start -> final`` when ``start``) and the final loss."""
    head = ["model", "condition", "runs"] + [f"{m} max-cos" for m in METRICS] + ["final loss"]
    rows = []
    for s in summaries:
        cells = [s.model, s.label() if s.condition else "-", str(s.runs)]
        for m in METRICS:
            f = str(s.final[m])
            cells.append(f"{s.start[m].mean:.2f} -> {f}" if start else f)
        cells.append(f"{s.final_loss.mean:.3f}")
        rows.append(cells)
    return _text_table(head, rows)


def _text_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    fmt = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
    return "\n".join([fmt(head), fmt(["-" * w for w in widths]), *map(fmt, rows)])


def key_numbers_for(summaries: Sequence[ConditionSummary], metrics: Sequence[str] = METRICS,
                    when: str = "final", models: Sequence[str] | None = None) -> dict[str, float]:
    """``{key: mean over runs}`` of each metric per model and condition (keys from
    :meth:`ConditionSummary.key`), for the page layer's ``key_numbers``: at the end
    (``when="final"``), at epoch 0 (``"start"``), each run's own end-minus-start change
    (``"change"``), or the final loss (``"loss"``, metrics ignored)."""
    if when not in ("final", "start", "change", "loss"):
        raise ValueError(f"unknown when {when!r}; valid: final, start, change, loss")
    out = {}
    for s in summaries:
        if models is not None and s.model not in models:
            continue
        if when == "loss":
            out[s.key("loss")] = s.final_loss.mean
            continue
        src = {"final": s.final, "start": s.start, "change": s.change}[when]
        for m in metrics:
            out[s.key(m, when)] = src[m].mean
    return out
