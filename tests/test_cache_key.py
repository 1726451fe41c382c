"""The cache key (``landscape.cache.run_key``) changes with everything that changes a result.

A stale key serves one model's numbers for another's; so every argument of the key is changed
one at a time and the key must change: every field of :class:`TrainConfig` (iterated from
``dataclasses.fields``, so that a field added later is covered without touching this file), the
device, the dtype, the compiled flag, the NT-Xent kernel name, the engine version, the number and
order of the replicas.  What must leave it unchanged: a kernel name where no NT-Xent runs, and
the fields added later (``LATER_FIELDS``) at their defaults, so that the keys of shipped results
stay valid (checked against every shipped result).
"""
from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from landscape import cache
from landscape.config import LATER_FIELDS, TrainConfig

CPU = torch.device("cpu")

#: Valid starting points, tried in turn: an alternative value of a field must be valid in one of
#: them (a projector needs the contrastive model, freeze_predictor a predictor, the identity
#: dictionary p = d, ...).
CONTEXTS = [TrainConfig(), TrainConfig(predictor=True), TrainConfig(method="cl"), TrainConfig(init="warm"),
            TrainConfig(method="cl", projector=True), TrainConfig(p=10, m=10)]


def _choices(name: str) -> list[str]:
    """A string field's valid values, from its own error message."""
    try:
        TrainConfig(**{name: "\x00not-a-choice"})
    except ValueError as exc:
        found = re.search(r"valid choices: (.*)$", str(exc))
        if found:
            return [s.strip() for s in found.group(1).split(",")]
    return []


def _candidates(name: str, value: Any) -> list[Any]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value * 2, value - 1]
    if isinstance(value, float):
        return [value * 0.5, value * 1.5, value + 0.1]
    if isinstance(value, str):
        return [v for v in _choices(name) if v != value]
    if value is None:
        return [0.1, 1, "x"]
    return []


def _alternatives() -> list[tuple[str, TrainConfig, TrainConfig]]:
    """For every field: (name, a valid configuration, the same with only that field changed)."""
    out = []
    for f in dataclasses.fields(TrainConfig):
        for base in CONTEXTS:
            value = getattr(base, f.name)
            alts = []
            for alt in _candidates(f.name, value):
                if alt == value:
                    continue
                try:
                    alts.append(base.replace(**{f.name: alt}))
                except ValueError:
                    continue
            if alts:
                out += [(f.name, base, a) for a in alts]
                break
        else:
            out.append((f.name, None, None))           # no valid alternative found: fails below
    return out


ALTERNATIVES = _alternatives()


def _key(cfgs, device=CPU, dtype=torch.float32, compiled=False, kernel="cpp") -> str:
    return cache.run_key(list(cfgs), device, dtype, compiled, kernel=kernel)


def test_every_field_has_an_alternative_value():
    """A field of a new type (or whose every other value is invalid here) must be given one."""
    missing = [name for name, base, alt in ALTERNATIVES if base is None]
    assert not missing, f"no valid alternative value for {missing}: extend _candidates or CONTEXTS"
    assert {name for name, *_ in ALTERNATIVES} == {f.name for f in dataclasses.fields(TrainConfig)}


@pytest.mark.parametrize("name, base, alt", ALTERNATIVES,
                         ids=[f"{n}={getattr(a, n, None)!r}" for n, _, a in ALTERNATIVES])
def test_changing_any_field_changes_the_key(name, base, alt):
    assert getattr(alt, name) != getattr(base, name)
    assert _key([alt]) != _key([base])
    assert alt.key() != base.key()
    # ... also as one replica of several
    other = base.replace(seed=base.seed + 7)
    assert _key([other, alt]) != _key([other, base])


@pytest.mark.parametrize("method", ["ncl", "cl", "simsiam"])
def test_device_dtype_compiled_and_engine_version_change_the_key(method, monkeypatch):
    cfgs = [TrainConfig(method=method, predictor=method == "simsiam")]
    base = _key(cfgs)
    variants = [_key(cfgs, device=torch.device("cuda")), _key(cfgs, dtype=torch.float64),
                _key(cfgs, dtype=torch.bfloat16), _key(cfgs, compiled=True)]
    monkeypatch.setattr(cache, "ENGINE_VERSION", cache.ENGINE_VERSION + "-next")
    variants.append(_key(cfgs))
    assert len({base, *variants}) == len(variants) + 1


def test_the_kernel_name_matters_only_where_nt_xent_runs():
    """Contrastive runs: "cpp" and "tiled" keys differ; the non-contrastive and SimSiam keys
    ignore the kernel (no NT-Xent runs in them)."""
    cl = [TrainConfig(method="cl")]
    assert _key(cl, kernel="cpp") != _key(cl, kernel="tiled")
    for c in (TrainConfig(), TrainConfig(method="simsiam", predictor=True)):
        assert _key([c], kernel="cpp") == _key([c], kernel="tiled") == _key([c], kernel=None)
    # a batch with a contrastive replica names its kernel whatever the first replica is
    assert _key([TrainConfig(method="cl", seed=1), TrainConfig(method="cl")], kernel="cpp") != \
        _key([TrainConfig(method="cl", seed=1), TrainConfig(method="cl")], kernel="tiled")


def test_the_replicas_their_number_and_order_change_the_key():
    a, b = TrainConfig(seed=1), TrainConfig(seed=2)
    keys = {_key([a]), _key([b]), _key([a, b]), _key([b, a]), _key([a, a])}
    assert len(keys) == 5


def test_later_fields_are_hashed_only_away_from_their_defaults():
    """``LATER_FIELDS`` at their defaults are left out of ``to_dict`` (the key of every earlier
    configuration is unchanged); any other value is hashed (covered per field above)."""
    c = TrainConfig(predictor=True)
    assert not set(LATER_FIELDS) & set(c.to_dict())
    assert all(getattr(c, name) == default for name, default in LATER_FIELDS.items())
    for name, default in LATER_FIELDS.items():
        alts = [alt for n, _, alt in ALTERNATIVES if n == name]
        assert alts and all(name in alt.to_dict() for alt in alts)
    assert set(TrainConfig().to_dict()) == {f.name for f in dataclasses.fields(TrainConfig)} - set(LATER_FIELDS)


def _shipped() -> list[Path]:
    return sorted((Path(__file__).resolve().parents[1] / "results" / "runs").glob("*.npz"))


def test_every_shipped_result_is_stored_under_a_key_run_key_still_gives():
    """Each shipped result's key is ``run_key`` of its stored configurations for some device,
    dtype, compiled flag and kernel: a field added without a ``LATER_FIELDS`` default (or any
    change to what the key hashes) would orphan every shipped result, and fails here."""
    files = _shipped()
    if not files:
        pytest.skip("no shipped results in this checkout")
    orphans = []
    for path in files:
        with np.load(path, allow_pickle=False) as z:
            key, configs = str(z["key"]), [TrainConfig(**c) for c in json.loads(str(z["configs"]))]
        possible = {cache.run_key(configs, torch.device(dev), dt, comp, kernel=kn)
                    for dev in ("cpu", "cuda") for dt in (torch.float32, torch.float64)
                    for comp in (False, True) for kn in ("cpp", "tiled")}
        if key not in possible:
            orphans.append(path.name)
    assert not orphans, f"shipped results no key reproduces: {orphans}"
