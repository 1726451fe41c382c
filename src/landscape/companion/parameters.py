"""A notebook's name and parameters, from the command line to validated values.

* ``NAME`` is a notebook (``figure-05``) or a friendly form of it (``figure-5``, ``fig5``,
  ``Figure 5``, ``tab2``, ``thm1``), or a paper section drawn by another notebook
  (``Figure 10`` -> ``figure-03``, ``Table 3`` -> ``table-1``): :func:`resolve_name`.
* A value is a Python literal (:func:`ast.literal_eval`, never ``eval``); anything it cannot read
  stays a string (``-p latents code``): :func:`parse_value`, the one parsing rule of every entry
  point.
* Names are checked against the notebook's declared parameters; types, ranges, impossible
  configurations (m < d) and sizes that cannot fit on this machine against the one registry of
  parameters: :meth:`landscape.experiments.Experiment.resolve` for a figure or table notebook,
  :data:`landscape.page_knobs.PAGES` for the theorem pages and the paper-vs-code page; all of it
  before anything runs: :func:`validate_parameters`.
* :func:`resolve` is the one place where a run's full parameter values (profile defaults plus
  overrides) are computed; the run folder records them.
"""
from __future__ import annotations

import ast
import difflib
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

from .. import experiments, page_knobs
from ..experiments import DEVICES, closest
from . import PROFILES
from . import execute as _execute


class UsageError(ValueError):
    """Bad input: an unknown notebook or parameter, a wrong type or an out-of-range value."""


_KINDS = {"fig": "figure", "figs": "figure", "figure": "figure", "figures": "figure",
          "tab": "table", "tabs": "table", "table": "table", "tables": "table",
          "th": "theorem", "thm": "theorem", "theorem": "theorem"}
_FRIENDLY = re.compile(r"^(fig|figs|figure|figures|tab|tabs|table|tables|th|thm|theorem)\.?"
                       r"[\s_\-.]*0*(\d+)$", re.IGNORECASE)
_NOTEBOOK = re.compile(r"^(figure|table|theorem)-0*(\d+)$")


def _sections() -> dict[str, str]:
    return dict(experiments.SECTIONS)


def _label(name: str) -> str | None:
    """``figure-05`` -> ``Figure 5``; None for a notebook not named after a section."""
    m = _NOTEBOOK.match(name)
    return f"{m.group(1).capitalize()} {int(m.group(2))}" if m else None


def resolve_name(text: str) -> str:
    """The notebook that ``text`` names (see the module docstring); :class:`UsageError` otherwise."""
    valid = _execute.list_notebooks()
    raw = str(text).strip()
    stem = Path(raw).name
    for ext in (".py", ".ipynb"):
        if stem.endswith(ext):
            stem = stem[: -len(ext)]
    if stem in valid:
        return stem
    m = _FRIENDLY.match(stem.strip())
    if m:
        kind, num = _KINDS[m.group(1).lower()], int(m.group(2))
        for name in valid:
            nm = _NOTEBOOK.match(name)
            if nm and nm.group(1) == kind and int(nm.group(2)) == num:
                return name
        section = f"{kind.capitalize()} {num}"
        sections = _sections()
        if section in sections and sections[section] in valid:
            return sections[section]
        raise UsageError(f"no notebook draws {section} (from {text!r}); valid names: "
                         f"{', '.join(valid)} (or a paper section such as "
                         f"{', '.join(sorted(sections, key=_section_order)[:3])})")
    hint = ""
    typo = re.match(r"^([A-Za-z]+)[\s_\-.]*0*(\d+)$", stem.strip())
    if typo:  # a misspelt kind with a number: 'figre-5' -> figure-05
        kind = difflib.get_close_matches(typo.group(1).lower(), list(_KINDS), n=1, cutoff=0.6)
        if kind:
            try:
                hint = f" (did you mean {resolve_name(f'{_KINDS[kind[0]]}-{typo.group(2)}')!r}?)"
            except UsageError:
                hint = ""
    if not hint:
        hint = closest(raw, valid + list(_sections()))
    raise UsageError(f"unknown notebook {text!r}{hint}; valid names: {', '.join(valid)}; "
                     "friendly forms such as fig5, 'Figure 10', tab2 or thm1 also work")


def _section_order(section: str) -> tuple[str, int]:
    kind, _, num = section.partition(" ")
    return kind, int(num) if num.isdigit() else 0


def parse_value(text: str) -> Any:
    """A command-line value: a Python literal (:func:`ast.literal_eval`), else the string itself."""
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def split_values(text: str) -> list[Any]:
    """``"0.1,0.2"`` -> ``[0.1, 0.2]``: split at top-level commas (not inside brackets or quotes)
    and parse each piece with :func:`parse_value`; ``"[0.1,0.2],[0.3]"`` -> two lists."""
    pieces, depth, quote, cur = [], 0, None, []
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            pieces.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    pieces.append("".join(cur))
    pieces = [p for p in (p.strip() for p in pieces) if p]
    if not pieces:
        raise UsageError(f"no values in {text!r}")
    return [parse_value(p) for p in pieces]


def jsonable(value: Any) -> Any:
    """Tuples as lists, recursively, and dictionary keys as strings (JSON's own types)."""
    if isinstance(value, tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def _conforms(value: Any, type_name: str) -> bool:
    """Whether ``value`` fits a ``# type:`` annotation of a parameters cell (unknown types pass)."""
    t = type_name.strip()
    if not t or t in ("object", "Any", "any"):
        return True
    if "|" in t and "[" not in t.split("|")[0]:
        return any(_conforms(value, part) for part in t.split("|"))
    if t in ("None", "NoneType"):
        return value is None
    if t == "bool":
        return isinstance(value, bool)
    if t == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "str":
        return isinstance(value, str)
    if t == "dict" or t.startswith("dict["):
        return isinstance(value, dict)
    m = re.match(r"^(list|tuple|sequence)\[(.+)\]$", t)
    if m:
        return isinstance(value, (list, tuple)) and all(_conforms(v, m.group(2)) for v in value)
    if t in ("list", "tuple", "sequence"):
        return isinstance(value, (list, tuple))
    return True


def _is_list_type(type_name: str) -> bool:
    return bool(re.match(r"^(list|tuple|sequence)(\[|$)", type_name.strip()))


def _type_of(info: Mapping[str, Any]) -> str:
    return str(info.get("type") or "object")


def _help_of(info: Mapping[str, Any]) -> str:
    """The help text of a declared parameter without its leading ``type:``."""
    text = str(info.get("help") or "")
    head, sep, rest = text.partition(":")
    if sep and head.strip() == _type_of(info):
        text = rest.strip()
    return text


def _coerce(value: Any, type_name: str) -> Any:
    """Small, safe conversions: a number where a list of numbers is expected becomes a
    one-element list; an int where a float is expected becomes a float."""
    if _is_list_type(type_name) and isinstance(value, (int, float)) and not isinstance(value, bool):
        return [value]
    if type_name.strip() == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def validate_parameters(name: str, profile: str, overrides: Mapping[str, Any],
                        declared: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Checked, normalised parameter values for notebook ``name`` (JSON-friendly: lists, not
    tuples).  Raises :class:`UsageError` naming the parameter, the closest valid name and every
    valid name; a wrong type; an out-of-range value; an impossible configuration (m < d); sizes
    whose memory or time this machine cannot give (:mod:`landscape.budget`)."""
    if profile not in PROFILES:
        hint = closest(str(profile), PROFILES)
        raise UsageError(f"unknown profile {profile!r}{hint}; valid profiles: {', '.join(PROFILES)}")
    declared = dict(declared if declared is not None else _execute.declared_parameters(name))
    settable = [k for k in declared if k != "profile"]
    for key in overrides:
        if key == "profile":
            raise UsageError("set the profile with --profile smoke|paper, not -p profile")
        if key not in declared:
            hint = closest(key, settable)
            raise UsageError(f"{name} has no parameter {key!r}{hint}; valid parameters: "
                             f"{', '.join(settable) or '(none)'}")
    out: dict[str, Any] = {}
    knobs: dict[str, Any] = {}
    exp = _experiment(name)
    page = page_knobs.PAGES.get(name) if exp is None else None
    for key, value in overrides.items():
        info = declared[key]
        type_name = _type_of(info)
        if key == "device":
            if value not in DEVICES:
                hint = closest(str(value), DEVICES)
                raise UsageError(f"unknown device {value!r}{hint}; valid devices: {', '.join(DEVICES)}")
            out[key] = value
            continue
        if exp is not None and key in exp.knob_names:
            knob = exp.knobs[key]
            knobs[key] = _coerce(value, knob.type_name) if value is not None else None
            continue
        default_none = str(info.get("default")).strip() == "None"
        if value is None and default_none:
            out[key] = None
            continue
        knob = page_knobs.knob(name, key)
        if knob is not None:
            out[key] = _check_knob(name, knob, value, default_none)
            continue
        value = _coerce(value, type_name)
        if not _conforms(value, type_name):
            raise UsageError(f"{name}: parameter {key} must be {type_name}"
                             f"{' or None' if default_none else ''}, got {value!r} "
                             f"({type(value).__name__}); {_help_of(info)}")
        out[key] = value
    if exp is not None:
        try:
            resolved = exp.resolve(profile, **knobs)
        except ValueError as exc:
            text = str(exc)
            raise UsageError(text if text.startswith(name) else f"{name}: {text}") from None
        for key, value in knobs.items():
            out[key] = None if value is None else resolved[key]
    if page is not None:
        _validate_page(page, profile, declared, out)
    return {k: jsonable(out[k]) for k in overrides}


def _check_knob(name: str, knob: experiments.Knob, value: Any, default_none: bool) -> Any:
    """``value`` checked by the registry's ``knob`` for a parameter of notebook ``name``."""
    try:
        return knob.check(_coerce(value, knob.type_name))
    except ValueError as exc:
        none = "; None takes the profile's value" if default_none else ""
        raise UsageError(f"{name}: {exc} ({knob.name}: {knob.help}{none})") from None


def _literal(text: Any) -> Any:
    try:
        return ast.literal_eval(str(text))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def _validate_page(page: page_knobs.PageParameters, profile: str,
                   declared: Mapping[str, Mapping[str, Any]], values: Mapping[str, Any]) -> None:
    """The checks of a page's parameters taken together (sizes that must agree, memory), on the
    notebook's defaults with ``values`` over them."""
    full = {k: _literal(info.get("default")) for k, info in declared.items()
            if k not in ("profile", "device") and k in page.knobs}
    full.update({k: v for k, v in values.items() if k in page.knobs})
    try:
        page.validate(profile, full)
    except ValueError as exc:
        raise UsageError(f"{page.name}: {exc}") from None


def _experiment(name: str):
    return experiments.EXPERIMENTS.get(name)


def resolve(name: str, profile: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """A run's full parameter values: the profile's defaults with ``params`` (validated
    overrides) over them; for a notebook without an experiment, its parameters cell's defaults."""
    exp = _experiment(name)
    if exp is None:
        declared = _execute.declared_parameters(name)
        out = {}
        for k, info in declared.items():
            try:
                out[k] = ast.literal_eval(str(info.get("default")))
            except (ValueError, SyntaxError):
                out[k] = info.get("default")
        out.update(params)
        out["profile"] = profile
        return jsonable(out)
    knob_values = {k: v for k, v in params.items() if k in exp.knob_names}
    return jsonable({"profile": profile, **{k: v for k, v in params.items() if k not in exp.knob_names},
                      **exp.resolve(profile, **knob_values)})


def training_groups(name: str, profile: str, params: Mapping[str, Any]) -> list[list[Any]]:
    """Every batched training call notebook ``name`` makes with validated ``params`` (every
    reading of an experiment; the paper-vs-code page's comparisons); empty for a page that does
    not train."""
    full = resolve(name, profile, params)
    exp = _experiment(name)
    if exp is not None:  # the page's own models (the text's, or under the authors' scripts), then the checks
        own = experiments.AUTHORS if full.get("reading") == "code" else "text"
        readings = [own] + [r for r in exp.readings if r != "text"]
        return [cfgs for reading in readings for cfgs in exp.configs(full, reading).values()]
    if name == "paper-vs-code":
        from .. import paper_vs_code

        return paper_vs_code.all_configs(profile, full.get("epochs"), full.get("seed", 0))
    return []


def _parameter_pairs(pairs: Sequence[Sequence[str]] | None) -> list[tuple[str, str]]:
    out, seen = [], set()
    for key, value in pairs or []:
        if key in seen:
            raise UsageError(f"parameter {key!r} given twice")
        seen.add(key)
        out.append((key, value))
    return out


def _prepare(name_text: str, profile: str, pairs, device: str | None) -> tuple[str, dict[str, Any]]:
    name = resolve_name(name_text)
    declared = _execute.declared_parameters(name)
    overrides = {k: parse_value(v) for k, v in _parameter_pairs(pairs)}
    if device is not None:
        if "device" in overrides:
            raise UsageError("give the device once: --device or -p device")
        if "device" in declared:
            overrides["device"] = device
        elif device != "auto":
            raise UsageError(f"{name} has no 'device' parameter (it does not train); drop --device")
    params = validate_parameters(name, profile, overrides, declared)
    if params.get("device") == "cuda":
        _require_cuda()
    return name, params


def _require_cuda() -> None:
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - torch is a dependency
        raise UsageError(f"device 'cuda' needs torch: {exc}") from None
    if not torch.cuda.is_available():
        raise UsageError("device 'cuda' requested but no CUDA GPU is available; "
                         "use --device auto or cpu")
