"""Every check of ``landscape.config.validate`` has a case that trips it, and only it.

Table-driven: each case is an otherwise valid configuration (``base``, checked to be valid), one
bad value (``bad``), the message it must raise (naming the parameter) and the check it targets.
Two meta-tests keep the table complete: the number of checks found in the source of
``validate``, ``_types`` and ``keep_probability`` (its ``raise`` statements and ``_choice`` calls)
is at most the number of distinct checks in the table, and every single check, deleted from the
source (a mutant), makes at least one case fail.

The second half covers the parameter registry of the pages without an experiment definition
(``landscape.page_knobs.PAGES``): every declared bound and choice list rejects the value just
outside it through ``validate_parameters`` (the command line's own check; ``test_bad_inputs.py``
runs a selection of these end to end through the command line) and accepts the bound itself.
"""
from __future__ import annotations

import ast
import contextlib
import functools
import inspect
import math
import re
import textwrap
import types
from typing import Any, Callable, Iterator

import pytest

from landscape import config, data, page_knobs
from landscape.companion import execute, parameters
from landscape.config import FLOAT32_MAX, SEED_LIMIT, TrainConfig

# (check, base: an otherwise valid configuration, bad: the one bad value, message regex)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], str]] = []


def case(check: str, bad: dict[str, Any], match: str, base: dict[str, Any] | None = None) -> None:
    CASES.append((check, base or {}, bad, match))


# ---- _types: booleans, integers, finite floats, the seed's range
for _f in config.BOOL_FIELDS:
    case("types: booleans are bool", {_f: "yes"}, rf"^{_f} must be True or False, got 'yes' \(str\)",
         base={"predictor": True} if _f in ("freeze_predictor", "predictor_bias") else None)
for _f in config.INT_FIELDS:
    case("types: integers are int", {_f: 2.0}, rf"^{_f} must be an integer, got 2.0 \(float\)")
for _f in config.FLOAT_FIELDS:
    case("types: floats are numbers", {_f: "0.5"}, rf"^{_f} must be a number, got '0.5' \(str\)")
    case("types: floats are finite", {_f: math.nan}, rf"^{_f} must be finite, got nan")
case("types: seed in [0, 2**32)", {"seed": -1}, r"^seed must be an integer in \[0, 2\*\*32\), got -1")
case("types: seed in [0, 2**32)", {"seed": SEED_LIMIT}, r"^seed must be an integer in \[0, 2\*\*32\)")

# ---- validate: one choice list per string field
CHOICES = ("latents", "noise", "dictionary", "augmentation", "mask_meaning", "method", "activation",
           "symrelu_form", "loss_form", "init", "warm_pick", "weight_norm", "metric_layer", "bias_init", "head_init",
           "weight_norm_scope")
for _f in CHOICES:
    case(f"choice: {_f}", {_f: "bogus"}, rf"^unknown {_f} 'bogus'; valid choices: ")

# ---- validate: sizes, ranges and combinations
for _f in ("p", "d", "m", "n", "epochs", "batch_size", "log_every"):
    case("positive integers", {_f: 0}, rf"^{_f} must be a positive integer, got 0")
case("positive integers", {"epochs": -5}, r"^epochs must be a positive integer, got -5")
case("p >= d", {"p": 9}, r"^p must be >= d .* got p=9 < d=10")
case("m >= d", {"m": 9}, r"^m must be >= d .* got m=9 < d=10")
case("identity dictionary: p == d", {"p": 12}, r"^dictionary 'identity' needs p == d, got p=12, d=10",
     base={"dictionary": "identity", "p": 10, "m": 10})
case("p_sparse in (0, 1]", {"p_sparse": 0.0}, r"^p_sparse must lie in \(0, 1\], got 0.0")
case("p_sparse in (0, 1]", {"p_sparse": 1.0000001}, r"^p_sparse must lie in \(0, 1\]")
case("keep_probability: masking_prob in (0, 1]", {"masking_prob": 0.0},
     r"^masking probability must lie in \(0, 1\], got 0.0")
case("keep_probability: masking_prob in (0, 1]", {"masking_prob": 1.5}, r"^masking probability must lie in \(0, 1\]")
case("keep_probability: 'drop' must keep something", {"masking_prob": 1.0},
     r"^masking probability 1.0 with meaning 'drop' keeps nothing", base={"mask_meaning": "drop"})
case("keep_probability: alpha >= 2^-32", {"masking_prob": 1e-12},
     r"^masking_prob 1e-12 \(mask_meaning 'keep'\) .* below 2\^-32")
case("lr in (0, float32 max]", {"lr": 0.0}, r"^lr must be positive and at most 3.4e\+38 \(float32\), got 0.0")
case("lr in (0, float32 max]", {"lr": -0.1}, r"^lr must be positive")
case("lr in (0, float32 max]", {"lr": FLOAT32_MAX * 1.0001}, r"^lr must be positive and at most 3.4e\+38")
case("weight_decay >= 0", {"weight_decay": -1e-9}, r"^weight_decay must be >= 0, got -1e-09")
case("temperature > 0", {"temperature": 0.0}, r"^temperature must be positive, got 0.0")
case("temperature > 0", {"temperature": -1.0}, r"^temperature must be positive")
case("layers in (1, 2)", {"layers": 3}, r"^layers must be 1 or 2, got 3")
case("layers in (1, 2)", {"layers": -1}, r"^layers must be 1 or 2, got -1")
case("warm start: one layer", {"layers": 2}, r"^a warm start is defined for a one-layer encoder only \(layers=1\)",
     base={"init": "warm"})
case("noise_std >= 0", {"noise_std": -0.01}, r"^noise_std must be >= 0, got -0.01")
case("warm_sigma >= 0", {"warm_sigma": -0.01}, r"^warm_sigma must be >= 0, got -0.01")
case("drop_last leaves a batch", {"batch_size": 101}, r"^batch_size 101 > n 100 with drop_last leaves no batch",
     base={"n": 100, "batch_size": 100, "drop_last": True})
case("ncl: no projector", {"projector": True}, r"^the projector belongs to the contrastive model",
     base={"method": "ncl"})
case("cl: no predictor", {"predictor": True}, r"^the contrastive model takes a projector, not a predictor",
     base={"method": "cl", "projector": True})
case("freeze_predictor needs a predictor", {"freeze_predictor": True}, r"^freeze_predictor needs predictor=True")
case("predictor_bias=False needs a predictor", {"predictor_bias": False}, r"^predictor_bias=False needs predictor=True")
case("simsiam: a predictor", {"method": "simsiam"}, r"^Simplified-SimSiam needs predictor=True")
case("simsiam: no projector", {"projector": True}, r"^Simplified-SimSiam has no projector",
     base={"method": "simsiam", "predictor": True})

#: validate's own predictor_bias type check sits behind _types, which rejects a non-bool first
#: with the same message: only reachable (and so only testable) with _types switched off.
TYPES_OFF = "validate: predictor_bias is a bool (behind _types)"
case(TYPES_OFF, {"predictor_bias": "yes"}, r"^predictor_bias must be True or False, got 'yes'",
     base={"predictor": True})

#: Boundary values every check must accept (an over-strict check fails here).
VALID = [
    dict(p=10, d=10, m=10), dict(dictionary="identity", p=10, m=10), dict(p_sparse=1.0),
    dict(latents="one_hot", p_sparse=0.0), dict(masking_prob=1.0), dict(masking_prob=1e-9),
    dict(masking_prob=1.0 - 1e-9, mask_meaning="drop"), dict(lr=FLOAT32_MAX), dict(lr=1e-300),
    dict(weight_decay=0.0), dict(temperature=1e-300), dict(layers=2), dict(init="warm", warm_sigma=0.0),
    dict(n=100, batch_size=100, drop_last=True), dict(n=100, batch_size=101), dict(seed=SEED_LIMIT - 1),
    dict(method="cl", projector=True), dict(predictor=True, freeze_predictor=True, predictor_bias=False),
    dict(method="simsiam", predictor=True), dict(warm_sigma=None), dict(noise_std=None), dict(noise_std=0.0), dict(epochs=1, batch_size=1, log_every=1),
]


def _ids() -> list[str]:
    return [f"{check} | {bad}" for check, _, bad, _ in CASES]


@contextlib.contextmanager
def _checks(validate: Callable | None = None, types_fn: Callable | None = None,
            keep: Callable | None = None) -> Iterator[None]:
    """Swap the functions TrainConfig's validation looks up in ``landscape.config``."""
    saved = config.validate, config._types, config.keep_probability
    config.validate = validate or saved[0]
    config._types = types_fn or saved[1]
    config.keep_probability = keep or saved[2]
    try:
        yield
    finally:
        config.validate, config._types, config.keep_probability = saved


def _bites(check: str, base: dict, bad: dict, match: str, **funcs: Callable) -> str | None:
    """None if the case raises its ValueError; otherwise what happened instead."""
    if check == TYPES_OFF:
        funcs = {**funcs, "types_fn": lambda c: None}
    with _checks(**funcs):
        try:
            TrainConfig(**{**base, **bad})
        except ValueError as exc:
            return None if re.search(match, str(exc)) else f"another message: {exc}"
        except Exception as exc:  # noqa: BLE001 - a crash is not the promised message
            return f"{type(exc).__name__}: {exc}"
    return "no error"


@pytest.mark.parametrize("check, base, bad, match", CASES, ids=_ids())
def test_each_bad_value_is_refused_naming_the_parameter(check, base, bad, match):
    if check != TYPES_OFF:
        TrainConfig(**base)                        # otherwise valid
    assert _bites(check, base, bad, match) is None, _bites(check, base, bad, match)


def test_replace_checks_as_construction_does():
    """``TrainConfig.replace`` runs the same checks as the constructor."""
    for check, base, bad, match in CASES:
        if check != TYPES_OFF:
            with pytest.raises(ValueError, match=match):
                TrainConfig(**base).replace(**bad)


@pytest.mark.parametrize("kwargs", VALID, ids=[str(v) for v in VALID])
def test_boundary_values_are_accepted(kwargs):
    TrainConfig(**kwargs)


# ============================================================================ the meta-tests
CHECKED_FUNCTIONS = (config.validate, config._types, data.keep_probability)
#: Calls that are checks in themselves (deleting the call deletes the check).
CHECK_CALLS = {"_choice", "_types", "keep_probability"}


def _check_sites(func: Callable) -> tuple[ast.Module, list[ast.stmt]]:
    """The function's checks: each ``if`` whose body raises, and each call of :data:`CHECK_CALLS`
    as a statement.  (``keep_probability``'s own ``_check_choice`` of the mask meaning is not
    one: validate's ``_choice("mask_meaning", ...)`` runs first, so through a TrainConfig it is
    unreachable.)"""
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    sites = []
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and any(isinstance(s, ast.Raise) for s in node.body):
            sites.append(node)
        elif (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
              and getattr(node.value.func, "id", None) in CHECK_CALLS):
            sites.append(node)
    return tree, sites


def _mutant(func: Callable, index: int) -> tuple[Callable, str]:
    """``func`` with its ``index``-th check replaced by ``pass``, in the module's own globals."""
    tree, sites = _check_sites(func)
    site = sites[index]
    text = ast.unparse(site).splitlines()[0]

    class Drop(ast.NodeTransformer):
        def generic_visit(self, node):
            super().generic_visit(node)
            return ast.copy_location(ast.Pass(), node) if node is site else node

    tree = ast.fix_missing_locations(Drop().visit(tree))
    code = compile(tree, inspect.getsourcefile(func), "exec", dont_inherit=True)
    fcode = next(c for c in code.co_consts if isinstance(c, types.CodeType) and c.co_name == func.__name__)
    return types.FunctionType(fcode, func.__globals__, func.__name__, func.__defaults__), text


def _all_sites() -> list[tuple[Callable, int]]:
    return [(f, i) for f in CHECKED_FUNCTIONS for i in range(len(_check_sites(f)[1]))]


def test_the_table_has_a_check_for_every_check_in_the_source():
    """A check added to validate (a new ``raise`` or ``_choice`` call) without a case fails here:
    the table must name at least as many distinct checks as the source has."""
    trees = [ast.parse(textwrap.dedent(inspect.getsource(f))) for f in CHECKED_FUNCTIONS]
    n_raises = sum(isinstance(node, ast.Raise) for tree in trees for node in ast.walk(tree))
    n_choices = sum(isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_choice"
                    for tree in trees for node in ast.walk(tree))
    assert n_raises >= 27 and n_choices >= 15            # what the source had when this table was written
    assert len({check for check, *_ in CASES}) >= n_raises + n_choices
    choices_in_source = {node.value.args[0].value for node in _check_sites(config.validate)[1]
                         if isinstance(node, ast.Expr) and node.value.func.id == "_choice"}
    assert choices_in_source == set(CHOICES)


@pytest.mark.parametrize("func, index", _all_sites(),
                         ids=[f"{f.__name__}#{i}" for f, i in _all_sites()])
def test_deleting_any_single_check_fails_a_case(func, index):
    """Mutation test: remove one check from the source; at least one case must then fail."""
    mutant, text = _mutant(func, index)
    where = {config.validate: "validate", config._types: "types_fn", data.keep_probability: "keep"}[func]
    failures = [c[0] for c in CASES if _bites(*c, **{where: mutant}) is not None]
    assert failures, f"no case notices the deletion of `{text}` from {func.__name__}"


# ============================================================================ page parameters
@functools.cache
def _declared(page: str) -> dict:
    return execute.declared_parameters(page)


def _outside(knob) -> list[tuple[str, Any]]:
    """The values just outside each bound and choice list of ``knob``, as (what, value)."""
    out: list[tuple[str, Any]] = []
    ints = knob.kind in ("int", "ints")
    if knob.low is not None:
        low = knob.low if knob.low_open else (knob.low - 1 if ints else math.nextafter(knob.low, -math.inf))
        out.append(("below", int(low) if ints else float(low)))
    if knob.high is not None:
        out.append(("above", int(knob.high) + 1 if ints else math.nextafter(float(knob.high), math.inf)))
    if knob.kind in ("floats", "ints"):
        out = [(what, [v]) for what, v in out] + [("empty", [])]
    if knob.choices:
        out.append(("unknown choice", "bogus"))
    if knob.kind == "bool":
        out.append(("not a bool", "yes"))
    return out


PAGE_CASES = [(page, key, what, value) for page, params in page_knobs.PAGES.items()
              for key, knob in params.knobs.items() for what, value in _outside(knob)]


def test_every_page_knob_has_a_bound_or_choice():
    knobs = [(page, key) for page, params in page_knobs.PAGES.items() for key in params.knobs]
    covered = {(page, key) for page, key, *_ in PAGE_CASES}
    assert covered == set(knobs)


@pytest.mark.parametrize("page, key, what, value", PAGE_CASES,
                         ids=[f"{p}.{k} {w}" for p, k, w, _ in PAGE_CASES])
def test_each_page_parameter_rejects_a_value_outside_its_declared_range(page, key, what, value):
    with pytest.raises(parameters.UsageError) as info:
        parameters.validate_parameters(page, "smoke", {key: value}, declared=_declared(page))
    message = str(info.value)
    assert message.startswith(f"{page}: ") and key in message, message


@pytest.mark.parametrize("page, key", [(p, k) for p, params in page_knobs.PAGES.items() for k in params.knobs],
                         ids=lambda v: str(v))
def test_each_page_parameter_accepts_its_bounds(page, key):
    """The bounds themselves (a closed bound, or the next number inside an open one) and every
    declared choice pass the knob's check."""
    knob = page_knobs.PAGES[page].knobs[key]
    ints = knob.kind in ("int", "ints")
    values = []
    if knob.low is not None:
        low = knob.low if not knob.low_open else (knob.low + 1 if ints else math.nextafter(knob.low, math.inf))
        values.append(int(low) if ints else float(low))
    if knob.high is not None:
        values.append(int(knob.high) if ints else float(knob.high))
    for v in values:
        knob.check([v] if knob.kind in ("floats", "ints") else v)
    for choice in knob.choices:
        assert knob.check(choice) == choice
    if knob.kind == "bool":
        assert knob.check(True) is True and knob.check(False) is False
