"""Helpers used inside the companion's notebooks.

- :func:`key_numbers` prints the numbers a notebook stands for (plain text, what nbval compares),
  glues them for the book's prose and writes ``key_numbers.json`` beside the executed notebook.
- :func:`save_figure` writes a figure as PNG, PDF and SVG with its provenance embedded.
- :func:`verdict` prints whether a claim of the paper holds in this run and records it in
  ``claims.json`` beside the executed notebook; :func:`read_claims` reads that file back and
  :func:`printed_claims` recovers the same records from an executed notebook's printed lines.
- :func:`glue` is :func:`myst_nb.glue` with ``display=False`` (and a no-op without myst-nb).

Environment variables (set by :func:`landscape.execute.execute`):

``LANDSCAPE_OUTPUT_DIR``
    where figures, ``key_numbers.json`` and ``claims.json`` go (default: ``figures/`` under the working directory
    for figures, nowhere for the JSON).
``LANDSCAPE_NOTEBOOK``
    the notebook's name, recorded in figure provenance.
"""
from __future__ import annotations

import json
import math
import numbers as _numbers
import os
import pathlib
import re
from typing import Any, Iterator, Mapping

from .fileio import write_bytes

OUTPUT_DIR_ENV = "LANDSCAPE_OUTPUT_DIR"
NOTEBOOK_ENV = "LANDSCAPE_NOTEBOOK"
FIGURE_FORMATS = ("png", "pdf", "svg")
CLAIMS_FILE = "claims.json"
CLAIM_PREFIX = "CLAIM"   # a verdict on a claim of the paper
CHECK_PREFIX = "CHECK"   # a verdict on a check that is not a claim of the paper
HOLDS, FAILS = "HOLDS", "DOES NOT HOLD"
# A printed paper-claim verdict: the claim is the text before the last ": HOLDS" / ": DOES NOT
# HOLD", the detail (optional) the text in parentheses after it.
_VERDICT_LINE = re.compile(rf"^{CLAIM_PREFIX} (?P<claim>.*): (?P<holds>{HOLDS}|{FAILS})"
                           r"(?: \((?P<detail>.*)\))?$")
_CLAIM_KEY_LINE = re.compile(r"^(?P<key>claim_\w+): (?P<value>True|False)$")

__all__ = ["key_numbers", "save_figure", "verdict", "read_claims", "printed_claims", "glue",
           "output_dir", "FIGURE_FORMATS", "CLAIMS_FILE"]


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


def key_numbers(numbers: Mapping[str, Any] | None = None, digits: int = 2, **kwargs: Any) -> None:
    """Print, glue and record the numbers a notebook stands for.

    Prints one ``name: value`` line per item in the given order (floats with ``digits`` decimals).
    This printed text is what nbval compares against the golden notebooks, so keep ``digits``
    well above the run-to-run noise, and call this last in a cell tagged ``nbval-check-output``.

    Each value is glued (``myst_nb.glue(name, value, display=False)``) *as printed* (floats
    rounded to ``digits``), so the book's prose shows the checked numbers and the glued outputs
    compare as exactly as the printed ones. If ``LANDSCAPE_OUTPUT_DIR`` is set, the full-precision
    values are written to ``key_numbers.json`` there.
    """
    items: dict[str, Any] = {}
    if numbers is not None:
        items.update(numbers)
    items.update(kwargs)
    plain = {str(k): _plain(v) for k, v in items.items()}
    lines = [f"{k}: {_format(v, digits)}" for k, v in plain.items()]
    print("\n".join(lines), flush=True)
    for k, v in plain.items():
        glue(k, _rounded(v, digits))
    out = output_dir()
    if out is not None:
        record = {k: (v if isinstance(v, (bool, int, float, str)) or v is None else str(v))
                  for k, v in plain.items()}
        # NaN / inf are not JSON; record them as strings.
        record = {k: (str(v) if isinstance(v, float) and not math.isfinite(v) else v)
                  for k, v in record.items()}
        write_bytes(out / "key_numbers.json", (json.dumps(record, indent=2) + "\n").encode())


def verdict(claim: str, holds: bool, detail: str = "", *, key: str | None = None,
            paper_claim: bool = True) -> str:
    """Print and return ``CLAIM <claim>: HOLDS (<detail>)`` or ``... DOES NOT HOLD (...)``.

    ``key`` names the claim's key number (``claim_...``), when it has one. ``paper_claim=False``
    marks a check that is not a claim of the paper: its line starts with ``CHECK`` instead of
    ``CLAIM``. If ``LANDSCAPE_OUTPUT_DIR`` is set, the verdict is also recorded in
    ``claims.json`` there (:func:`read_claims`); a claim recorded again replaces its entry.
    """
    holds = bool(holds)
    prefix = CLAIM_PREFIX if paper_claim else CHECK_PREFIX
    line = f"{prefix} {claim}: {HOLDS if holds else FAILS}"
    if detail:
        line += f" ({detail})"
    print(line, flush=True)
    out = output_dir()
    if out is not None:
        _record_claim(out / CLAIMS_FILE, {"claim": str(claim), "holds": holds, "detail": str(detail),
                                          "key": key, "paper_claim": bool(paper_claim)})
    return line


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


def _printed_lines(nb: Mapping[str, Any]) -> Iterator[str]:
    """Every line a notebook's code cells printed (stream outputs), in order."""
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if output.get("output_type") == "stream":
                text = output.get("text", "")
                yield from ("".join(text) if isinstance(text, list) else text).splitlines()


def printed_claims(nb: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The paper-claim verdicts an executed notebook printed, as :func:`read_claims` records.

    ``nb`` is the notebook (``nbformat`` node or its JSON). Each ``CLAIM ...`` line gives a
    record (a claim printed again replaces its entry; ``CHECK`` lines are not paper claims).
    The printed lines do not name their key: when the notebook printed as many ``claim_...``
    key numbers as claims, with the same truth values in the same order, those keys are taken
    for the claims' ``key`` (else ``key`` is None).
    """
    claims: dict[str, dict[str, Any]] = {}
    keys: list[tuple[str, bool]] = []
    for line in _printed_lines(nb):
        if m := _VERDICT_LINE.match(line):
            claims[m["claim"]] = {"claim": m["claim"], "holds": m["holds"] == HOLDS,
                                  "detail": m["detail"] or "", "key": None, "paper_claim": True}
        elif m := _CLAIM_KEY_LINE.match(line):
            keys.append((m["key"], m["value"] == "True"))
    records = list(claims.values())
    if len(keys) == len(records) and all(h == r["holds"] for (_, h), r in zip(keys, records)):
        for (k, _), r in zip(keys, records):
            r["key"] = k
    return records


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
                caption: str | None = None) -> dict[str, pathlib.Path]:
    """Save ``fig`` as ``{name}.png``, ``.pdf`` and ``.svg`` with its provenance embedded.

    Files go to ``LANDSCAPE_OUTPUT_DIR`` when set, else to ``figures/`` under the working
    directory. The provenance record (:func:`landscape.provenance.collect` with the notebook,
    ``params``, the figure name and ``caption``) is stored as JSON in each file's metadata
    (PNG ``Description``, PDF ``Subject``, SVG ``Description``). Each file is written to a
    temporary name and moved into place. Returns ``{"png": path, "pdf": path, "svg": path}``.
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
                        bbox_inches="tight", dpi=150 if fmt == "png" else "figure")
            path = out / f"{name}.{fmt}"
            write_bytes(path, buf.getvalue())
            paths[fmt] = path
    return paths
