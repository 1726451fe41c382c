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

Three readings are scored (:data:`READINGS`): the paper's text; the public code's two decisive
readings (its noise level and masks, the check every page trains with ``reading_runs`` runs);
and every setting of the authors' scripts (:data:`landscape.experiments.AUTHORS`, shown where
its paper-scale runs are shipped, :data:`NOT_RUN` elsewhere, never guessed).

:func:`build` gathers all of it into a :class:`Scorecard`; :func:`grid` reduces it to one verdict
per experiment and reading (:func:`grid_markdown`, :func:`grid_figure`); the ``*_markdown`` and
``*_text`` functions render the scorecard page's tables and lines; :func:`gallery_markdown` the
gallery page; :func:`csv_text` / :func:`write_csv` give the machine-readable
``results/paper/scorecard.csv`` (one row per reported number and reading, one per claim and
reading). Nothing here prints.
"""
from __future__ import annotations

import csv
import html
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .. import analysis, experiments
from ..analysis.claims import CODE_CHECK_PREFIX, WORDS
from ..analysis.reported import Reported
from ..analysis.summaries import Stats
from ..cache import CACHE_ENV, SHIPPED_ENV, find_cached
from ..fileio import environ, write_text
from . import REPO_ROOT
from .page import AUTHORS_CHECK_PREFIX

__all__ = ["NOT_RUN", "READINGS", "READING_NAMES", "GRID_READINGS", "VERDICTS", "CSV_COLUMNS",
           "SUMMARY_FILE", "SHIPPED_DIR", "CSV_FILE", "GROUPS",
           "Number", "Claim", "Cell", "Scorecard", "load_summary", "shipped_result", "quoted_stats",
           "paper_claims", "code_check", "authors_check", "build", "grid", "grid_markdown",
           "grid_legend", "grid_figure", "group_of", "group_totals", "first_figure",
           "gallery_markdown", "gallery_numbers", "cells_markdown", "per_table_text",
           "quoted_markdown", "claims_markdown", "theorems_markdown", "executions",
           "executions_markdown", "executions_text", "sources_text", "summary_line",
           "key_numbers", "csv_rows", "csv_text", "write_csv"]

#: What the scorecard says where nothing was recorded at paper scale.
NOT_RUN = "not run at paper scale"
#: The readings scored: the paper's text, the public code's readings (the check every
#: experiment trains beside its text reading, ``reading_runs`` runs per condition), and every
#: setting of the authors' scripts (:data:`landscape.experiments.AUTHORS`, the paper's run counts).
READINGS: tuple[str, ...] = (*experiments.READINGS, experiments.AUTHORS)
#: How the pages name each reading.
READING_NAMES = {"text": "the text's reading", experiments.AUTHORS: "the authors' scripts (every setting)",
                 "code": "the code-check readings"}
#: The scorecard grid's columns, in the order a reader asks about them.
GRID_READINGS: tuple[str, ...] = ("text", experiments.AUTHORS, "code")
#: A grid cell's verdict (:meth:`Cell.verdict`), with the CSS class of its badge
#: (``_static/scorecard.css``: ``sc-verdict sc-<class>``).
HOLDS, FAILS, PARTLY, INCONCLUSIVE, NOT_RUN_SHORT = "holds", "does not hold", "partly", "inconclusive", "not run"
VERDICTS = {HOLDS: "holds", PARTLY: "partly", FAILS: "fails", INCONCLUSIVE: "inconclusive", NOT_RUN_SHORT: "notrun"}
#: The badges' colours (as in ``_static/scorecard.css``), for the picture drawn by :func:`grid_figure`.
VERDICT_RGB = {HOLDS: "#1a7f37", PARTLY: "#9a6700", FAILS: "#cf222e", INCONCLUSIVE: "#0969da",
               NOT_RUN_SHORT: "#6e7781"}
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


def _tri(value: Any) -> bool | None:
    """A recorded verdict as True (holds), False (does not hold) or None (inconclusive): a
    boolean, a null ``holds``, or a word (``"holds"``, ``"does not hold"``, ``"inconclusive"``)."""
    if isinstance(value, str):
        word = value.strip().lower()
        return True if word == HOLDS else False if word in (FAILS, "fails", "false") else None
    return None if value is None else bool(value)


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
    """A qualitative claim of a figure or table and its recorded verdicts: True (holds), False
    (does not hold), None (inconclusive, or nothing recorded: see ``recorded``).

    ``text`` is None (and ``holds`` too) for a notebook not run at paper scale; ``code`` is the
    verdict of the same claim checked on the runs with the public code's readings, ``authors``
    on the runs under every setting of the authors' scripts; ``recorded``: the readings with a
    recorded verdict (empty: those whose verdict is not None, and the text's)."""

    notebook: str
    text: str | None
    holds: bool | None
    code: bool | None = None
    authors: bool | None = None
    recorded: frozenset[str] = frozenset()

    def value(self, reading: str) -> bool | None:
        """The verdict under ``reading`` (one of :data:`READINGS`)."""
        return {"text": self.holds, "code": self.code, experiments.AUTHORS: self.authors}[reading]

    def verdict(self, reading: str) -> str:
        """``"holds"``, ``"does not hold"``, ``"inconclusive"`` or ``"not run"`` under ``reading``."""
        if self.text is None:
            return NOT_RUN_SHORT
        recorded = self.recorded or frozenset(r for r in READINGS if r == "text" or self.value(r) is not None)
        return WORDS[self.value(reading)] if reading in recorded else NOT_RUN_SHORT


@dataclass(frozen=True)
class Cell:
    """One cell of the scorecard grid: an experiment's claims and reported numbers under one
    reading, counted (``hold``, ``fail``, ``inconclusive`` verdicts; ``items`` in all, those
    not run included)."""

    notebook: str
    reading: str
    hold: int
    fail: int
    inconclusive: int
    items: int

    @property
    def run(self) -> int:
        return self.hold + self.fail + self.inconclusive

    @property
    def verdict(self) -> str:
        """:data:`HOLDS` (all that ran hold), :data:`FAILS` (none holds), :data:`PARTLY` (some
        hold, some do not), :data:`INCONCLUSIVE` (none fails, some inside the seed spread) or
        :data:`NOT_RUN_SHORT` (nothing ran)."""
        if not self.run:
            return NOT_RUN_SHORT
        if self.hold == self.run:
            return HOLDS
        if self.fail and self.hold:
            return PARTLY
        return FAILS if self.fail else INCONCLUSIVE

    @property
    def label(self) -> str:
        """What the cell reads, e.g. ``holds 2/2`` (held of run), ``not run``."""
        return self.verdict if not self.run else f"{self.verdict} {self.hold}/{self.run}"


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
        (every known claim; with a verdict recorded under ``reading``; holding; inconclusive),
        figure and table notebooks not run at paper scale."""
        cells, quoted = self.cells(reading), self.quoted(reading)
        verdicts = [c.verdict(reading) for c in self.claims if c.text is not None]
        return {"cells": len(cells), "cells_run": sum(n.run for n in cells),
                "cells_within": sum(bool(n.within) for n in cells),
                "quoted": len(quoted), "quoted_run": sum(n.run for n in quoted),
                "quoted_within": sum(bool(n.within) for n in quoted),
                "claims": len(verdicts), "claims_run": sum(v != NOT_RUN_SHORT for v in verdicts),
                "claims_hold": verdicts.count(HOLDS), "claims_inconclusive": verdicts.count(INCONCLUSIVE),
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
        claims = [dict(c, holds=_tri(c.get("verdict", c.get("holds")))) for c in record["claims"]
                  if c.get("paper_claim", True)]
    else:
        claims = [{"claim": k, "holds": _tri(v), "key": k} for k, v in record.get("key_numbers", {}).items()
                  if k.startswith("claim_") and (isinstance(v, bool) or v in (HOLDS, FAILS, INCONCLUSIVE))]
    return [c for c in claims if not _is_quantitative(c)]


def _check(record: Mapping[str, Any] | None, text: str, prefix: str) -> tuple[bool, bool | None]:
    """``(recorded, verdict)`` of the check whose text is ``prefix + text``."""
    for c in (record or {}).get("claims", []):
        if not c.get("paper_claim", True) and c["claim"] == prefix + text:
            return True, _tri(c.get("verdict", c.get("holds")))
    return False, None


def code_check(record: Mapping[str, Any] | None, text: str) -> bool | None:
    """The recorded verdict of ``text``'s check with the public code's readings (a check whose
    text is the claim's after :data:`landscape.analysis.claims.CODE_CHECK_PREFIX`), or None
    (none recorded, or inconclusive)."""
    return _check(record, text, CODE_CHECK_PREFIX)[1]


def authors_check(record: Mapping[str, Any] | None, text: str) -> bool | None:
    """The recorded verdict of ``text``'s check on the runs under every setting of the authors'
    scripts (text after :data:`landscape.companion.page.AUTHORS_CHECK_PREFIX`), or None."""
    return _check(record, text, AUTHORS_CHECK_PREFIX)[1]


def _claims(records: Mapping[str, Mapping[str, Any]], notebooks: Sequence[str]) -> list[Claim]:
    out = []
    for name in notebooks:
        if not name.startswith(("figure-", "table-")):
            continue
        record = records.get(name)
        if record is None:
            out.append(Claim(name, None, None, None))
            continue
        for c in paper_claims(record):
            code, authors = (_check(record, c["claim"], prefix) for prefix in (CODE_CHECK_PREFIX, AUTHORS_CHECK_PREFIX))
            recorded = frozenset({"text"} | {r for r, (seen, _) in (("code", code), (experiments.AUTHORS, authors)) if seen})
            out.append(Claim(name, c["claim"], c["holds"], code[1], authors[1], recorded))
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


# ------------------------------------------------------------------------------------ grid
def _experiment_notebooks(card: Scorecard) -> list[str]:
    """The figure and table notebooks of the book, in its order."""
    names = set(experiments.names())
    return [n for n in card.notebooks if n in names]


def grid(card: Scorecard) -> list[dict[str, Cell]]:
    """One row per figure or table page (book order), one :class:`Cell` per reading of
    :data:`GRID_READINGS`: its qualitative claims (their verdicts recorded under that reading)
    and its reported numbers (within tolerance or not, under that reading), counted together."""
    rows = []
    for name in _experiment_notebooks(card):
        claims = [c for c in card.claims if c.notebook == name and c.text is not None]
        numbers = [n for n in card.numbers if n.notebook == name]
        row = {}
        for reading in GRID_READINGS:
            verdicts = [c.verdict(reading) for c in claims]
            nums = [n for n in numbers if n.reading == reading]
            row[reading] = Cell(name, reading, hold=verdicts.count(HOLDS) + sum(n.within is True for n in nums),
                                fail=verdicts.count(FAILS) + sum(n.within is False for n in nums),
                                inconclusive=verdicts.count(INCONCLUSIVE), items=len(verdicts) + len(nums))
        rows.append(row)
    return rows


def _title(name: str) -> str:
    """A page's short name: its first section (``Figure 3``, ``Table 1``)."""
    return experiments.get(name).sections[0]


def _badge(verdict: str, text: str) -> str:
    """An inline badge (raw HTML) in the colour of ``verdict`` (``_static/scorecard.css``)."""
    return f'<span class="sc-verdict sc-{VERDICTS[verdict]}">{html.escape(text, quote=False)}</span>'


#: The grid's column headings.
GRID_HEADINGS = {"text": "The text's reading", experiments.AUTHORS: "The authors' scripts (every setting)",
                 "code": "The code-check readings"}


def grid_markdown(card: Scorecard) -> str:
    """The grid as a MyST list-table (class ``scorecard-grid``): a row per page, linking to it,
    and a coloured badge per reading (:attr:`Cell.label`)."""
    lines = ["```{list-table}", ":header-rows: 1", ":class: scorecard-grid", ":widths: 22 26 26 26", "",
             "* - Page"] + [f"  - {GRID_HEADINGS[r]}" for r in GRID_READINGS]
    for row in grid(card):
        name = next(iter(row.values())).notebook
        lines.append(f"* - {{doc}}`{_title(name)} <{name}>`")
        lines += [f"  - {_badge(cell.verdict, cell.label)}" for cell in row.values()]
    lines.append("```")
    return "\n".join(lines)


def grid_legend() -> str:
    """What the grid's colours mean (one line of badges)."""
    meaning = {HOLDS: "every claim and number that ran holds", PARTLY: "some hold, some do not",
               FAILS: "none holds", INCONCLUSIVE: "none fails, some inside the seed spread",
               NOT_RUN_SHORT: "no paper-scale runs shipped under that reading"}
    return " · ".join(f"{_badge(v, v)} {text}" for v, text in meaning.items()) + (
        ". A cell counts the page's qualitative claims and the numbers it reports (table cells, "
        "quoted values) under that reading: held / run.")


def grid_figure(card: Scorecard) -> Any:
    """The grid as a compact matplotlib picture (readings as rows, pages as columns, each cell
    coloured by its verdict and labelled held/run), for the intro."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    rows = grid(card)
    names = {"text": "The text's reading", experiments.AUTHORS: "The authors' scripts", "code": "The code check"}
    fig, ax = plt.subplots(figsize=(0.5 * max(len(rows), 1) + 1.8, 2.5))
    for j, row in enumerate(rows):
        for i, reading in enumerate(GRID_READINGS):
            cell = row[reading]
            ax.add_patch(Rectangle((j + 0.04, i + 0.06), 0.92, 0.88, color=VERDICT_RGB[cell.verdict]))
            ax.text(j + 0.5, i + 0.5, f"{cell.hold}/{cell.run}" if cell.run else "–", ha="center",
                    va="center", color="white", fontsize=10, fontweight="bold")
    ax.set_xlim(0, len(rows))
    ax.set_ylim(len(GRID_READINGS), 0)
    ax.set_xticks([j + 0.5 for j in range(len(rows))])
    ax.set_xticklabels([_title(next(iter(r.values())).notebook).replace("Figure ", "Fig.\n").replace("Table ", "Table\n")
                        for r in rows], fontsize=10)
    ax.xaxis.tick_top()
    ax.set_yticks([i + 0.5 for i in range(len(GRID_READINGS))])
    ax.set_yticklabels([names[r] for r in GRID_READINGS], fontsize=10.5)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.legend(handles=[Patch(color=VERDICT_RGB[v], label=v) for v in VERDICTS], loc="upper center",
              bbox_to_anchor=(0.5, -0.02), ncol=len(VERDICTS), frameon=False, fontsize=10,
              title="claims and numbers that hold / that ran, per page and reading", title_fontsize=10)
    return fig


# ------------------------------------------------------------------------------------ groups
#: The experiments grouped by what they test (:func:`group_of`).
GROUPS = {"contrast": "contrastive against non-contrastive learning",
          "warm_norm": "warm start with row or column normalisation",
          "other": "warm start, predictor and initialisation scale"}


def group_of(name: str) -> str:
    """``"contrast"`` for a page with a contrastive model, ``"warm_norm"`` for a warm start with
    weight normalisation after every step, ``"other"`` otherwise (from its paper configurations)."""
    exp = experiments.get(name)
    cfgs = [c for cs in exp.configs(exp.defaults("paper"), "text").values() for c in cs]
    if any(c.method == "cl" for c in cfgs):
        return "contrast"
    if any(c.init == "warm" and c.weight_norm != "none" for c in cfgs):
        return "warm_norm"
    return "other"


def _sections_text(names: Sequence[str]) -> str:
    """``Figures 1, 2 and 8 and Tables 1 and 2`` for those pages' first sections."""
    parts = []
    for kind in ("Figure", "Table"):
        nums = [_title(n).split()[1] for n in names if _title(n).startswith(kind)]
        if nums:
            listed = nums[0] if len(nums) == 1 else ", ".join(nums[:-1]) + " and " + nums[-1]
            parts.append(f"{kind}{'s' if len(nums) > 1 else ''} {listed}")
    return "; ".join(parts)


def group_totals(card: Scorecard, group: str, reading: str) -> dict[str, Any]:
    """A group's pages (``pages``, as text) and its qualitative claims under ``reading``:
    ``claims``, ``run``, ``hold``, ``inconclusive``."""
    names = [n for n in _experiment_notebooks(card) if group_of(n) == group]
    verdicts = [c.verdict(reading) for c in card.claims if c.notebook in names and c.text is not None]
    return {"pages": _sections_text(names), "claims": len(verdicts),
            "run": sum(v != NOT_RUN_SHORT for v in verdicts), "hold": verdicts.count(HOLDS),
            "inconclusive": verdicts.count(INCONCLUSIVE)}


# ------------------------------------------------------------------------------------ gallery
def first_figure(name: str, folder: str | Path) -> Path | None:
    """The first figure a page saved in ``folder`` (its artefact folder): the PNG of its first
    section that has one (``figure-03.png`` for Figure 3), else the earliest PNG written; None
    when there is none."""
    from .page import figure_name

    folder = Path(folder)
    if not folder.is_dir():
        return None
    for section in experiments.get(name).sections:
        png = folder / f"{figure_name(section)}.png"
        if png.exists():
            return png
    pngs = sorted(folder.glob("*.png"), key=lambda p: (p.stat().st_mtime_ns, p.name))
    return pngs[0] if pngs else None


def gallery_markdown(card: Scorecard, executed: str | Path) -> str:
    """The gallery: a sphinx-design card per figure or table page (book order) with its first
    figure (:func:`first_figure`, from ``executed/<page>/``), linking to the page, and a badge
    per reading (:func:`grid`)."""
    executed = Path(executed)
    short = {"text": "text", experiments.AUTHORS: "authors' scripts", "code": "code check"}
    lines = ["`````{grid} 1 2 3 3", ":gutter: 2", ""]
    for row in grid(card):
        name = next(iter(row.values())).notebook
        png = first_figure(name, executed / name)
        lines += [f"````{{grid-item-card}} {', '.join(experiments.get(name).sections)}", f":link: {name}",
                  ":link-type: doc"]
        if png is not None:
            lines += [f":img-top: {name}/{png.name}", f":img-alt: {_title(name)}, the companion's first figure"]
        lines.append("")
        if png is None:
            lines += ["*No figure in this build.*", ""]
        lines.append(" ".join(_badge(c.verdict, f"{short[r]}: {c.label}") for r, c in row.items()))
        lines += ["````", ""]
    lines.append("`````")
    return "\n".join(lines)


def gallery_numbers(card: Scorecard, executed: str | Path) -> dict[str, int]:
    """``gallery_pages`` (figure and table pages) and ``gallery_figures`` (those with a figure
    in ``executed``)."""
    names = _experiment_notebooks(card)
    return {"gallery_pages": len(names),
            "gallery_figures": sum(first_figure(n, Path(executed) / n) is not None for n in names)}


# ------------------------------------------------------------------------------------ rendering
def _source_name(source: str) -> str:
    """``table1`` -> ``Table 1``, ``fig5`` -> ``Figure 5``."""
    if source.startswith("table"):
        return f"Table {source[len('table'):]}"
    return f"Figure {source[len('fig'):]}"


def _explanation(notebook: str, model: str | None = None) -> str:
    """Where a miss is explained, with short labels: the experiment's page and the section of
    the paper-vs-code page on the reading that moves it (the page itself where none does)."""
    why = f"{{doc}}`page <{notebook}>` · "
    contrastive = (model.startswith("CL") or "SimCLR" in model) if model else group_of(notebook) == "contrast"
    warm = any(c.init == "warm" for cs in experiments.get(notebook).configs(
        experiments.get(notebook).defaults("paper"), "text").values() for c in cs)
    if contrastive:
        return why + "{ref}`noise, masks <pvc-measured>`"
    if notebook == "table-1":          # masking probability 0.1: its meaning decides the masks
        return why + "{ref}`§1 masks <pvc-1>`"
    if warm:
        return why + "{ref}`§10 warm start <pvc-10>`"
    if model == "NCL-basic":
        return why + "{ref}`§6 BatchNorm <pvc-6>`"
    return why + "{doc}`paper vs code <paper-vs-code>`"


def _cond_text(condition: Sequence[tuple[str, float]]) -> str:
    names = {"warm_sigma": "σ", "p_sparse": "Pr"}
    return ", ".join(f"{names.get(k, k)} {v:g}" for k, v in condition)


def _paper(mean: float, std: float | None) -> str:
    return f"{mean:g}" if std is None else f"{mean:g} ± {std:g}"


def _mark(within: bool | None) -> str:
    """A coloured ✓ (within tolerance) or ✗, or — (not run)."""
    return "—" if within is None else _badge(HOLDS, "✓") if within else _badge(FAILS, "✗")


def _marks(n: Number) -> tuple[str, str, str]:
    """(ours, Δ with the tolerance, mark) of a number as the page shows them."""
    if n.ours is None:
        return f"*{NOT_RUN_SHORT}*", "", "—"
    ours = f"{n.ours.mean:.2f}" if n.quoted or n.ours.n < 2 else f"{n.ours.mean:.2f} ± {n.ours.std:.2f}"
    return ours, f"{_signed(n.delta)} (±{n.tolerance:.2f})", _mark(n.within)


def _signed(x: float) -> str:
    """``x`` with its sign and two decimals; a value that rounds to zero is ``+0.00``."""
    text = f"{x:+.2f}"
    return "+0.00" if text == "-0.00" else text


def _other(n: Number | None) -> str:
    """A number under another reading: its mean and mark, or — (not run / not trained)."""
    if n is None or n.ours is None:
        return "—"
    return f"{n.ours.mean:.2f} {_mark(n.within)}"


def _same(card: Scorecard, n: Number, reading: str) -> Number | None:
    """``n``'s number under ``reading``."""
    for m in card.numbers:
        if m.reading == reading and m.reported is n.reported and m.condition == n.condition:
            return m
    return None


def cells_markdown(card: Scorecard, reading: str = "text") -> str:
    """The table cells under ``reading`` as a Markdown table: paper, ours, Δ (± tolerance),
    mark, the same cell under the other readings, and where a miss is explained."""
    others = [r for r in GRID_READINGS if r != reading]
    head = {"text": "Text", experiments.AUTHORS: "Authors' scripts", "code": "Code check"}
    lines = ["| Table | Model | Cond. | Metric | Paper | Ours | Δ (± tol.) | | "
             + " | ".join(head[r] for r in others) + " | Why |", "|---" * (9 + len(others)) + "|"]
    for n in card.cells(reading):
        ours, delta, mark = _marks(n)
        why = "" if n.within in (None, True) else _explanation(n.notebook, n.reported.model)
        metric = n.reported.metric.replace("_maxcos", "")
        lines.append(f"| {{doc}}`{_source_name(n.reported.source)} <{n.notebook}>` | {n.reported.model} | "
                     f"{_cond_text(n.condition)} | {metric} | {_paper(n.reported.mean, n.reported.std)} | "
                     f"{ours} | {delta} | {mark} | " + " | ".join(_other(_same(card, n, r)) for r in others)
                     + f" | {why} |")
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
    """The numbers quoted for Figures 5 and 7 as a Markdown table, beside the other readings."""
    others = [r for r in GRID_READINGS if r != reading]
    head = {"text": "Text", experiments.AUTHORS: "Authors' scripts", "code": "Code check"}
    lines = ["| Figure | Min. max-cosine | Paper | Ours | Δ (± tol.) | | " + " | ".join(head[r] for r in others)
             + " | Why |", "|---" * (7 + len(others)) + "|"]
    for n in card.quoted(reading):
        ours, delta, mark = _marks(n)
        when = dict(QUOTED_METRICS)[n.reported.metric]
        why = "" if n.within in (None, True) else _explanation(n.notebook)
        lines.append(f"| {{doc}}`{_source_name(n.reported.source)} <{n.notebook}>` | {when} of training | "
                     f"{_paper(n.reported.mean, n.reported.std)} | {ours} | {delta} | {mark} | "
                     + " | ".join(_other(_same(card, n, r)) for r in others) + f" | {why} |")
    return "\n".join(lines)


def _verdict_mark(verdict: str) -> str:
    """A claim's verdict as a coloured badge (— when not run)."""
    return "—" if verdict == NOT_RUN_SHORT else _badge(verdict, verdict)


def claims_markdown(card: Scorecard) -> str:
    """The qualitative claims and their verdicts at paper scale under each reading."""
    head = {"text": "Text's reading", experiments.AUTHORS: "Authors' scripts", "code": "Code check"}
    lines = ["| Experiment | Claim | " + " | ".join(head[r] for r in GRID_READINGS) + " | Why |",
             "|---" * (3 + len(GRID_READINGS)) + "|"]
    for c in card.claims:
        text = f"*{NOT_RUN}*" if c.text is None else c.text
        why = "" if c.verdict("text") in (NOT_RUN_SHORT, HOLDS) else _explanation(c.notebook)
        lines.append(f"| {{doc}}`{_title(c.notebook)} <{c.notebook}>` | {text} | "
                     + " | ".join(_verdict_mark(c.verdict(r)) for r in GRID_READINGS) + f" | {why} |")
    return "\n".join(lines)


def theorems_markdown(card: Scorecard) -> str:
    """Per theorem notebook, the verdicts its paper-scale execution recorded (``claims``), the
    paper's statements (``CLAIM`` lines, ``paper_claim`` true) and the companion's own checks
    (``CHECK`` lines) counted apart: how many hold of how many, and the texts of those that do
    not. A record without verdicts falls back on its boolean key numbers, shown as checks (they
    do not say which are the paper's statements)."""
    lines = ["| Theorem | Paper's statements: hold | Statements that do not hold | Companion's checks: hold | "
             "Checks that do not hold |", "|---|---|---|---|---|"]
    for name in [n for n in card.notebooks if n.startswith("theorem-")]:
        record = card.records.get(name)
        if record is None:
            lines.append(f"| {{doc}}`{name}` | *{NOT_RUN}* | | | |")
            continue
        if "claims" in record:
            parts = []
            for paper in (True, False):
                vs = [c for c in record["claims"] if bool(c.get("paper_claim", True)) == paper]
                failing = [c["claim"] for c in vs if not c["holds"]]
                parts += [f"{len(vs) - len(failing)} of {len(vs)}", "; ".join(failing) or "none"]
            lines.append(f"| {{doc}}`{name}` | " + " | ".join(parts) + " |")
            continue
        kn = {k: v for k, v in record.get("key_numbers", {}).items() if isinstance(v, bool)}
        false = [k for k, v in kn.items() if not v]
        lines.append(f"| {{doc}}`{name}` | *not recorded apart* | | {len(kn) - len(false)} of {len(kn)} "
                     f"(key numbers) | {', '.join(f'`{k}`' for k in false) or 'none'} |")
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
    code_hold = sum(c.verdict("code") == HOLDS for c in card.claims if c.verdict("text") == FAILS)
    failing = sum(c.verdict("text") == FAILS for c in card.claims)
    return (f"{t['cells_within']} of {t['cells_run']} table cells run at paper scale are within tolerance"
            f"{_not_run(t['cells'] - t['cells_run'], t['cells'])}; {t['quoted_within']} of {t['quoted_run']} "
            f"numbers quoted for Figures 5 and 7 within tolerance{_not_run(t['quoted'] - t['quoted_run'])}; "
            f"{t['claims_hold']} of {t['claims_run']} qualitative claims hold"
            f"{_inconclusive(t['claims_inconclusive'])}{_notebooks_not_run(card)}; of the {failing} that do "
            f"not hold, {code_hold} hold with the public code's readings.")


def _inconclusive(n: int) -> str:
    return f" ({n} inconclusive)" if n else ""


#: Key numbers of the paper-vs-code page's paper-scale record that the intro quotes: Figure 2's
#: contrastive model with the text's readings, the code's noise and masks, and all six of its.
PVC_KEYS = {"score_cl_text_min": "cl_paper_min", "score_cl_pair_min": "cl_pair_min",
            "score_cl_code_min": "cl_code_min"}


def key_numbers(card: Scorecard) -> dict[str, Any]:
    """The page's key numbers. Text reading: ``score_cells``... ``score_claims_code_hold``
    (``score_claims_not_run`` counts the figure and table notebooks not run at paper scale);
    per other reading ``r`` (``authors``, ``code``): ``score_<r>_cells_run`` ...
    ``score_<r>_claims_hold``; per reading the grid's pages by verdict
    (``score_<r>_pages_holds``, ``_partly``, ``_fails``, ``_inconclusive``, ``_not_run``); per
    group of :data:`GROUPS` its pages (text) and claims holding / run under each reading; and
    the paper-scale numbers of Figure 2's contrastive model on the paper-vs-code page
    (:data:`PVC_KEYS`, None without a record)."""
    t = card.totals("text")
    out: dict[str, Any] = {
        "score_cells": t["cells"], "score_cells_run": t["cells_run"], "score_cells_within": t["cells_within"],
        "score_cells_not_run": t["cells"] - t["cells_run"], "score_quoted": t["quoted"],
        "score_quoted_run": t["quoted_run"], "score_quoted_within": t["quoted_within"],
        "score_claims": t["claims"], "score_claims_run": t["claims_run"],
        "score_claims_hold": t["claims_hold"], "score_claims_not_run": t["notebooks_not_run"],
        "score_claims_code_hold": sum(c.verdict("code") == HOLDS for c in card.claims if c.verdict("text") == FAILS),
        "score_claims_inconclusive": t["claims_inconclusive"]}
    for reading in READINGS[1:]:
        r = card.totals(reading)
        out.update({f"score_{reading}_{k}": r[k] for k in ("cells_run", "cells_within", "quoted_run",
                                                          "quoted_within", "claims_run", "claims_hold",
                                                          "claims_inconclusive")})
    rows = grid(card)
    out["score_pages"] = len(rows)
    words = {HOLDS: "holds", PARTLY: "partly", FAILS: "fails", INCONCLUSIVE: "inconclusive", NOT_RUN_SHORT: "not_run"}
    for reading in GRID_READINGS:
        verdicts = [row[reading].verdict for row in rows]
        out.update({f"score_{reading}_pages_{w}": verdicts.count(v) for v, w in words.items()})
        out[f"score_{reading}_pages_run"] = len(verdicts) - verdicts.count(NOT_RUN_SHORT)
    for group in GROUPS:
        first = group_totals(card, group, "text")
        out[f"score_{group}_pages"] = first["pages"]
        out[f"score_{group}_claims"] = first["claims"]
        for reading in GRID_READINGS:
            g = group_totals(card, group, reading)
            out.update({f"score_{group}_{reading}_hold": g["hold"], f"score_{group}_{reading}_run": g["run"]})
    pvc = card.records.get("paper-vs-code", {}).get("key_numbers", {})
    out.update({key: pvc.get(source) for key, source in PVC_KEYS.items()})
    return out


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
    verdict, and always one under the text's reading and under the authors' scripts (``metric``
    ``claim``, the claim's text as ``condition``, ``within`` the verdict: True, False,
    ``inconclusive``, or empty when it is not run under that reading; a notebook not run at paper
    scale: one row per such reading whose condition is :data:`NOT_RUN`). ``ours_std`` is empty
    below 2 runs."""
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
            rows += [dict(base, condition=NOT_RUN, reading=r) for r in ("text", experiments.AUTHORS)]
            continue
        for reading in READINGS:
            verdict = c.verdict(reading)
            if verdict == NOT_RUN_SHORT and reading == "code":
                continue                      # the check of the code's readings: only where recorded
            within = {HOLDS: "True", FAILS: "False", INCONCLUSIVE: INCONCLUSIVE}.get(verdict, "")
            rows.append(dict(base, condition=c.text, reading=reading, within=within))
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
