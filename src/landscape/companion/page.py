"""What a notebook (a page of the book) prints, glues, records and saves.

- :func:`key_numbers` prints the numbers a notebook stands for (plain text, what nbval compares),
  glues them for the book's prose and writes ``key_numbers.json`` beside the executed notebook.
- :func:`save_figure` writes a figure as PNG, PDF and SVG with its provenance embedded.
- :func:`show` prints a :class:`~landscape.analysis.claims.Verdict` (whether a claim of the
  paper holds in this run) and records it in ``claims.json`` beside the executed notebook;
  :func:`verdict` builds one from its parts and shows it; :func:`read_claims` reads that file back.
- :func:`code_readings` trains an experiment again with the public code's readings and shows it.
- :func:`glue` is :func:`myst_nb.glue` with ``display=False`` (and a no-op without myst-nb).
- :class:`ExperimentPage` is a figure or table page step by step: one call per step (train,
  draw, tabulate, check a claim, check it again with the public code's readings), so that pages
  whose experiments differ only in configuration share the code that draws and checks them.
- :func:`theory_profile` and :func:`show_settings` are the theorem pages' shared first steps
  (profile defaults, the settings line).

Environment variables (set by :func:`landscape.companion.execute.execute`):

``LANDSCAPE_OUTPUT_DIR``
    where figures, ``key_numbers.json`` and ``claims.json`` go (default: ``figures/`` under the working directory
    for figures, nowhere for the JSON).
``LANDSCAPE_NOTEBOOK``
    the notebook's name, recorded in figure provenance.
"""
from __future__ import annotations

import copy
import dataclasses
import json
import math
import numbers as _numbers
import os
import pathlib
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from .. import analysis, experiments
from ..analysis.claims import CODE_CHECK_PREFIX, WORDS, Verdict, readings_text
from ..analysis.tolerance import RULE as TOLERANCE_RULE
from ..data import same_code_data
from ..fileio import write_bytes
from ..profiles import DEFAULT_READING, READING_HELP, READINGS

OUTPUT_DIR_ENV = "LANDSCAPE_OUTPUT_DIR"
NOTEBOOK_ENV = "LANDSCAPE_NOTEBOOK"
FIGURE_FORMATS = ("png", "pdf", "svg")
CLAIMS_FILE = "claims.json"

__all__ = ["setup", "key_numbers", "save_figure", "show", "show_all", "verdict", "read_claims",
           "glue", "output_dir", "code_readings", "start_end_claims", "missed_warm_starts", "FIGURE_FORMATS", "CLAIMS_FILE",
           "ExperimentPage", "TWO_PANELS", "FOUR_PANELS", "figure_name", "panel_names", "theory_profile",
           "show_settings", "theory_banner", "banner_markdown"]


def output_dir() -> pathlib.Path | None:
    """The directory named by ``LANDSCAPE_OUTPUT_DIR``, or ``None`` when it is unset."""
    value = os.environ.get(OUTPUT_DIR_ENV)
    return pathlib.Path(value) if value else None


def _plain(value: Any) -> Any:
    """A numpy / torch scalar as the matching Python scalar; other values unchanged."""
    if isinstance(value, (bool, int, float, str)):
        return value
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return item()
        except (TypeError, ValueError):
            return value
    return value


def _format(value: Any, digits: int) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, _numbers.Integral):
        return str(int(value))
    if isinstance(value, _numbers.Real):
        v = float(value)
        if math.isnan(v):
            return "nan"
        text = f"{v:.{digits}f}"
        # -0.00 and 0.00 are the same number; print it one way so nbval does not flip on the sign.
        if float(text) == 0.0:
            text = f"{0.0:.{digits}f}"
        return text
    return str(value)


def _rounded(value: Any, digits: int) -> Any:
    """The value as printed: floats rounded to ``digits`` decimals (ints, bools, strings as is)."""
    if isinstance(value, bool) or isinstance(value, _numbers.Integral) or isinstance(value, str):
        return value
    if isinstance(value, _numbers.Real):
        return float(_format(value, digits))
    return value


def glue(name: str, value: Any) -> None:
    """``myst_nb.glue(name, value, display=False)``; does nothing when myst-nb is not installed."""
    try:
        from myst_nb import glue as _glue
    except ImportError:  # pragma: no cover - myst-nb is a dependency, but notebooks run without it
        return
    _glue(name, value, display=False)


def key_numbers(numbers: Mapping[str, Any] | None = None, digits: int = 2, *,
                notebook: str | None = None, **kwargs: Any) -> None:
    """Print, glue and record the numbers a notebook stands for.

    Prints one ``name: value`` line per item in the given order (floats with ``digits`` decimals).
    This printed text is what nbval compares against the golden notebooks, so keep ``digits``
    well above the run-to-run noise, and call this last in a cell tagged ``nbval-check-output``.

    Each value is glued (``myst_nb.glue(name, value, display=False)``) *as printed* (floats
    rounded to ``digits``; a boolean as ``"yes"`` or ``"no"``), so the book's prose shows the checked numbers and the glued outputs
    compare as exactly as the printed ones. If ``LANDSCAPE_OUTPUT_DIR`` is set, the full-precision
    values are written to ``key_numbers.json`` there.

    ``notebook`` (the page's name) lets the tests compare the full-precision values with the
    golden's (:func:`golden_check`, when ``LANDSCAPE_GOLDEN_DIR`` is set): one more printed
    line, so nbval reports a change of any key number beyond :data:`GOLDEN_ATOL`, not only one
    that moves the printed digits.
    """
    items: dict[str, Any] = {}
    if numbers is not None:
        items.update(numbers)
    items.update(kwargs)
    plain = {str(k): _plain(v) for k, v in items.items()}
    lines = [f"{k}: {_format(v, digits)}" for k, v in plain.items()]
    print("\n".join(lines), flush=True)
    for k, v in plain.items():  # prose reads "yes" / "no", never Python's True / False
        glue(k, ("yes" if v else "no") if isinstance(v, (bool, np.bool_)) else _rounded(v, digits))
    record = {k: (v if isinstance(v, (bool, int, float, str)) or v is None else str(v))
              for k, v in plain.items()}
    # NaN / inf are not JSON; record them as strings.
    record = {k: (str(v) if isinstance(v, float) and not math.isfinite(v) else v)
              for k, v in record.items()}
    out = output_dir()
    if out is not None:
        write_bytes(out / "key_numbers.json", (json.dumps(record, indent=2) + "\n").encode())
    if notebook is not None and os.environ.get(GOLDEN_DIR_ENV):
        print(golden_check(notebook, record), flush=True)


#: Where the golden key numbers live (``tests/goldens``; set by the tests and by ``make goldens``),
#: and whether a run records them (``LANDSCAPE_GOLDEN_MODE=record``) or compares with them.
GOLDEN_DIR_ENV = "LANDSCAPE_GOLDEN_DIR"
GOLDEN_MODE_ENV = "LANDSCAPE_GOLDEN_MODE"
#: How far a golden key number may move: float32 training on the same machine kind is
#: bit-reproducible; this leaves room for another CPU's last bits, far below any real change.
GOLDEN_ATOL = 1e-4


def golden_check(notebook: str, record: Mapping[str, Any]) -> str:
    """Compare a page's full-precision key numbers with ``<golden dir>/<notebook>.key_numbers.json``
    (numbers within :data:`GOLDEN_ATOL`, words and booleans exactly), or record them there in
    ``record`` mode. Returns the line to print: the same words whenever they match, each
    differing key (stored -> now) when not."""
    path = pathlib.Path(os.environ[GOLDEN_DIR_ENV]) / f"{notebook}.key_numbers.json"
    ok = (f"golden: all {len(record)} key numbers match {path.name} at full precision "
          f"(atol {GOLDEN_ATOL:g})")
    if os.environ.get(GOLDEN_MODE_ENV) == "record":
        write_bytes(path, (json.dumps(dict(record), indent=2) + "\n").encode())
        return ok
    if not path.exists():
        return f"golden: no {path.name} to compare with (run `make goldens`)"
    stored = json.loads(path.read_text())
    differ = []
    for k in sorted(set(stored) | set(record)):
        a, b = stored.get(k, "(missing)"), record.get(k, "(missing)")
        same = (math.isclose(a, b, rel_tol=0.0, abs_tol=GOLDEN_ATOL)
                if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b)) else a == b)
        if not same:
            differ.append(f"{k} {a!r} -> {b!r}")
    if not differ:
        return ok
    return (f"golden: {len(differ)} of {len(record)} key numbers differ from {path.name}: "
            + "; ".join(differ[:12]) + (" ..." if len(differ) > 12 else ""))


def setup(exp: Any, profile: str, namespace: Mapping[str, Any], reading: str = "paper") -> dict[str, Any]:
    """A figure or table page's first step: resolve its knobs
    (:meth:`landscape.experiments.Experiment.setup`), print the setting and, for the smoke
    profile, that it is not a reproduction. Returns the resolved knob values."""
    params = exp.setup(profile, namespace)
    _markdown(settings_markdown(exp, params, profile, reading))
    return params


def settings_markdown(exp: Any, params: Mapping[str, Any], profile: str, reading: str = "paper") -> str:
    """The settings a page runs with, as a reader wants them: a line naming the values that
    differ from the paper's (none at ``profile="paper"`` with no knob set), then every knob and
    model folded in a ``<details>`` block. The smoke profile is named first (a pipeline check,
    not a reproduction)."""
    paper = exp.defaults("paper")
    changed = {k: v for k, v in params.items() if k in paper and v != paper[k]}
    if changed:
        diff = ", ".join(f"{k} {v!r} (paper {paper[k]!r})" for k, v in changed.items())
        head = f"**Settings:** the paper's, except {diff}."
    else:
        head = "**Settings:** the paper's (profile `paper`, no knob changed)."
    if reading == "code":
        head = ("**Reading `code`:** every model is trained with every setting of the authors' script for "
                "it (`TrainConfig.code_reading()`: their latents, noise, masks, SymReLU form, biases, n and "
                "learning rate), not the text's.  \n" + head)
    if profile == "smoke":  # the banner says so too, in its title
        head = "**Smoke profile (not a reproduction).** " + head
    return f"{head}\n\n<details><summary>Every setting</summary>\n\n```text\n{exp.describe(params)}\n```\n\n</details>"


#: Every verdict shown in this kernel, in order (a page's banner lists those shown since the
#: page began, :meth:`ExperimentPage.banner`).
SHOWN: list[Verdict] = []


def show(v: Verdict) -> bool | None:
    """Print ``v``'s line (``CLAIM <claim>: HOLDS (<detail>)``, ``... DOES NOT HOLD`` or
    ``... INCONCLUSIVE``; ``CHECK`` for a check of ours) and return whether it holds (None:
    inconclusive). If ``LANDSCAPE_OUTPUT_DIR`` is set, the verdict is also recorded in
    ``claims.json`` there (:func:`read_claims`); a claim recorded again replaces its entry."""
    print(v.line, flush=True)
    SHOWN.append(v)
    out = output_dir()
    if out is not None:
        _record_claim(out / CLAIMS_FILE, v.record())
    return v.holds


def show_all(verdicts: Iterable[Verdict]) -> list[bool | None]:
    """:func:`show` each verdict, in order."""
    return [show(v) for v in verdicts]


def verdict(claim: str, holds: bool, detail: str = "", *, key: str | None = None,
            paper_claim: bool = True) -> str:
    """Show the verdict on ``claim`` (see :func:`show`) and return its printed line.

    ``key`` names the claim's key number (``claim_...``), when it has one. ``paper_claim=False``
    marks a check that is not a claim of the paper: its line starts with ``CHECK``."""
    v = Verdict(str(claim), bool(holds), str(detail), key=key, paper_claim=bool(paper_claim))
    show(v)
    return v.line


def start_end_claims(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """Show the two verdicts of :func:`landscape.analysis.claims.start_end_claims` and return
    its key numbers."""
    numbers, verdicts = analysis.claims.start_end_claims(*args, **kwargs)
    show_all(verdicts)
    return numbers


def code_readings(exp: Any, params: Mapping[str, Any], *, device: str = "auto",
                  panels: Sequence[str] = analysis.TWO_PANELS, figure: str | None = None,
                  caption: str = "", by: Sequence[str] | None = None,
                  profile: str | None = None) -> list[analysis.ConditionSummary]:
    """Train ``exp``'s models with the public code's decisive readings (``reading_runs`` runs per
    condition, see :meth:`landscape.experiments.Experiment.configs`), print their final values
    and draw them as the paper's figure (saved as ``figure``, e.g. ``"figure-02-code-readings"``).
    Returns their summaries (conditions named by ``by``; empty when ``reading_runs`` is 0)."""
    results = exp.run(params, device=device, reading="code")
    if not results:
        print("reading_runs = 0: the check of the public code's readings is skipped.")
        return []
    summaries = analysis.summarise_all(results, by=by)
    print(f"{exp.name} with {readings_text(r.configs[0] for r in results.values())}; "
          f"{params['reading_runs']} run(s) per condition:")
    print(analysis.format_summary(summaries))
    if figure is not None:
        fig = analysis.plot_curves(results, panels)
        save_figure(fig, figure, params=params, caption=caption or figure,
                    label=f"{exp.sections[0]} (companion, the public code's readings, {params['reading_runs']} "
                          f"run(s) per condition" + (f", {profile} profile)" if profile else ")"))
    return summaries


def missed_warm_starts(results: Mapping[str, Any]) -> tuple[int, int]:
    """Print and return :func:`landscape.analysis.claims.missed_warm_starts` of ``results``."""
    missed, runs = analysis.claims.missed_warm_starts(results)
    print(f"Warm starts that left a dictionary column out (initial minimum max-cosine below half "
          f"of a warm row's cosine): {missed} of {runs} runs")
    return missed, runs


def read_claims(folder: pathlib.Path | str) -> list[dict[str, Any]]:
    """The verdicts recorded in ``<folder>/claims.json``, in execution order ([] without one)."""
    path = pathlib.Path(folder) / CLAIMS_FILE
    return json.loads(path.read_text()) if path.exists() else []


def _record_claim(path: pathlib.Path, record: dict[str, Any]) -> None:
    """Add ``record`` to the claims file, replacing an earlier entry with the same claim text."""
    claims = read_claims(path.parent)
    same = [i for i, c in enumerate(claims) if c.get("claim") == record["claim"]]
    if same:
        claims[same[0]] = record
    else:
        claims.append(record)
    write_bytes(path, (json.dumps(claims, indent=2) + "\n").encode())


def _figure_metadata(fmt: str, text: str, title: str) -> dict[str, Any]:
    # Keys per matplotlib backend (see matplotlib.figure.Figure.savefig's ``metadata``):
    #   png: any tEXt keyword; pdf: Title/Author/Subject/Keywords/Creator/Producer/
    #   CreationDate/ModDate/Trapped; svg: Dublin Core (Title, Description, Date, Creator...).
    # Dates are dropped so that the same figure gives the same file.
    if fmt == "png":
        return {"Title": title, "Description": text}
    if fmt == "pdf":
        return {"Title": title, "Subject": text, "CreationDate": None, "ModDate": None}
    if fmt == "svg":
        return {"Title": title, "Description": text, "Date": None}
    raise ValueError(f"unsupported figure format {fmt!r}")


def save_figure(fig: Any, name: str, params: Mapping[str, Any] | None = None,
                caption: str | None = None, *, show: bool = False,
                label: str | None = None) -> dict[str, pathlib.Path]:
    """Save ``fig`` as ``{name}.png``, ``.pdf`` and ``.svg`` with its provenance embedded.

    Files go to ``LANDSCAPE_OUTPUT_DIR`` when set, else to ``figures/`` under the working
    directory. The provenance record (:func:`landscape.companion.provenance.collect` with the notebook,
    ``params``, the figure name and ``caption``) is stored as JSON in each file's metadata
    (PNG ``Description``, PDF ``Subject``, SVG ``Description``). Each file is written to a
    temporary name and moved into place. ``show``: then show it (``matplotlib.pyplot.show``), the
    last step of a page's figure cell. ``label`` (e.g. ``"Figure 5 (companion, the text's reading,
    paper profile)"``): instead, show the saved PNG with a caption that starts with the label and
    links the three files for download (:func:`show_saved_figure`). Returns ``{"png": path,
    "pdf": path, "svg": path}``.
    """
    import io

    import matplotlib

    from .provenance import collect

    if not name or any(sep in name for sep in ("/", "\\")) or name.startswith("."):
        raise ValueError(f"figure name must be a plain file stem, got {name!r}")
    out = output_dir() or (pathlib.Path.cwd() / "figures")
    record = collect(notebook=os.environ.get(NOTEBOOK_ENV), params=dict(params or {}),
                     figure=name, caption=caption)
    text = json.dumps(record, sort_keys=True, default=str)
    paths: dict[str, pathlib.Path] = {}
    with matplotlib.rc_context({"svg.hashsalt": name}):
        for fmt in FIGURE_FORMATS:
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, metadata=_figure_metadata(fmt, text, caption or name),
                        bbox_inches="tight", dpi=PNG_DPI if fmt == "png" else "figure")
            path = out / f"{name}.{fmt}"
            write_bytes(path, buf.getvalue())
            paths[fmt] = path
    if label is not None:
        section = label.split(" (", 1)[0]
        text = caption or name
        text = text[len(section) + 2:] if text.startswith(f"{section}: ") else text  # said by the label
        show_saved_figure(fig, paths, f"**{label}.** {text[:1].upper()}{text[1:]}")
        return paths
    if show:
        import matplotlib.pyplot as plt

        plt.show()
    return paths


#: Resolution of a saved PNG: four panels at 2 x 4.2 inches keep 10 pt tick labels above 10 px
#: on a page 800 px wide.
PNG_DPI = 200
#: Width (CSS pixels) a page shows a figure at; the PNG has more pixels, for zooming.
SHOWN_WIDTH = 800


def _relative_folder() -> str:
    """Where :func:`save_figure`'s files are, relative to the executed notebook (the artefact
    folder ``<name>/`` beside ``<name>.ipynb``, see :mod:`landscape.companion.execute`)."""
    out = output_dir()
    return out.name if out is not None else "figures"


def show_saved_figure(fig: Any, paths: Mapping[str, pathlib.Path], caption: str) -> None:
    """Show a saved figure as its PNG (closing the live one, so that it is not shown twice),
    then its caption with download links to every saved format."""
    import matplotlib.pyplot as plt

    plt.close(fig)
    try:
        from IPython.display import Image, display
    except ImportError:  # pragma: no cover - notebooks always run under IPython
        print(caption)
        return
    display(Image(data=pathlib.Path(paths["png"]).read_bytes(), format="png", width=SHOWN_WIDTH))
    folder = _relative_folder()
    links = " · ".join(f"[{fmt.upper()}]({folder}/{pathlib.Path(path).name})" for fmt, path in paths.items())
    _markdown(f"{caption}  \nDownload: {links}")


# ------------------------------------------------------------------ figure and table pages
#: The panels of a figure in the paper's layout (:func:`landscape.analysis.plot_curves`).
TWO_PANELS, FOUR_PANELS = analysis.TWO_PANELS, analysis.FOUR_PANELS
#: How a caption names the panels of a figure.
PANEL_WORDS = {analysis.TWO_PANELS: "minimum max-cosine and loss",
               analysis.FOUR_PANELS: "minimum, median, maximum max-cosine and loss"}


def panel_names(panels: int | Sequence[str]) -> tuple[str, ...]:
    """The panels of a figure: ``2`` (minimum max-cosine and loss), ``4`` (minimum, median and
    maximum max-cosine, and loss) or the panel names themselves."""
    if isinstance(panels, int):
        if panels not in (2, 4):
            raise ValueError(f"a figure has 2 or 4 panels, not {panels}")
        return analysis.TWO_PANELS if panels == 2 else analysis.FOUR_PANELS
    return tuple(panels)


def figure_name(section: str) -> str:
    """The stem a paper section's figure is saved under: ``"Figure 7"`` gives ``"figure-07"``."""
    kind, number = section.split()
    return f"{kind.lower()}-{int(number):02d}"


def _markdown(text: str) -> None:
    """Display ``text`` as Markdown (printed when IPython is not there)."""
    try:
        from IPython.display import Markdown, display
    except ImportError:  # pragma: no cover - notebooks always run under IPython
        print(text)
        return
    display(Markdown(text))


class ExperimentPage:
    """A figure or table page, step by step: one call per step of the page.

    Creating it resolves the experiment's knobs from the notebook's namespace and prints them
    (:func:`setup`). Then :meth:`train` trains (or loads) the runs, :meth:`save_figure` draws and
    saves a figure of the paper, :meth:`final_values` and :meth:`compare` show the final values
    (against the paper's table), :meth:`above`, :meth:`trend`, :meth:`start_end` and :meth:`check`
    show the verdicts on the paper's claims, and :meth:`code_readings` trains the models again
    with the public code's readings and shows the same verdicts on those runs. Pages whose
    experiments differ only in configuration (Figures 13-15, 8 and 9, 4 and 5) are the same calls
    with other arguments.

    The key numbers it gathers, in the order a page reports them: :attr:`warm`
    (:meth:`missed_warm_starts`), :meth:`numbers`, :attr:`table_numbers`, :attr:`claims`
    (``claim_...``, in the order checked), :meth:`code_numbers` and :attr:`code_claims`
    (``code_...``).
    """

    def __init__(self, name: str, profile: str, device: str, namespace: Mapping[str, Any],
                 reading: str = DEFAULT_READING) -> None:
        if reading not in READINGS:
            raise ValueError(f"unknown reading {reading!r}; valid choices: {', '.join(READINGS)} "
                             f"({READING_HELP})")
        self.exp = experiments.get(name)
        # the page's own runs: the text's models, or every model under the authors' script
        self.profile, self.device = profile, device
        self.reading = "text" if reading == "paper" else experiments.AUTHORS
        self.params = setup(self.exp, profile, namespace, reading)
        # conditions named in the sweep's order when it sweeps several fields (Table 4)
        self.by = self.exp.sweep_fields if len(self.exp.sweep) > 1 else None
        self._first_verdict = len(SHOWN)
        self._clear()

    def _clear(self) -> None:
        """Forget the runs, tables and verdicts (a new page starts with none)."""
        self.results: dict[str, Any] = {}
        self.summaries: list[analysis.ConditionSummary] = []
        self.code_summaries: list[analysis.ConditionSummary] = []
        self.table: analysis.Comparison | None = None
        self.table_source = ""
        self.warm: dict[str, int] = {}
        self.table_numbers: dict[str, int] = {}
        self.claims: dict[str, Any] = {}
        self.code_claims: dict[str, Any] = {}
        self._rechecks: list[Callable[[list[analysis.ConditionSummary], str, str], dict[str, Any]]] = []

    def variant(self, reading: str) -> "ExperimentPage":
        """The same page for one of the experiment's variants (e.g. Figure 7's ``paper-start``):
        its knobs changed as the variant says, nothing trained or checked yet."""
        variants = dict(self.exp.variants)
        if reading not in variants:
            raise ValueError(f"{self.exp.name} has no variant {reading!r}; "
                             f"its variants: {', '.join(variants) or 'none'}")
        other = copy.copy(self)
        other.reading, other.params = reading, {**self.params, **dict(variants[reading])}
        other._clear()
        return other

    def train(self) -> None:
        """Train (or load from the cache) every model of the experiment and summarise the runs."""
        self.results = self.exp.run(self.params, device=self.device, reading=self.reading)
        self.summaries = analysis.summarise_all(self.results, by=self.by)

    def _panels(self, panels: int | Sequence[str] | None) -> tuple[str, ...]:
        return panel_names(self.exp.panels if panels is None else panels)

    def save_figure(self, panels: int | Sequence[str], name: str, what: str = "", *,
                    models: Sequence[str] | None = None, title: str | None = None,
                    caption: str | None = None, paper: str | tuple[str, str] | None = None,
                    paper_models: Mapping[str, str] | None = None, references: bool = True) -> None:
        """Draw the runs in the paper's layout (``panels``: :data:`TWO_PANELS`,
        :data:`FOUR_PANELS`, 2 or 4) and save the figure (:func:`save_figure`) as ``name``, the
        stem of one of the experiment's sections (``"figure-04"`` for Figure 4; a variant's page
        adds ``-<variant>``). ``models``: default the drawn ones (not the references). The title
        is ``"<section>: <experiment title>"`` and the caption ``"<section>: <panels> of <what>"``
        unless given."""
        suffix = "" if self.reading in ("text", experiments.AUTHORS) else f"-{self.reading}"
        sections = {figure_name(s) + suffix: s for s in self.exp.sections}
        if name not in sections:
            raise ValueError(f"{self.exp.name} saves {', '.join(sections)}, not {name!r}")
        section, panels = sections[name], panel_names(panels)
        caption = caption or f"{PANEL_WORDS.get(panels, ', '.join(panels))} of {what}"
        reading = {"text": "the text's reading", experiments.AUTHORS: "the authors' scripts' settings"}.get(
            self.reading, f"variant {self.reading}")
        drawn = list(models or self.exp.drawn)
        faint = [m.label for m in self.exp.models if m.reference] if references and models is None else []
        marks = paper_marks(self.summaries, paper, paper_models, drawn) if paper else []
        if marks:
            caption += "; stars: the paper's values"
        fig = analysis.plot_curves(self.results, panels, title=title, models=drawn + faint, marks=marks,
                                   faint=faint)
        save_figure(fig, name, params=self.params, caption=f"{section}: {caption}",
                    label=f"{section} (companion, {reading}, {self.profile} profile)")

    def final_values(self) -> None:
        """Print the final (and initial) values per model and condition, mean ± std over runs."""
        print(analysis.format_summary(self.summaries))

    def compare(self, section: str) -> None:
        """Show the final values beside the paper's ``section`` (e.g. ``"Table 2"``) as a
        Markdown table, and record ``<table>_cells`` and ``<table>_cells_within``."""
        self.table_source = analysis.table_source(section)
        self.table = analysis.compare_table(self.summaries, self.table_source)
        self.show_table()
        self.table_numbers = {f"{self.table_source}_cells": self.table.n_cells,
                              f"{self.table_source}_cells_within": self.table.n_within}

    def beside(self, section: str, models: Mapping[str, str] | None = None) -> None:
        """Show the final values beside the paper's ``section`` (e.g. ``"Table 2"`` for Figure
        2, whose runs are rows of that table), ``models`` mapping this page's labels to the
        table's; a view of the same runs, so no claim is recorded."""
        _markdown(analysis.compare_table(self.summaries, analysis.table_source(section), models).markdown())

    def show_table(self) -> None:
        """Show the comparison of :meth:`compare` again, as Markdown."""
        if self.table is None:
            raise RuntimeError("no table yet: call compare() first")
        _markdown(self.table.markdown())

    def table_matches(self, section: str) -> None:
        """Show whether every cell of :meth:`compare`'s table is within tolerance of the
        paper's (key ``claim_table_matches``)."""
        if self.table is None:
            raise RuntimeError("no table yet: call compare() first")
        holds = self.table.n_within == self.table.n_cells
        verdict(f"{section} is reproduced within tolerance in every cell", holds,
                f"{self.table.n_within} of {self.table.n_cells} cells within {TOLERANCE_RULE}")
        self.claims["claim_table_matches"] = WORDS[holds]

    def check(self, key: str, checker: Callable[..., Verdict], *args: Any, **kwargs: Any) -> None:
        """Show ``checker(summaries, *args, **kwargs)``, a verdict on a paper claim (a check of
        :mod:`landscape.analysis.claims`), recorded as the key number ``claim_<key>``;
        :meth:`code_readings` shows it again on its runs (``code_<key>``; None when the check of the
        code's readings is skipped, ``reading_runs=0``)."""
        self.claims[f"claim_{key}"] = WORDS[show(checker(self.summaries, *args, **kwargs))]

        def recheck(runs: list[analysis.ConditionSummary], tag: str, prefix: str) -> dict[str, Any]:
            if not runs:
                return {f"{tag}_{key}": None}
            return {f"{tag}_{key}": WORDS[show(_relabel(checker(runs, *args, code_readings=True, **kwargs), prefix))]}
        self._rechecks.append(recheck)

    def above(self, key: str, better: str, worse: str, *, claim: str | None = None) -> None:
        """:meth:`check` that ``better`` ends with a higher minimum max-cosine than ``worse`` (at
        every Pr(sparse) of the experiment), :func:`landscape.analysis.claims.check_above`."""
        self.check(key, analysis.claims.check_above, better, worse, self.params.get("p_sparse"), claim=claim)

    def trend(self, key: str, subject: str, *, direction: str) -> None:
        """:meth:`check` that the minimum max-cosine of ``subject`` ``"rises"`` (or
        ``"decreases"``) at every Pr(sparse), :func:`landscape.analysis.claims.check_trend`."""
        self.check(key, analysis.claims.check_trend, subject, direction)

    def start_end(self, source: str, model: str, subject: str, *, check: str | None = None) -> None:
        """Show the two claims of a figure whose text quotes the minimum max-cosine's start and
        end (:func:`start_end_claims`); their key numbers go to :attr:`claims` and, on the runs of
        :meth:`code_readings`, prefixed ``code_`` to :attr:`code_claims`. ``check``: a ``CHECK``
        on other runs (see :func:`landscape.analysis.claims.claim_verdict`)."""
        self.claims.update(start_end_claims(self.summaries, source, model, subject, check=check))

        def recheck(runs: list[analysis.ConditionSummary], tag: str, prefix: str) -> dict[str, Any]:
            if not runs:
                return {}
            numbers, verdicts = analysis.claims.start_end_claims(runs, source, model, subject, code_readings=True)
            show_all(_relabel(v, prefix) for v in verdicts)
            return {f"{tag}_{k}": v for k, v in numbers.items()}
        self._rechecks.append(recheck)

    def missed_warm_starts(self) -> None:
        """Print how many warm starts left a dictionary column out (:func:`missed_warm_starts`);
        recorded as ``warm_starts_missed`` and ``warm_runs``."""
        missed, runs = missed_warm_starts(self.results)
        self.warm = {"warm_starts_missed": missed, "warm_runs": runs}

    def code_readings(self, caption: str | None = None, *,
                      panels: int | Sequence[str] | None = None) -> None:
        """Train the models again with the public code's readings (:func:`code_readings`), draw
        them as ``<page>-code-readings`` when given a ``caption``, compare them with the paper's
        table when the page has one, and show every claim checked so far on them."""
        figure = f"{self.exp.name}-code-readings" if caption else None
        self.code_summaries = code_readings(self.exp, self.params, device=self.device,
                                            panels=self._panels(panels), figure=figure,
                                            caption=caption or "", by=self.by, profile=self.profile)
        if self.table is not None and self.code_summaries:
            code_table = analysis.compare_table(self.code_summaries, self.table_source)
            _markdown(code_table.markdown())
            self.code_claims[f"code_{self.table_source}_cells_within"] = code_table.n_within
        for recheck in self._rechecks:
            self.code_claims.update(recheck(self.code_summaries, "code", CODE_CHECK_PREFIX))
        self.authors_reading()

    def authors_reading(self) -> None:
        """The models again under the authors' scripts, every setting of them
        (:data:`landscape.experiments.AUTHORS`, :meth:`landscape.config.TrainConfig.code_reading`),
        with the paper's run counts: their final values, a figure (``<page>-authors``), the table
        against the paper's (when the page has one) and every claim checked so far on them, as a
        ``CHECK`` after :data:`AUTHORS_CHECK_PREFIX`; key numbers ``authors_...`` in
        :attr:`code_claims`. At paper scale they are shown only from stored results (never
        trained by the page): until then the page says so, with the command that trains them."""
        from ..cache import find_cached

        if self.reading == experiments.AUTHORS:
            _markdown("**The authors' scripts, every setting:** the runs above already are (this page was "
                      "executed with `reading=\"code\"`).")
            return
        configs = self.exp.configs(self.params, experiments.AUTHORS)
        if self.profile == "paper":
            found = {label: find_cached(cfgs, device=self.device) for label, cfgs in configs.items()}
            if any(r is None for r in found.values()):
                runs = sum(len(c) for c in configs.values())
                epochs = next(iter(configs.values()))[0].epochs
                _markdown(f"**The authors' scripts, every setting:** not trained at paper scale yet "
                          f"({runs} runs of {epochs} epochs with n = 3000; `python scripts/paper_run.py "
                          f"--train-only --reading authors {self.exp.name}` trains and ships them).")
                self.code_claims["authors_trained"] = False
                return
            results = found
        else:
            results = self.exp.run(self.params, device=self.device, reading=experiments.AUTHORS,
                                   progress=False)
        summaries = analysis.summarise_all(results, by=self.by)
        first = next(iter(configs.values()))[0]
        _markdown(f"**The authors' scripts, every setting** (`TrainConfig.code_reading()`: their latents, "
                  f"noise, masks, SymReLU form and biases, n = {first.n}, lr {first.lr:g}, "
                  f"{first.epochs} epochs, {summaries[0].runs} run(s) per condition):")
        for same in same_code_data(c for cs in configs.values() for c in cs):
            _markdown(f"Pr(sparse) {' and '.join(f'{p:g}' for p in same)} draw the same data under the code's "
                      f"latents (d = {first.d}: {{ref}}`the same number of -1 and +1 per sample <pvc-3>`), so their "
                      "rows are the same runs.")
        print(analysis.format_summary(summaries))
        fig = analysis.plot_curves(results, self._panels(None), models=list(self.exp.drawn))
        save_figure(fig, f"{self.exp.name}-authors", params=self.params,
                    caption=f"{self.exp.title}, every model under the authors' scripts' settings",
                    label=f"{self.exp.sections[0]} (companion, the authors' scripts' settings, "
                          f"{self.profile} profile)")
        self.code_claims["authors_trained"] = True
        if any(c.init == "warm" for cs in configs.values() for c in cs):
            missed, runs = analysis.claims.missed_warm_starts(results)
            print(f"Warm starts under the authors' scripts that left a dictionary column out: {missed} of {runs} runs")
            self.code_claims.update(authors_warm_starts_missed=missed, authors_warm_runs=runs)
        self.code_claims.update({f"authors_{k}": v for k, v in
                                 analysis.key_numbers_for(summaries, metrics=("min",)).items()})
        if self.table is not None:
            table = analysis.compare_table(summaries, self.table_source)
            _markdown(table.markdown())
            self.code_claims[f"authors_{self.table_source}_cells_within"] = table.n_within
        for recheck in self._rechecks:
            self.code_claims.update(recheck(summaries, "authors", AUTHORS_CHECK_PREFIX))

    def verdicts(self) -> list[Verdict]:
        """The verdicts this page has shown so far, in order."""
        return SHOWN[self._first_verdict:]

    def banner(self, why: str = "") -> None:
        """Glue the page's verdict banner as ``banner`` (its first markdown cell shows it with
        ``{glue:md}`` in MyST format, so the answer sits at the top of the page) and show the
        re-run and cite boxes at the end of the page. ``why``: one sentence (with a link to the
        section that shows it) on why a claim does not hold, shown when one does not. Returns
        nothing (the banner is glued, not shown here)."""
        text = banner_markdown(self.verdicts(), self.profile, why,
                               authors_trained=self.code_claims.get("authors_trained"),
                               reading="code" if self.reading == experiments.AUTHORS else "paper",
                               name=self.exp.name)
        glue("banner", _markdown_bundle(text))
        wall = sum(float(getattr(r, "wall_s", 0.0) or 0.0) for r in self.results.values())
        _markdown(rerun_markdown(self.exp.name, self.exp.sections[0], wall) + "\n\n"
                  + cite_markdown(self.exp.name, self.exp.sections[0], self.params, self.profile))

    def numbers(self, start: bool = False) -> dict[str, float]:
        """The final minimum, median and maximum max-cosine per model and condition (mean over
        runs), after the initial minimum with ``start``; then each run's change of the minimum
        from epoch 0 (``_min_change``) and the final loss (``_loss``): what training did."""
        out = analysis.key_numbers_for(self.summaries, metrics=["min"], when="start") if start else {}
        out.update(analysis.key_numbers_for(self.summaries))
        out.update(analysis.key_numbers_for(self.summaries, metrics=["min"], when="change"))
        out.update(analysis.key_numbers_for(self.summaries, when="loss"))
        return out

    def code_numbers(self, start: bool = False) -> dict[str, float]:
        """The final (and with ``start`` the initial) minimum max-cosine of :meth:`code_readings`'
        runs, keys prefixed ``code_``."""
        return analysis.claims.code_key_numbers(self.code_summaries, start=start)


def paper_marks(summaries: Sequence[analysis.ConditionSummary], paper: str | tuple[str, str],
                models: Mapping[str, str] | None, drawn: Sequence[str]) -> list[dict[str, Any]]:
    """The paper's values to draw on a figure (:func:`landscape.analysis.plot_curves`'s
    ``marks``): a table's final minimum, median and maximum max-cosine per drawn model and
    condition (``paper`` such as ``"Table 2"``; ``models`` maps labels to the table's), or the
    start and end values the text quotes (``paper = (source, model)``, e.g. ``("fig5",
    "NCL-warmstart-predictor")``: means over runs and Pr(sparse), so drawn in black)."""
    if isinstance(paper, tuple):
        source, model = paper
        return [{"panel": "min", "x": x, "y": analysis.reported(source, model, f"min_maxcos_{x}").mean,
                 "model": None, "cond": None} for x in ("start", "end")]
    source = analysis.table_source(paper)
    marks = []
    for s in summaries:
        if s.model not in drawn:
            continue
        cond = s.cond
        for metric in analysis.METRICS:
            try:
                r = analysis.reported(source, (models or {}).get(s.model, s.model), metric,
                                      p_sparse=cond.get("p_sparse"), sigma_ws=cond.get("warm_sigma"))
            except (LookupError, ValueError):
                continue
            marks.append({"panel": metric, "x": "end", "y": r.mean, "model": s.model, "cond": cond})
    return marks


#: How a verdict shows in a banner or table cell.
MARKS = {True: "✓ holds", False: "✗ does not hold", None: "≈ inconclusive"}


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def banner_markdown(verdicts: Sequence[Verdict], profile: str, why: str = "", *,
                    authors_trained: bool | None = None, reading: str = "paper",
                    name: str | None = None) -> str:
    """A page's verdict banner (a MyST admonition): each claim of the paper with its verdict
    under the text's reading and under the authors' scripts (the ``CHECK`` of it after
    :data:`AUTHORS_CHECK_PREFIX`), the rule that decides a verdict, and, for each claim that
    does not hold under the text's reading, one sentence of why (:func:`miss_reason`) linked to
    the section of page ``name`` that shows it, then ``why`` (a page's own words) if given.
    ``reading="code"``: the page's own runs are the authors' scripts' (one verdict column)."""
    own = {"paper": "the text's reading", "code": "the authors' scripts' settings",
           "theory": "this page's computations"}[reading]
    claims = [v for v in verdicts if v.paper_claim]
    checks = {v.claim: v for v in verdicts if not v.paper_claim}
    text_verdicts = [v.holds for v in claims]
    if not claims:
        title, state = "No claim of the paper is checked on this page", "none"
    elif all(h is True for h in text_verdicts):
        title, state = f"Reproduces under {own}", "holds"
    elif all(h is False for h in text_verdicts):
        title, state = f"Does not reproduce under {own}", "fails"
    elif any(h is False for h in text_verdicts):
        title, state = f"Partly reproduces under {own}", "mixed"
    else:
        title, state = f"Inconclusive under {own}", "inconclusive"
    if profile == "smoke":
        title = f"Smoke profile, not a reproduction: {title[0].lower()}{title[1:]}"

    def authors(v: Verdict) -> str:
        other = checks.get(AUTHORS_CHECK_PREFIX + v.claim)
        if other is not None:
            return MARKS[other.holds]
        return "not trained at paper scale yet" if authors_trained is False else "not checked"

    lines = [f":::{{admonition}} {title}", f":class: verdict verdict-{state}", ""]
    if reading == "paper":
        lines += ["| The paper's claim | The text's reading | The authors' scripts |", "|:--|:--|:--|"]
        lines += [f"| {i}. {_cell(v.claim)} | {MARKS[v.holds]} | {authors(v)} |" for i, v in enumerate(claims, 1)]
    else:
        head = "The paper's statement | Verdict" if reading == "theory" else "The paper's claim | The authors' scripts' settings"
        lines += [f"| {head} |", "|:--|:--|"]
        lines += [f"| {_cell(v.claim)} | {MARKS[v.holds]} |" for v in claims]
    if reading == "theory":
        ours = [v for v in verdicts if not v.paper_claim]
        lines += ["", f"Our own checks (printed `CHECK`, not statements of the paper): "
                      f"{sum(v.holds is True for v in ours)} of {len(ours)} hold."]
        lines.append(":::")
        return "\n".join(lines)
    lines += ["", f"*Rule:* a difference beyond {analysis.claims.SPREAD_SE:g} standard errors of the seed "
              f"spread holds or fails, else it is inconclusive; a number matches within {TOLERANCE_RULE}."]
    reasons = [f"- **{i}.** {miss_reason(v, checks, authors_trained, name)}"
               for i, v in enumerate(claims, 1) if v.holds is not True]
    if why and reasons:
        reasons.append(f"- {why}")
    if reasons:
        lines += ["", "**Why the misses:**", "", *reasons]
    lines.append(":::")
    return "\n".join(lines)


def miss_reason(v: Verdict, checks: Mapping[str, Verdict], authors_trained: bool | None,
                name: str | None) -> str:
    """One sentence on why the claim ``v`` misses under the text's reading, from what the
    re-checks of the same claim on other runs say (``checks``, by claim text): it holds under
    the authors' scripts' settings (a setting the text gives differently causes the miss), the
    authors' settings miss too (the paper's own code does not give it), it holds with the
    public code's noise and masks alone, or the authors' settings are not trained yet (cause
    open); a short ``detail`` (a table's count of cells) is quoted. Links go to the page's
    claims and readings sections (labels ``<name>-claims``, ``<name>-readings``) and to the
    paper-vs-code page. The claim itself is not repeated (the banner numbers its rows)."""
    readings = f"{{ref}}`readings <{name}-readings>`" if name else "{doc}`paper-vs-code`"
    authors = checks.get(AUTHORS_CHECK_PREFIX + v.claim)
    code = checks.get(CODE_CHECK_PREFIX + v.claim)
    if authors is not None and authors.holds is True:
        cause = ("holds under the authors' scripts' settings: a setting the text gives differently "
                 f"causes the miss ({readings}, {{ref}}`each setting measured <pvc-measured>`).")
    elif authors is not None:
        either = "does not hold" if authors.holds is False else "is inconclusive"
        also = ("; the public code's noise and masks alone make it hold"
                if code is not None and code.holds is True else "")
        gives = "does not give it" if authors.holds is False else "does not clearly give it either"
        cause = (f"{either} under the authors' scripts' settings too{also}: the paper's own code {gives} "
                 f"({readings}, {{ref}}`our steps equal theirs <pvc-authors>`).")
    elif code is not None and code.holds is True:
        cause = ("holds with the public code's noise and masks alone: the text's noise and masks cause "
                 f"the miss ({readings}, {{ref}}`each setting measured <pvc-measured>`).")
    elif authors_trained is False:
        cause = f"not trained under the authors' scripts' settings at paper scale yet: cause open ({readings})."
    else:
        cause = f"not re-checked under the authors' or the code's settings: cause not isolated ({readings})."
    short = _cell(v.detail).translate(str.maketrans("<>`", "‹›'")) if v.detail and len(str(v.detail)) <= 60 else ""
    numbers = f"{{ref}}`{short or 'numbers'} <{name}-claims>`" if name else short
    return f"{v.word} ({numbers}); {cause}" if numbers else f"{v.word}; {cause}"


def rerun_markdown(name: str, section: str, wall_s: float, *, trains: bool = True) -> str:
    """The page's "Re-run this page" box: the commands for its paper-scale and smoke versions
    and how long its models took to train (``trains=False``: how long the page took)."""
    minutes = wall_s / 60.0
    cost = (f"the models shown here trained in {minutes:.1f} min; the runs shipped in `results/runs/` "
            "load in seconds, and `--force` retrains nothing that is stored" if trains
            else f"the execution shown here took {minutes:.1f} min")
    example = "-p runs 5" if trains else "-p seed 1"
    return "\n".join([
        ":::{admonition} Re-run this page", ":class: dropdown rerun", "",
        f"- The paper's settings: `landscape run {name} --profile paper` ({cost}).",
        f"- A pipeline check in seconds: `landscape run {name}`.",
        f"- Other settings: `landscape list {name}` shows every parameter; set one with "
        f"`-p NAME VALUE`, e.g. `landscape run {name} --profile paper {example}`.",
        f"- Credit a figure of your run: `landscape cite {name} --profile paper`.",
        ":::"])


def cite_markdown(name: str, section: str, params: Mapping[str, Any], profile: str) -> str:
    """The page's "Cite this figure" box: the paper's and the companion's BibTeX and a credit
    line naming this execution (its settings, commit and versions)."""
    from .provenance import PAPER_BIBTEX, collect, companion_bibtex, figure_credit

    prov = collect(notebook=name, profile=profile, parameters={"profile": profile})
    git = prov.get("git") or {}
    credit = figure_credit(section, prov, "book execution")
    return "\n".join([
        ":::{admonition} Cite this figure", ":class: dropdown cite", "",
        "```bibtex", PAPER_BIBTEX, "", companion_bibtex(git.get("commit"), git.get("dirty")), "```", "",
        credit, ":::"])


def _markdown_bundle(text: str) -> Any:
    """``text`` as an IPython Markdown object (what glue stores as text/markdown)."""
    try:
        from IPython.display import Markdown
    except ImportError:  # pragma: no cover
        return text
    return Markdown(text)


#: The text of a check on the runs under the authors' scripts is the claim's after this.
AUTHORS_CHECK_PREFIX = "With the authors' scripts' settings, "


def _relabel(v: Verdict, prefix: str) -> Verdict:
    """A check on the runs with the public code's readings as the same check on other runs,
    whose text is the claim's after ``prefix``."""
    claim = v.claim[len(CODE_CHECK_PREFIX):] if v.claim.startswith(CODE_CHECK_PREFIX) else v.claim
    return dataclasses.replace(v, claim=prefix + claim)


# ------------------------------------------------------------------ theorem pages
def theory_profile(profile: str, namespace: Mapping[str, Any], **defaults: tuple[int, int]) -> tuple[int, ...]:
    """The values of a theorem page's integer knobs, each given as ``name=(smoke, paper)``: the
    value set in ``namespace`` (the notebook's ``globals()``), or the profile's where it is None."""
    profiles = ("smoke", "paper")
    if profile not in profiles:
        raise ValueError(f"unknown profile {profile!r}; valid: {', '.join(profiles)}")
    pick = profiles.index(profile)
    return tuple(int(pair[pick] if namespace.get(name) is None else namespace[name])
                 for name, pair in defaults.items())


def show_settings(**params: Any) -> dict[str, Any]:
    """Print a theorem page's settings (lists as lists) and return them, for its figures'
    provenance."""
    params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()}
    print(params)
    return params


def theory_banner(name: str, profile: str, elapsed_s: float = 0.0) -> None:
    """A theorem page's banner (glued as ``banner``, shown at its top like an experiment page's):
    every statement of the paper it checked with its verdict, and how many of its own checks
    hold; then the re-run and cite boxes. Call it last: it reads every verdict shown so far."""
    section = name.replace("-", " ").capitalize()   # theorem-1 -> Theorem 1 (figure_name's inverse)
    glue("banner", _markdown_bundle(banner_markdown(SHOWN, profile, reading="theory")))
    _markdown(rerun_markdown(name, section, elapsed_s, trains=False) + "\n\n"
              + cite_markdown(name, section, {}, profile))


# ------------------------------------------------------------------ the authors' code side by side
def authors_run(name: str) -> dict[str, Any]:
    """The authors' own run recorded in ``results/authors/<name>.json`` (written by
    ``scripts/authors_fixtures.py``): its command, configuration, wall time and per-seed numbers."""
    from ..fileio import read_json
    from . import REPO_ROOT

    path = REPO_ROOT / "results" / "authors" / f"{name}.json"
    record = read_json(path)
    if not isinstance(record, dict) or not isinstance(record.get("runs"), list):
        raise ValueError(f"{path}: not a recorded run of the authors' code (see scripts/authors_fixtures.py)")
    return record


def authors_trend(name: str) -> dict[str, float]:
    """The authors' recorded run of setting ``name`` in short, for a figure's page: the mean over
    seeds of the initial and final minimum max-cosine (Eq. 11), with its epochs and seeds."""
    record = authors_run(name)
    runs = record["runs"]
    return {"theirs_min_start": float(np.mean([r["init_min"] for r in runs])),
            "theirs_min_end": float(np.mean([r["final_min"] for r in runs])),
            "theirs_min_end_lowest": float(min(r["final_min"] for r in runs)),
            "theirs_epochs": int(record["epochs"]), "theirs_seeds": len(runs)}


def side_by_side(authors: Mapping[str, Any], ours: Mapping[str, Any], *, figure: str | None = None,
                 caption: str = "", prefix: str = "sbs") -> dict[str, Any]:
    """Our runs (``{variant: TrainResult}``, one replica per seed) beside the authors' recorded
    ones, number by number: mean ± std over seeds, Welch's p-value, and whether the difference
    lies inside the seed spread (:func:`landscape.analysis.agreement.compare_samples`); the final
    loss is the mean of the steps of the last logging window on both sides (theirs read by the
    launcher's hook, ``final_loss_window_mean``), when their record has it. Shows the
    table (and with ``figure`` the minimum max-cosine curves); returns the key numbers, named
    ``<prefix>_<variant index>_<number>_...``, with ``<prefix>_inside`` of ``<prefix>_compared``
    numbers of the first variant (the code's reading) inside the seed spread.  A variant trained
    at other lengths or sizes than the authors' record (the smoke profile) is shown but not
    compared: its column says so, and it adds nothing to the counts."""
    from ..analysis.agreement import compare_samples

    def unlike(res: Any) -> str:
        """Why ``res`` cannot be compared with the authors' record ('' when it can)."""
        mine = (int(res.epochs[-1]), int(res.configs[0].n) if res.configs else None)
        nn = authors.get("config", {}).get("nn")
        their = (int(authors.get("epochs", mine[0])), mine[1] if nn is None else int(nn))
        if mine == their:
            return ""
        return f"not compared: {mine[0]} epochs on n = {mine[1]}, theirs {their[0]} on n = {their[1]}"

    theirs = {"initial min": [r["init_min"] for r in authors["runs"]],
              "final min": [r["final_min"] for r in authors["runs"]],
              "final median": [r["final_median"] for r in authors["runs"]],
              "final max": [r["final_max"] for r in authors["runs"]]}
    if all("final_loss_window_mean" in r for r in authors["runs"]):  # the loss as ours is logged
        theirs["final loss"] = [r["final_loss_window_mean"] for r in authors["runs"]]
    rows = ["| Number | authors' code | " + " | ".join(f"ours: {v} | Δ, Welch p" for v in ours) + " |",
            "|---|---|" + "---|---|" * len(ours)]
    numbers: dict[str, Any] = {}
    inside = compared = 0
    unlikes = {variant: unlike(res) for variant, res in ours.items()}
    for what, values in theirs.items():
        line = f"| {what} | {np.mean(values):.3f} ± {np.std(values, ddof=1):.3f} |"
        for k, (variant, res) in enumerate(ours.items()):
            mc = res.maxcos
            if what == "final loss":
                mine = res.loss[:, -1]
            elif what == "initial min":
                mine = mc[:, 0, 0]
            else:
                mine = mc[:, -1, ("final min", "final median", "final max").index(what)]
            c = compare_samples(mine, values)
            why = unlikes[variant]
            if k == 0 and not why:   # the counts are of the code's reading; other variants are ablations
                inside, compared = inside + c.within_spread, compared + 1
            mark = why or ("within the seed spread" if c.within_spread else "**outside the seed spread**")
            line += f" {c.ours_mean:.3f} ± {c.ours_std:.3f} | {c.diff:+.3f}, p = {c.p_value:.2f} ({mark}) |"
            slug = analysis.slug(f"{prefix} {k} {what}")
            numbers.update({f"{slug}_ours": c.ours_mean, f"{slug}_diff": c.diff,
                            f"{slug}_spread": "not measured against" if why else ("inside" if c.within_spread else "outside")})
        numbers[analysis.slug(f"{prefix} authors {what}")] = float(np.mean(values))
        rows.append(line)
    numbers.update({f"{prefix}_inside": inside, f"{prefix}_compared": compared})
    _markdown("\n".join(rows))
    if figure is not None:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
        curve = np.array([r["min_maxcos"] for r in authors["runs"]])
        ax.plot(authors["curve_epochs"], curve.mean(0), color="black", label="authors' code (mean of seeds)")
        ax.fill_between(authors["curve_epochs"], curve.min(0), curve.max(0), color="black", alpha=0.15, linewidth=0)
        for (variant, res), color in zip(ours.items(), ("C0", "C1", "C2")):
            y = res.maxcos[:, :, 0]
            ax.plot(res.epochs, y.mean(0), color=color, label=f"ours: {variant}")
            ax.fill_between(res.epochs, y.min(0), y.max(0), color=color, alpha=0.15, linewidth=0)
        ax.set_xlabel("Epoch")
        ax.set_ylabel("Minimum max-cosine")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
        save_figure(fig, figure, caption=caption or figure)
    return numbers
