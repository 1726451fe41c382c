"""The numbers the paper reports (``reported_numbers.csv``, package data: a copy of the paper's
tables) and our tables beside them, cell by cell, each marked within or outside
:func:`landscape.analysis.tolerance.tolerance`."""
from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, Sequence

from .summaries import FIELD_LABELS, METRICS, ConditionSummary, Stats, _text_table
from .tolerance import RULE, tolerance, within_tolerance

#: The paper's reported numbers, shipped inside the package.
REPORTED_CSV = "reported_numbers.csv"


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


def reported_csv() -> str:
    """The text of the paper's reported numbers (package data)."""
    return resources.files(__package__).joinpath(REPORTED_CSV).read_text()


@functools.lru_cache(maxsize=None)
def _load_text(text: str) -> tuple[Reported, ...]:
    rows = []
    for r in csv.DictReader(text.splitlines()):
        runs = r.get("runs", "").strip()
        rows.append(Reported(source=r["source"], model=r["model"], bn=r["bn"], symrelu=r["symrelu"],
                             p_sparse=_float(r["p_sparse"]), sigma_ws=r["sigma_ws"].strip(),
                             metric=r["metric"], mean=float(r["mean"]), std=_float(r["std"]),
                             runs=int(runs) if runs else None))
    return tuple(rows)


def load_reported(path: str | Path | None = None) -> list[Reported]:
    """The paper's numbers: the package's ``reported_numbers.csv``, or the file at ``path``."""
    text = reported_csv() if path is None else Path(path).read_text()
    return list(_load_text(text))


def table_source(section: str) -> str:
    """The reported numbers' source name of a section of the paper: ``"Table 2"`` -> ``"table2"``."""
    return section.lower().replace(" ", "")


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
        foot = (f"\n✓: |ours - paper| <= {RULE}; "
                f"{self.n_within} of {self.n_cells} cells within tolerance.")
        return _text_table(head, body) + foot

    def markdown(self) -> str:
        """The same table in Markdown (for the book), one column per metric so that it fits a
        page: ``ours ± std`` over ``paper ± std``, then Δ and ✓ (within tolerance) or ✗."""
        names = {"max": "Maximum", "median": "Median", "min": "Minimum"}
        rows = self._rows()
        cond_keys = [k for k, _ in rows[0][1]] if rows else []
        head = ["Model"] + [FIELD_LABELS.get(k, k) for k in cond_keys]
        head += [f"{names[m]}: ours / paper, Δ" for m in self.metrics]
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for model, cond, cells in rows:
            line = [model] + [f"{v:g}" for _, v in cond]
            for m in self.metrics:
                c = cells.get(m)
                if c is None:
                    line.append("-")
                    continue
                line.append(f"{c.ours.mean:.2f} ± {c.ours.std:.2f} / {paper_number(c.paper_mean)} ± "
                            f"{paper_number(c.paper_std)}, {c.diff:+.2f} {'✓' if c.within else '✗'}")
            out.append("| " + " | ".join(line) + " |")
        out.append(f"\n✓ within tolerance ({RULE}), ✗ outside: {self.n_within} of {self.n_cells} cells within.")
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
