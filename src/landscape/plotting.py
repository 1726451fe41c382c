"""Figures in the paper's layout, per-condition summaries, and tables next to the paper's numbers.

Figures: one panel per quantity (minimum / median / maximum max-cosine of Eq. 11, loss); in each
panel the mean curve over runs with a band from the minimum to the maximum over runs, one color
per Pr(sparse) (or per model when there is a single condition), one line style per model.

Tables: :func:`summarise` reduces a :class:`~landscape.train.TrainResult` to the final metrics per
condition (mean, std, min and max over runs); :func:`compare_table` sets them beside the numbers the
paper reports (``results/reported_numbers.csv``) and marks each cell within or outside the
tolerance, defined once here: ``|ours - paper| <= max(2 * std_paper, 0.05)``.
"""
from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .config import REPLICA_FIELDS
from .provenance import REPO_ROOT

METRICS = ("min", "median", "max")          # order of TrainResult.maxcos[..., :]
TWO_PANELS = ("min", "loss")
FOUR_PANELS = ("min", "median", "max", "loss")
YLABELS = {"min": "Minimum max-cosine", "median": "Median max-cosine",
           "max": "Maximum max-cosine", "loss": "Loss"}
FIELD_LABELS = {"p_sparse": "Pr(sparse)", "warm_sigma": "σ", "masking_prob": "masking prob.",
                "warm_c": "c", "lr": "lr", "temperature": "τ", "latents": "latents", "noise": "noise"}
FIELD_SLUGS = {"p_sparse": "ps", "warm_sigma": "sig", "masking_prob": "mask", "warm_c": "c"}

#: Tolerance of a table cell: |ours - paper| <= max(TOL_STD_FACTOR * std_paper, TOL_FLOOR).
TOL_STD_FACTOR = 2.0
TOL_FLOOR = 0.05
#: Standard deviations over runs use this many delta degrees of freedom (0: population std).
STD_DDOF = 0

REPORTED_CSV = REPO_ROOT / "results" / "reported_numbers.csv"
_SHARED_CSV = REPO_ROOT.parent / "shared" / "paper" / "reported_numbers.csv"

__all__ = ["METRICS", "TWO_PANELS", "FOUR_PANELS", "TOL_STD_FACTOR", "TOL_FLOOR", "Stats",
           "ConditionSummary", "summarise", "summarise_all", "find", "format_summary",
           "key_numbers_for", "slug", "plot_curves", "tolerance", "within_tolerance",
           "load_reported", "reported", "Comparison", "compare_table", "compare_value"]


# ------------------------------------------------------------------------------------ summaries
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
            final_loss=Stats.of(result.loss[idx, -1]), epochs=int(result.epochs[-1])))
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
    :meth:`ConditionSummary.key`), for :func:`landscape.notebook.key_numbers`."""
    out = {}
    for s in summaries:
        if models is not None and s.model not in models:
            continue
        src = s.final if when == "final" else s.start
        for m in metrics:
            out[s.key(m, when)] = src[m].mean
    return out


# ------------------------------------------------------------------------------------ figures
def plot_curves(results: Mapping[str, Any], panels: Sequence[str] = TWO_PANELS,
                by: Sequence[str] | None = None, title: str | None = None, band: bool = True,
                models: Sequence[str] | None = None, panel_width: float = 3.6,
                panel_height: float = 3.0):
    """The paper's layout: one panel per quantity, mean over runs with a min-max band.

    ``results`` is ``{model label: TrainResult}``; ``panels`` any of ``min``, ``median``,
    ``max``, ``loss``; ``by`` the replica fields that define a condition (default: those that
    vary). Colors follow the condition (or the model, if there is one condition); line styles
    follow the model. Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    for p in panels:
        if p not in YLABELS:
            raise ValueError(f"unknown panel {p!r}; valid panels: {', '.join(YLABELS)}")
    labels = list(models or results)
    fig, axes = plt.subplots(1, len(panels), figsize=(panel_width * len(panels), panel_height),
                             squeeze=False, layout="constrained")
    axes = axes[0]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    styles = ["-", "--", ":", "-."]
    conds: list[tuple] = []
    for label in labels:
        for cond, _ in groups(results[label], by):
            if cond not in conds:
                conds.append(cond)
    single_cond = len(conds) <= 1
    for mi, label in enumerate(labels):
        res = results[label]
        ep = np.asarray(res.epochs)
        for cond, idx in groups(res, by):
            ci = conds.index(cond)
            color = colors[(mi if single_cond else ci) % len(colors)]
            style = "-" if (single_cond or len(labels) == 1) else styles[mi % len(styles)]
            name = ", ".join(f"{FIELD_LABELS.get(k, k)} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                             for k, v in cond)
            if len(labels) > 1 or not name:
                name = f"{label}, {name}" if name else label
            for ax, panel in zip(axes, panels):
                if panel == "loss":
                    y, x = res.loss[idx][:, 1:], ep[1:]
                else:
                    y, x = res.maxcos[idx][:, :, METRICS.index(panel)], ep
                if y.shape[1] == 0:
                    continue
                ax.plot(x, y.mean(0), color=color, linestyle=style, linewidth=1.4,
                        label=name if panel == panels[0] else None)
                if band and y.shape[0] > 1:
                    ax.fill_between(x, y.min(0), y.max(0), color=color, alpha=0.18, linewidth=0)
    for ax, panel in zip(axes, panels):
        ax.set_xlabel("Epoch")
        ax.set_ylabel(YLABELS[panel])
        ax.grid(alpha=0.3)
        if panel != "loss":
            ax.set_ylim(0.0, 1.02)
    handles, names = axes[0].get_legend_handles_labels()
    if handles:
        # one legend column per model when there are several models and conditions
        ncol = len(labels) if (len(labels) > 1 and not single_cond) else min(len(names), 4)
        fig.legend(handles, names, loc="outside lower center", ncol=ncol, fontsize="small", frameon=False)
    if title:
        fig.suptitle(title)
    return fig


# ------------------------------------------------------------------------------------ tolerance
def tolerance(paper_std: float | None) -> float:
    """The allowed gap to a paper number: max(2 * std_paper, 0.05) (0.05 when no std is given)."""
    if paper_std is None or (isinstance(paper_std, float) and math.isnan(paper_std)):
        return TOL_FLOOR
    return max(TOL_STD_FACTOR * float(paper_std), TOL_FLOOR)


def within_tolerance(ours: float, paper_mean: float, paper_std: float | None) -> bool:
    """``|ours - paper| <= max(2 * std_paper, 0.05)`` (with a 1e-9 slack for rounding)."""
    return abs(float(ours) - float(paper_mean)) <= tolerance(paper_std) + 1e-9


# ------------------------------------------------------------------------------------ reported numbers
@dataclass(frozen=True)
class Reported:
    source: str
    model: str
    bn: str
    symrelu: str
    p_sparse: float | None
    sigma_ws: str
    metric: str
    mean: float
    std: float | None
    runs: int | None


def _float(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


def load_reported(path: str | Path | None = None) -> list[Reported]:
    """The paper's numbers: ``results/reported_numbers.csv`` in the repository (a copy of
    ``shared/paper/reported_numbers.csv``), or that file beside the clone."""
    if path is None:
        path = REPORTED_CSV if REPORTED_CSV.exists() else _SHARED_CSV
    rows = []
    with open(path, newline="") as fh:
        for r in csv.DictReader(fh):
            runs = r.get("runs", "").strip()
            rows.append(Reported(source=r["source"], model=r["model"], bn=r["bn"], symrelu=r["symrelu"],
                                 p_sparse=_float(r["p_sparse"]), sigma_ws=r["sigma_ws"].strip(),
                                 metric=r["metric"], mean=float(r["mean"]), std=_float(r["std"]),
                                 runs=int(runs) if runs else None))
    return rows


def reported(source: str, model: str, metric: str, p_sparse: float | None = None,
             sigma_ws: float | str | None = None, rows: Sequence[Reported] | None = None) -> Reported:
    """One number the paper reports. ``metric`` is ``min``/``median``/``max`` (final value) or a
    column name of the CSV (``min_maxcos_start``...)."""
    name = f"{metric}_maxcos" if metric in METRICS else metric
    rows = load_reported() if rows is None else rows
    for r in rows:
        if r.source != source or r.model != model or r.metric != name:
            continue
        if p_sparse is not None and (r.p_sparse is None or not math.isclose(r.p_sparse, p_sparse, abs_tol=1e-9)):
            continue
        if sigma_ws is not None:
            try:
                if not math.isclose(float(r.sigma_ws), float(sigma_ws), abs_tol=1e-9):
                    continue
            except ValueError:
                if r.sigma_ws != str(sigma_ws):
                    continue
        return r
    raise KeyError(f"the paper reports no {name} for {source}/{model} (p_sparse={p_sparse}, sigma={sigma_ws})")


# ------------------------------------------------------------------------------------ tables
@dataclass(frozen=True)
class Cell:
    model: str
    condition: tuple[tuple[str, Any], ...]
    metric: str
    ours: Stats
    paper_mean: float
    paper_std: float | None

    @property
    def diff(self) -> float:
        return self.ours.mean - self.paper_mean

    @property
    def tol(self) -> float:
        return tolerance(self.paper_std)

    @property
    def within(self) -> bool:
        return within_tolerance(self.ours.mean, self.paper_mean, self.paper_std)


def paper_number(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:g}" if len(f"{x:g}") <= 5 else f"{x:.3f}"


@dataclass
class Comparison:
    """Our table beside the paper's, cell by cell (``cells``), printable in the paper's layout."""

    source: str
    cells: list[Cell] = field(default_factory=list)
    metrics: tuple[str, ...] = ("max", "median", "min")

    @property
    def n_cells(self) -> int:
        return len(self.cells)

    @property
    def n_within(self) -> int:
        return sum(c.within for c in self.cells)

    @property
    def fraction_within(self) -> float:
        return self.n_within / self.n_cells if self.cells else float("nan")

    def _rows(self) -> list[tuple[str, tuple, dict[str, Cell]]]:
        rows: dict[tuple, dict[str, Cell]] = {}
        for c in self.cells:
            rows.setdefault((c.model, c.condition), {})[c.metric] = c
        return [(m, cond, cells) for (m, cond), cells in rows.items()]

    def text(self) -> str:
        """Plain text: per row and metric ``ours (paper) diff mark``; ✓ within tolerance."""
        names = {"max": "Maximum", "median": "Median", "min": "Minimum"}
        rows = self._rows()
        cond_keys = [k for k, _ in rows[0][1]] if rows else []
        head = ["Model"] + [FIELD_LABELS.get(k, k) for k in cond_keys]
        head += [f"{names[m]} max-cos: ours (paper) Δ" for m in self.metrics]
        body = []
        for model, cond, cells in rows:
            line = [model] + [f"{v:g}" for _, v in cond]
            for m in self.metrics:
                c = cells.get(m)
                if c is None:
                    line.append("-")
                    continue
                line.append(f"{c.ours.mean:.2f}±{c.ours.std:.2f} ({paper_number(c.paper_mean)}±"
                            f"{paper_number(c.paper_std)}) {c.diff:+.2f} {'✓' if c.within else '✗'}")
            body.append(line)
        foot = (f"\n✓: |ours - paper| <= max({TOL_STD_FACTOR:g} × std_paper, {TOL_FLOOR:g}); "
                f"{self.n_within} of {self.n_cells} cells within tolerance.")
        return _text_table(head, body) + foot

    def markdown(self) -> str:
        """The same table in Markdown (for the book)."""
        names = {"max": "Maximum", "median": "Median", "min": "Minimum"}
        rows = self._rows()
        cond_keys = [k for k, _ in rows[0][1]] if rows else []
        head = ["Model"] + [FIELD_LABELS.get(k, k) for k in cond_keys]
        for m in self.metrics:
            head += [f"{names[m]} (ours)", "paper", "Δ", ""]
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for model, cond, cells in rows:
            line = [model] + [f"{v:g}" for _, v in cond]
            for m in self.metrics:
                c = cells.get(m)
                if c is None:
                    line += ["-"] * 4
                    continue
                line += [f"{c.ours.mean:.2f} ± {c.ours.std:.2f}",
                         f"{paper_number(c.paper_mean)} ± {paper_number(c.paper_std)}",
                         f"{c.diff:+.2f}", "✓" if c.within else "✗"]
            out.append("| " + " | ".join(line) + " |")
        return "\n".join(out)

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __str__(self) -> str:
        return self.text()


def compare_table(summaries: Sequence[ConditionSummary], source: str,
                  models: Mapping[str, str] | Sequence[str] | None = None,
                  metrics: Sequence[str] = ("max", "median", "min")) -> Comparison:
    """Each (model, condition, metric) of ``summaries`` beside the paper's number in ``source``
    (``table1``, ``table2``, ``table4``). ``models`` maps our labels to the paper's (default: the
    same); summaries of other models are left out. Conditions: ``p_sparse`` and, for Table 4,
    ``warm_sigma``."""
    if models is None:
        mapping = {s.model: s.model for s in summaries}
    elif isinstance(models, Mapping):
        mapping = dict(models)
    else:
        mapping = {m: m for m in models}
    rows = load_reported()
    comp = Comparison(source=source, metrics=tuple(metrics))
    for s in summaries:
        if s.model not in mapping:
            continue
        cond = s.cond
        for m in metrics:
            r = reported(source, mapping[s.model], m, p_sparse=cond.get("p_sparse"),
                         sigma_ws=cond.get("warm_sigma"), rows=rows)
            comp.cells.append(Cell(model=mapping[s.model], condition=s.condition, metric=m,
                                   ours=s.final[m], paper_mean=r.mean, paper_std=r.std))
    return comp


def compare_value(ours: float, source: str, model: str, metric: str, **kw: Any) -> tuple[Reported, bool, str]:
    """One of our numbers against one the paper quotes: ``(reported, within, detail text)``."""
    r = reported(source, model, metric, **kw)
    ok = within_tolerance(ours, r.mean, r.std)
    detail = (f"ours {ours:.2f}, paper {paper_number(r.mean)}"
              f"{'' if r.std is None else f' ± {paper_number(r.std)}'}, tolerance {tolerance(r.std):.2f}")
    return r, ok, detail

