"""The reproduction scorecard: every number the paper reports and every qualitative claim of its
figures and tables, beside this reproduction's **recorded** paper-scale results.

It reads recorded results only, and never trains:

* the paper's numbers and the one tolerance rule: :mod:`landscape.analysis`
  (:func:`~landscape.analysis.load_reported`, :func:`~landscape.analysis.tolerance`);
* our numbers: the shipped paper-scale training results (``results/runs/``), found with
  :func:`landscape.cache.find_cached` for each experiment's paper-profile configurations under
  each reading (:meth:`landscape.experiments.Experiment.configs`);
* the claims: the verdicts each notebook recorded when it was executed at paper scale
  (``results/paper/summary.json``, written by ``scripts/paper_run.py``). A notebook with no
  record there is reported as :data:`NOT_RUN`.

:func:`build` gathers all of it into a :class:`Scorecard`; the ``*_markdown`` and ``*_text``
functions render the scorecard page's tables and lines; :func:`csv_text` / :func:`write_csv` give
the machine-readable ``results/paper/scorecard.csv`` (one row per reported number and reading,
one per claim and reading). Nothing here prints.
"""
from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .. import analysis, experiments
from ..analysis.claims import CODE_CHECK_PREFIX
from ..analysis.reported import Reported
from ..analysis.summaries import Stats
from ..cache import CACHE_ENV, SHIPPED_ENV, find_cached
from ..fileio import environ, write_text
from . import REPO_ROOT

__all__ = ["NOT_RUN", "READINGS", "CSV_COLUMNS", "SUMMARY_FILE", "SHIPPED_DIR", "CSV_FILE",
           "Number", "Claim", "Scorecard", "load_summary", "shipped_result", "quoted_stats",
           "paper_claims", "code_check", "build", "cells_markdown", "per_table_text",
           "quoted_markdown", "claims_markdown", "theorems_markdown", "executions",
           "executions_markdown", "executions_text", "sources_text", "summary_line",
           "key_numbers", "csv_rows", "csv_text", "write_csv"]

#: What the scorecard says where nothing was recorded at paper scale.
NOT_RUN = "not run at paper scale"
#: The readings scored: the paper's text, and the public code's readings (the check every
#: experiment trains beside its text reading, ``reading_runs`` runs per condition).
READINGS: tuple[str, ...] = experiments.READINGS
#: The paper-scale executions of the notebooks (``scripts/paper_run.py``).
SUMMARY_FILE = REPO_ROOT / "results" / "paper" / "summary.json"
#: The shipped paper-scale training results.
SHIPPED_DIR = REPO_ROOT / "results" / "runs"
#: The machine-readable scorecard.
CSV_FILE = REPO_ROOT / "results" / "paper" / "scorecard.csv"
CSV_COLUMNS = ("source", "table", "model", "condition", "metric", "paper_mean", "paper_std", "reading",
               "ours_mean", "ours_std", "runs", "delta", "tolerance", "within")

#: The paper's tables and the notebooks that train them (Table 3 repeats Table 1).
TABLES = {"table1": "table-1", "table2": "table-2", "table4": "table-4"}
#: The figures whose text quotes the minimum max-cosine at the start and at the end of training:
#: ``source -> (notebook, our model label)``.
QUOTED = {"fig5": ("figure-05", "NCL"), "fig7": ("figure-07", "NCL")}
QUOTED_METRICS = (("min_maxcos_start", "start"), ("min_maxcos_end", "end"))
#: Claims that are the numbers above (counted there, not again): by key, else by wording.
QUANTITATIVE_KEYS = frozenset({"claim_table_matches", "claim_matches_paper"})
QUANTITATIVE_TEXT = "reproduced within tolerance in every cell"

Lookup = Callable[[Sequence[Any]], Any]


# ------------------------------------------------------------------------------------ records
@dataclass(frozen=True)
class Number:
    """One number the paper reports, under one reading, beside ours (``ours`` None: not run).

    ``condition`` is ``(("warm_sigma", 0.14), ("p_sparse", 0.1))`` for a table cell and ``()``
    for a number quoted in the text (a mean over runs and Pr(sparse))."""

    reported: Reported
    notebook: str
    reading: str
    condition: tuple[tuple[str, float], ...]
    ours: Stats | None

    @property
    def quoted(self) -> bool:
        return not self.reported.source.startswith("table")

    @property
    def run(self) -> bool:
        return self.ours is not None

    @property
    def tolerance(self) -> float:
        return analysis.tolerance(self.reported.std)

    @property
    def delta(self) -> float | None:
        return None if self.ours is None else self.ours.mean - self.reported.mean

    @property
    def within(self) -> bool | None:
        """Within :func:`landscape.analysis.within_tolerance` (None: not run)."""
        if self.ours is None:
            return None
        return analysis.within_tolerance(self.ours.mean, self.reported.mean, self.reported.std)


@dataclass(frozen=True)
class Claim:
    """A qualitative claim of a figure or table and its recorded verdicts (None: none recorded).

    ``text`` is None (and ``holds`` too) for a notebook not run at paper scale; ``code`` is the
    verdict of the same claim checked on the runs with the public code's readings."""

    notebook: str
    text: str | None
    holds: bool | None
    code: bool | None = None


@dataclass
class Scorecard:
    """Everything the scorecard page shows, from recorded results.

    ``numbers``: per reported number (tables in :data:`TABLES` order, then the quoted ones),
    one :class:`Number` per reading the experiment trains; ``claims``: per figure/table notebook
    (in ``notebooks`` order) its claims; ``records``: the paper-scale execution records
    (``summary.json``'s ``notebooks``); ``lookup``: how shipped results are found;
    ``from_shipped``: built from the repository's own ``summary.json`` and ``results/runs/``."""

    numbers: list[Number]
    claims: list[Claim]
    records: dict[str, dict[str, Any]]
    notebooks: list[str]
    lookup: Lookup
    from_shipped: bool = False
    shipped_files: int = 0
    _executions: list[dict[str, Any]] | None = field(default=None, repr=False)

    def cells(self, reading: str = "text") -> list[Number]:
        """The table cells under ``reading``."""
        return [n for n in self.numbers if not n.quoted and n.reading == reading]

    def quoted(self, reading: str = "text") -> list[Number]:
        """The numbers quoted for Figures 5 and 7 under ``reading``."""
        return [n for n in self.numbers if n.quoted and n.reading == reading]

    def totals(self, reading: str = "text") -> dict[str, int]:
        """Counts under ``reading``: cells (run, within), quoted numbers (run, within), claims
        (run, hold; under ``"code"`` the code checks recorded and holding), notebooks not run."""
        cells, quoted = self.cells(reading), self.quoted(reading)
        known = [c for c in self.claims if c.text is not None]
        verdicts = [c.holds if reading == "text" else c.code for c in known]
        return {"cells": len(cells), "cells_run": sum(n.run for n in cells),
                "cells_within": sum(bool(n.within) for n in cells),
                "quoted": len(quoted), "quoted_run": sum(n.run for n in quoted),
                "quoted_within": sum(bool(n.within) for n in quoted),
                "claims": len(known) if reading == "text" else sum(v is not None for v in verdicts),
                "claims_run": sum(v is not None for v in verdicts),
                "claims_hold": sum(bool(v) for v in verdicts),
                "notebooks_not_run": sum(c.text is None for c in self.claims)}


def load_summary(path: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """The notebooks' paper-scale execution records (``summary.json``'s ``notebooks``; ``{}``
    when there is no such file)."""
    path = Path(path or SUMMARY_FILE)
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text()).get("notebooks", {}))


def shipped_result(configs: Sequence[Any], shipped_dir: str | Path | None = None) -> Any:
    """The shipped paper-scale result of exactly ``configs``, or None: never trains.

    :func:`landscape.cache.find_cached` with both of its folders pointed at ``shipped_dir``
    (default ``results/runs/``), so the local training cache is never read: a CPU run (and a
    CUDA run where CUDA is available), compiled or not."""
    import torch

    folder = str(Path(shipped_dir or SHIPPED_DIR))
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    with environ(**{CACHE_ENV: folder, SHIPPED_ENV: folder}):
        for device in devices:
            for compiled in (False, True):
                found = find_cached(list(configs), device=device, compile=compiled)
                if found is not None:
                    return found
    return None


def _memo(lookup: Lookup) -> Lookup:
    """``lookup`` remembering its answers (configurations compared by value)."""
    seen: dict[str, Any] = {}

    def find(configs: Sequence[Any]) -> Any:
        key = json.dumps([c.to_dict() for c in configs], sort_keys=True, default=str)
        if key not in seen:
            seen[key] = lookup(configs)
        return seen[key]
    return find


def quoted_stats(result: Any, when: str) -> Stats:
    """The minimum max-cosine at the ``start`` or the ``end`` of training, averaged over
    Pr(sparse) per run, then over runs (its mean is the mean over conditions of the per-condition
    means, as the figure pages compute it; its std is over runs)."""
    t = 0 if when == "start" else -1
    per_cond = [result.maxcos[idx, t, 0] for _, idx in analysis.groups(result)]
    if len({len(v) for v in per_cond}) == 1:
        return Stats.of(np.mean(np.stack(per_cond), axis=0))
    mean = float(np.mean([v.mean() for v in per_cond]))
    return Stats(mean, float("nan"), mean, mean, min(len(v) for v in per_cond))


# ------------------------------------------------------------------------------------ numbers
def _table_numbers(source: str, notebook: str, rows: Sequence[Reported], lookup: Lookup) -> list[Number]:
    exp = experiments.get(notebook)
    params = exp.defaults("paper")
    models = {r.model for r in rows if r.source == source}
    summaries: dict[str, dict[str, list]] = {}       # reading -> label -> summaries (None: not run)
    for reading in READINGS:
        summaries[reading] = {}
        for label, cfgs in exp.configs(params, reading).items():
            if label not in models:
                continue
            res = lookup(cfgs)
            summaries[reading][label] = None if res is None else analysis.summarise(res, label)
    out = []
    for r in rows:
        if r.source != source:
            continue
        cond: dict[str, float] = {}
        if r.sigma_ws:
            cond["warm_sigma"] = float(r.sigma_ws)
        cond["p_sparse"] = float(r.p_sparse)
        metric = r.metric.replace("_maxcos", "")
        for reading in READINGS:
            if r.model not in summaries[reading]:
                continue                      # the experiment does not train it under this reading
            ours = None
            if summaries[reading][r.model] is not None:
                try:
                    ours = analysis.find(summaries[reading][r.model], r.model, **cond).final[metric]
                except KeyError:
                    ours = None
            out.append(Number(r, notebook, reading, tuple(cond.items()), ours))
    return out


def _quoted_numbers(source: str, notebook: str, label: str, rows: Sequence[Reported],
                    lookup: Lookup) -> list[Number]:
    exp = experiments.get(notebook)
    params = exp.defaults("paper")
    results = {}
    for reading in READINGS:
        cfgs = exp.configs(params, reading).get(label)
        if cfgs is not None:
            results[reading] = lookup(cfgs)
    out = []
    for metric, when in QUOTED_METRICS:
        for r in rows:
            if r.source != source or r.metric != metric:
                continue
            for reading, res in results.items():
                out.append(Number(r, notebook, reading, (), None if res is None else quoted_stats(res, when)))
    return out


# ------------------------------------------------------------------------------------ claims
def _is_quantitative(claim: Mapping[str, Any]) -> bool:
    return claim.get("key") in QUANTITATIVE_KEYS or QUANTITATIVE_TEXT in claim["claim"]


def paper_claims(record: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The qualitative paper claims a paper-scale record holds, ``{"claim", "holds", ...}`` each.

    Its recorded verdicts (``claims``); for a record written before verdicts were, its
    ``claim_...`` key numbers (the key as the claim's text). The numbers the scorecard counts
    elsewhere (a table's cells, Figures 5 and 7's quoted values) are left out. ``[]`` without a
    record."""
    if not record:
        return []
    if "claims" in record:
        claims = [dict(c) for c in record["claims"] if c.get("paper_claim", True)]
    else:
        claims = [{"claim": k, "holds": bool(v), "key": k} for k, v in record.get("key_numbers", {}).items()
                  if k.startswith("claim_") and isinstance(v, bool)]
    return [c for c in claims if not _is_quantitative(c)]


def code_check(record: Mapping[str, Any] | None, text: str) -> bool | None:
    """The recorded verdict of ``text``'s check with the public code's readings (a check whose
    text is the claim's after :data:`landscape.analysis.claims.CODE_CHECK_PREFIX`), or None."""
    for c in (record or {}).get("claims", []):
        if not c.get("paper_claim", True) and c["claim"] == CODE_CHECK_PREFIX + text:
            return bool(c["holds"])
    return None


def _claims(records: Mapping[str, Mapping[str, Any]], notebooks: Sequence[str]) -> list[Claim]:
    out = []
    for name in notebooks:
        if not name.startswith(("figure-", "table-")):
            continue
        record = records.get(name)
        if record is None:
            out.append(Claim(name, None, None, None))
            continue
        out += [Claim(name, c["claim"], bool(c["holds"]), code_check(record, c["claim"]))
                for c in paper_claims(record)]
    return out


# ------------------------------------------------------------------------------------ build
def _toc_notebooks() -> list[str]:
    from .execute import toc_notebooks
    return toc_notebooks()


def build(summary: Mapping[str, Any] | str | Path | None = None, *, lookup: Lookup | None = None,
          notebooks: Sequence[str] | None = None, reported: Sequence[Reported] | None = None) -> Scorecard:
    """The scorecard from recorded results.

    ``summary``: the paper-scale records (``{notebook: record}``, or a ``summary.json`` path;
    default ``results/paper/summary.json``); ``lookup(configs)``: a shipped result or None
    (default :func:`shipped_result`); ``notebooks``: the book's notebooks in order (default
    ``_toc.yml``'s); ``reported``: the paper's numbers (default
    :func:`landscape.analysis.load_reported`)."""
    from_shipped = summary is None and lookup is None and reported is None
    if summary is None or isinstance(summary, (str, Path)):
        records = load_summary(summary)
    else:
        records = dict(summary.get("notebooks", summary))
    find = _memo(lookup or shipped_result)
    rows = list(reported) if reported is not None else analysis.load_reported()
    names = list(notebooks) if notebooks is not None else _toc_notebooks()
    numbers = [n for source, nb in TABLES.items() for n in _table_numbers(source, nb, rows, find)]
    numbers += [n for source, (nb, label) in QUOTED.items()
                for n in _quoted_numbers(source, nb, label, rows, find)]
    shipped = len(list(SHIPPED_DIR.glob("*.npz"))) if from_shipped and SHIPPED_DIR.is_dir() else 0
    return Scorecard(numbers=numbers, claims=_claims(records, names), records=records, notebooks=names,
                     lookup=find, from_shipped=from_shipped, shipped_files=shipped)


# ------------------------------------------------------------------------------------ rendering
def _source_name(source: str) -> str:
    """``table1`` -> ``Table 1``, ``fig5`` -> ``Figure 5``."""
    if source.startswith("table"):
        return f"Table {source[len('table'):]}"
    return f"Figure {source[len('fig'):]}"


def _explanation(notebook: str, model: str) -> str:
    """Where a miss is explained: the experiment's notebook and the paper-vs-code page."""
    why = f"{{doc}}`{notebook}`"
    if model.startswith("CL") or "SimCLR" in model:
        why += ", {ref}`pvc-measured`"
    elif notebook == "table-1":          # masking probability 0.1: its meaning decides the masks
        why += ", {ref}`pvc-1`"
    else:
        why += ", {doc}`paper-vs-code`"
    return why


def _cond_text(condition: Sequence[tuple[str, float]]) -> str:
    names = {"warm_sigma": "σ", "p_sparse": "Pr(sparse)"}
    return ", ".join(f"{names.get(k, k)} {v:g}" for k, v in condition)


def _paper(mean: float, std: float | None) -> str:
    return f"{mean:g}" if std is None else f"{mean:g} ± {std:g}"


def _marks(n: Number) -> tuple[str, str, str]:
    """(ours, Δ, mark) of a number as the page shows them."""
    if n.ours is None:
        return f"*{NOT_RUN}*", "", "—"
    ours = f"{n.ours.mean:.2f}" if n.quoted else f"{n.ours.mean:.2f} ± {n.ours.std:.2f}"
    return ours, f"{n.delta:+.2f}", "✓" if n.within else "✗"


def cells_markdown(card: Scorecard, reading: str = "text") -> str:
    """The table cells as a Markdown table: paper, ours, Δ, tolerance, mark, explanation."""
    lines = ["| Table | Model | Condition | Metric | Paper | Ours (paper scale) | Δ | Tol. | | Explanation |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for n in card.cells(reading):
        ours, delta, mark = _marks(n)
        why = "" if n.within in (None, True) else _explanation(n.notebook, n.reported.model)
        metric = n.reported.metric.replace("_maxcos", "")
        lines.append(f"| {{doc}}`{_source_name(n.reported.source)} <{n.notebook}>` | {n.reported.model} | "
                     f"{_cond_text(n.condition)} | {metric} max-cos | {_paper(n.reported.mean, n.reported.std)} | "
                     f"{ours} | {delta} | {n.tolerance:.2f} | {mark} | {why} |")
    return "\n".join(lines)


def per_table_text(card: Scorecard, reading: str = "text") -> str:
    """One line per table: cells within tolerance of those run, and how many are not run."""
    lines = []
    for source in TABLES:
        cells = [n for n in card.cells(reading) if n.reported.source == source]
        run = sum(n.run for n in cells)
        within = sum(bool(n.within) for n in cells)
        lines.append(f"{_source_name(source)}: {within} of {run} cells run at paper scale within tolerance; "
                     f"{len(cells) - run} of {len(cells)} not yet run")
    return "\n".join(lines)


def quoted_markdown(card: Scorecard, reading: str = "text") -> str:
    """The numbers quoted for Figures 5 and 7 as a Markdown table."""
    lines = ["| Figure | Minimum max-cosine | Paper | Ours (paper scale) | Δ | Tol. | | Explanation |",
             "|---|---|---|---|---|---|---|---|"]
    for n in card.quoted(reading):
        ours, delta, mark = _marks(n)
        when = dict(QUOTED_METRICS)[n.reported.metric]
        why = "" if n.within in (None, True) else f"{{doc}}`{n.notebook}`, {{doc}}`paper-vs-code`"
        lines.append(f"| {{doc}}`{_source_name(n.reported.source)} <{n.notebook}>` | {when} of training "
                     f"(mean over runs and Pr(sparse)) | {_paper(n.reported.mean, n.reported.std)} | {ours} | "
                     f"{delta} | {n.tolerance:.2f} | {mark} | {why} |")
    return "\n".join(lines)


def _verdict_mark(holds: bool | None) -> str:
    return "" if holds is None else ("✓ holds" if holds else "✗ does not hold")


def claims_markdown(card: Scorecard) -> str:
    """The qualitative claims, their verdict at paper scale and with the public code's readings."""
    lines = ["| Experiment | Claim | Verdict at paper scale | With the public code's readings | Explanation |",
             "|---|---|---|---|---|"]
    for c in card.claims:
        title = experiments.get(c.notebook).sections[0]
        text = f"*{NOT_RUN}*" if c.text is None else c.text
        verdict = f"*{NOT_RUN}*" if c.holds is None else _verdict_mark(c.holds)
        why = "" if c.holds in (None, True) else f"{{doc}}`{c.notebook}`, {{doc}}`paper-vs-code`"
        lines.append(f"| {{doc}}`{title} <{c.notebook}>` | {text} | {verdict} | {_verdict_mark(c.code)} | {why} |")
    return "\n".join(lines)


def theorems_markdown(card: Scorecard) -> str:
    """Per theorem notebook: its boolean key numbers recorded at paper scale, true and false."""
    lines = ["| Theorem | Checks true | Checks false |", "|---|---|---|"]
    for name in [n for n in card.notebooks if n.startswith("theorem-")]:
        kn = card.records.get(name, {}).get("key_numbers")
        if kn is None:
            lines.append(f"| {{doc}}`{name}` | *{NOT_RUN}* | |")
            continue
        true = [k for k, v in kn.items() if isinstance(v, bool) and v]
        false = [k for k, v in kn.items() if isinstance(v, bool) and not v]
        lines.append(f"| {{doc}}`{name}` | {len(true)} | {', '.join(f'`{k}`' for k in false) or 'none'} |")
    return "\n".join(lines)


def _shipped_runs(card: Scorecard, name: str) -> dict[str, float] | None:
    """``{result file: training wall time}`` of a notebook's shipped paper-scale runs (None when
    it trains nothing or any of them is missing)."""
    if name not in experiments.names() and name != "paper-vs-code":
        return None
    found = [card.lookup(cfgs) for cfgs in experiments.paper_runs(name)]
    if not found or any(r is None for r in found):
        return None
    return {str(r.extra.get("cached", id(r))): float(r.wall_s) for r in found}


def executions(card: Scorecard) -> list[dict[str, Any]]:
    """Per notebook executed at paper scale (book order): ``name``, ``end``, ``wall_time_s`` and
    ``runs`` (``{result file: training wall time}`` of its shipped runs, or None)."""
    if card._executions is None:
        card._executions = [dict(name=name, end=card.records[name].get("end", ""),
                                 wall_time_s=card.records[name].get("wall_time_s"),
                                 runs=_shipped_runs(card, name))
                            for name in card.notebooks if name in card.records]
    return card._executions


def _minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f} min"


def executions_markdown(card: Scorecard) -> str:
    """The paper-scale executions: when, their wall time and the training wall time of their runs."""
    lines = ["| Notebook | Executed at paper scale | Execution wall time | Training wall time of its runs |",
             "|---|---|---|---|"]
    for e in executions(card):
        train = None if e["runs"] is None else sum(e["runs"].values())
        lines.append(f"| {{doc}}`{e['name']}` | {(e['end'] or '')[:16].replace('T', ' ')} | "
                     f"{_minutes(e['wall_time_s'])} | {_minutes(train)} |")
    return "\n".join(lines)


def executions_text(card: Scorecard) -> str:
    """How many notebooks were executed at paper scale, and the training time of their runs
    (a run shared by two notebooks counted once)."""
    runs: dict[str, float] = {}
    for e in executions(card):
        runs.update(e["runs"] or {})
    return (f"{len(executions(card))} notebooks executed at paper scale; training wall time of their "
            f"{len(runs)} shipped runs: {sum(runs.values()) / 3600:.2f} h")


def sources_text(card: Scorecard) -> str:
    """Where the numbers come from: the shipped result files and the paper-scale records."""
    return (f"shipped paper-scale results: {card.shipped_files} files in results/runs/\n"
            f"notebooks executed at paper scale (results/paper/summary.json): "
            f"{', '.join(sorted(card.records)) or 'none'}")


def _not_run(missing: int, total: int | None = None) -> str:
    return "" if not missing else f" ({missing}{'' if total is None else f' of {total}'} not yet run)"


def _notebooks_not_run(card: Scorecard) -> str:
    names = [c.notebook for c in card.claims if c.text is None]
    return f" (not run at paper scale: {', '.join(names)})" if names else ""


def summary_line(card: Scorecard) -> str:
    """The scorecard in one sentence (the text reading, with the code checks of failing claims)."""
    t = card.totals("text")
    code_hold = sum(bool(c.code) for c in card.claims if c.holds is False)
    failing = t["claims_run"] - t["claims_hold"]
    return (f"{t['cells_within']} of {t['cells_run']} table cells run at paper scale are within tolerance"
            f"{_not_run(t['cells'] - t['cells_run'], t['cells'])}; {t['quoted_within']} of {t['quoted_run']} "
            f"numbers quoted for Figures 5 and 7 within tolerance{_not_run(t['quoted'] - t['quoted_run'])}; "
            f"{t['claims_hold']} of {t['claims_run']} qualitative claims hold"
            f"{_notebooks_not_run(card)}; of the {failing} that do "
            f"not hold, {code_hold} hold with the public code's readings.")


def key_numbers(card: Scorecard) -> dict[str, int]:
    """The page's key numbers (text reading): ``score_cells``... ``score_claims_code_hold``.
    ``score_claims_not_run`` counts the figure and table notebooks not run at paper scale (their
    claims are not known)."""
    t = card.totals("text")
    return {"score_cells": t["cells"], "score_cells_run": t["cells_run"], "score_cells_within": t["cells_within"],
            "score_cells_not_run": t["cells"] - t["cells_run"], "score_quoted": t["quoted"],
            "score_quoted_run": t["quoted_run"], "score_quoted_within": t["quoted_within"],
            "score_claims": t["claims"], "score_claims_run": t["claims_run"],
            "score_claims_hold": t["claims_hold"], "score_claims_not_run": t["notebooks_not_run"],
            "score_claims_code_hold": sum(bool(c.code) for c in card.claims if c.holds is False)}


# ------------------------------------------------------------------------------------ CSV
def _num(x: float | None) -> str:
    """A number for the CSV: rounded to 6 decimals, shortest form; empty for None or NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    text = repr(round(float(x), 6))
    return "0.0" if text == "-0.0" else text


def _bool(x: bool | None) -> str:
    return "" if x is None else str(bool(x))


def csv_rows(card: Scorecard) -> list[dict[str, str]]:
    """The scorecard's CSV rows (:data:`CSV_COLUMNS`), in a fixed order: per reported number (as
    :attr:`Scorecard.numbers`) one row per reading the experiment trains (a reading with no
    shipped runs: ``runs`` 0, ours empty); then per claim one row per reading with a recorded
    verdict (``metric`` ``claim``, the claim's text as ``condition``, ``within`` the verdict; a
    notebook not run at paper scale: one row whose condition is :data:`NOT_RUN`). ``ours_std``
    is empty below 2 runs."""
    rows = []
    for n in card.numbers:
        r = n.reported
        ours = n.ours
        rows.append({
            "source": r.source, "table": _source_name(r.source), "model": r.model,
            "condition": ";".join(f"{k}={v:g}" for k, v in n.condition), "metric": r.metric,
            "paper_mean": _num(r.mean), "paper_std": _num(r.std), "reading": n.reading,
            "ours_mean": "" if ours is None else _num(ours.mean),
            "ours_std": "" if ours is None or ours.n < 2 else _num(ours.std),
            "runs": "0" if ours is None else str(ours.n), "delta": _num(n.delta),
            "tolerance": _num(n.tolerance), "within": _bool(n.within)})
    empty = {k: "" for k in CSV_COLUMNS}
    for c in card.claims:
        base = dict(empty, source=c.notebook, table=experiments.get(c.notebook).sections[0], metric="claim")
        if c.text is None:
            rows.append(dict(base, condition=NOT_RUN, reading="text"))
            continue
        for reading, verdict in (("text", c.holds), ("code", c.code)):
            if verdict is not None:
                rows.append(dict(base, condition=c.text, reading=reading, within=_bool(verdict)))
    return rows


def csv_text(card: Scorecard) -> str:
    """The scorecard as CSV text (header :data:`CSV_COLUMNS`, ``\\n`` line ends): the same
    scorecard gives the same bytes."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_rows(card))
    return buf.getvalue()


def write_csv(card: Scorecard, profile: str, path: str | Path | None = None) -> Path | None:
    """Write :func:`csv_text` to ``path`` (default ``results/paper/scorecard.csv``, atomically),
    only when the page runs with ``profile="paper"`` and ``card`` was built from the
    repository's recorded results (:attr:`Scorecard.from_shipped`). Returns the path written, or
    None."""
    if profile != "paper" or not card.from_shipped:
        return None
    path = Path(path or CSV_FILE)
    write_text(path, csv_text(card))
    return path
