"""On-disk cache of training results, keyed by the full configuration and the engine version.

A long run checkpoints itself (parameters, generator states and the curves so far) while it
trains, so an interrupted run resumes where it stopped.  Processes sharing a cache train a key
once: the first holds its lock (``<key>.lock``) while the others wait and then read its result.
Finished results are ``.npz`` files; everything is written to a temporary name and moved into
place.

Every stored result carries its run key, the full configurations that produced it and a SHA-256
checksum of its contents; :func:`load_result` verifies all three.  A result that fails (a
truncated or foreign file, another model's result under this key, edited numbers) is never
reused: a cache entry is moved aside as ``<key>.npz.corrupt`` and trained again, with a warning
naming the file.  A fresh result is returned at the precision it is stored with, so the same call
gives the same numbers whether it trained or read the cache.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import warnings
import zipfile
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
import torch

from . import budget
from .config import TrainConfig
from .fileio import atomic_write
from .losses import nt_xent_kernel
from .machine import machine, stretches
from .train import Engine, TrainResult, cpu_threads, log_epochs, resolve_device, train, use_compile

# Bump when a change to the engine changes its numbers: old cache entries are then ignored.
ENGINE_VERSION = "1"
#: Versions of one method's kernel, bumped when only that method's numbers change (a change to
#: the NT-Xent kernel leaves the non-contrastive results valid).  "2": the tiled NT-Xent; "3":
#: the compiled CPU kernel, and the name of the kernel that runs joins the key.
METHOD_VERSIONS = {"cl": "3"}

#: Environment variables naming the cache folder and a read-only folder of shipped results
#: (the companion layer points them at the checkout's ``.cache/runs`` and ``results/runs``).
CACHE_ENV = "LANDSCAPE_CACHE_DIR"
SHIPPED_ENV = "LANDSCAPE_SHIPPED_DIR"


def cache_dir() -> Path:
    """Where results are cached: ``$LANDSCAPE_CACHE_DIR``, else the user's cache folder
    (``$XDG_CACHE_HOME/landscape/runs``, by default ``~/.cache/landscape/runs``)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "landscape" / "runs"


def shipped_dir() -> Path | None:
    """A read-only folder of results trained elsewhere (``$LANDSCAPE_SHIPPED_DIR``), or None."""
    value = os.environ.get(SHIPPED_ENV)
    return Path(value) if value else None


def run_key(configs: Sequence[TrainConfig], device: torch.device, dtype: torch.dtype,
            compiled: bool = False, kernel: str | None = None) -> str:
    """The cache key of a batched call; ``kernel`` names the NT-Xent kernel (default: the one
    that runs on ``device`` here)."""
    payload = {"engine": ENGINE_VERSION, "device": device.type, "dtype": str(dtype), "compiled": compiled,
               "configs": [c.to_dict() for c in configs]}
    kernels = sorted({method_kernel(c, device, kernel) for c in configs if c.method in METHOD_VERSIONS})
    if kernels:
        payload["kernel"] = kernels
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:24]


def method_kernel(c: TrainConfig, device: torch.device, kernel: str | None = None) -> str:
    """The version of ``c``'s method kernel, and for NT-Xent which kernel runs on ``device``
    (or ``kernel``)."""
    version = METHOD_VERSIONS[c.method]
    if c.method == "cl":
        version += "-" + (kernel or nt_xent_kernel(device, c.loss_form == "normalized"))
    return version


class CorruptResult(ValueError):
    """A stored result that cannot be trusted: unreadable, or not what its key promises."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"stored training result {path}: {reason}")
        self.path, self.reason = Path(path), reason


#: What a stored result holds, in the order its checksum covers them.
STORED_FIELDS = ("key", "configs", "epochs", "loss", "maxcos", "final_weights", "dictionaries", "wall_s")
#: Held by results stored from 2026-12-03 on (older ones lack it), covered by the checksum when
#: present: ``trained_on``, the machines of the training's stretches (:mod:`landscape.machine`).
OPTIONAL_FIELDS = ("trained_on",)


def _stored_arrays(result: TrainResult, key: str) -> dict[str, np.ndarray]:
    return {"key": np.array(key), "configs": np.array(json.dumps([c.to_dict() for c in result.configs])),
            "epochs": np.asarray(result.epochs), "loss": result.loss.astype(np.float32),
            "maxcos": result.maxcos.astype(np.float32),
            "final_weights": result.final_weights.astype(np.float32),
            "dictionaries": result.dictionaries.astype(np.float32), "wall_s": np.array(result.wall_s),
            **({"trained_on": np.array(json.dumps(result.extra["trained_on"]))} if "trained_on" in result.extra else {})}


def checksum(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 over each stored field's name, dtype, shape and bytes, in :data:`STORED_FIELDS` order
    (then the :data:`OPTIONAL_FIELDS` present)."""
    h = hashlib.sha256()
    for name in (*STORED_FIELDS, *(f for f in OPTIONAL_FIELDS if f in arrays)):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}:{a.dtype.str}:{a.shape}".encode() + b"\0" + a.tobytes() + b"\0")
    return h.hexdigest()


def save_result(result: TrainResult, path: Path, key: str | None = None) -> None:
    """Write ``result`` (float32 curves and weights), its key, configurations, the machines it
    trained on (``result.extra["trained_on"]``, when given) and checksum."""
    arrays = _stored_arrays(result, key or Path(path).stem)
    arrays["checksum"] = np.array(checksum(arrays))

    def write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)
    atomic_write(path, write)


def _result(arrays: dict[str, np.ndarray], configs: list[TrainConfig], extra: dict[str, Any]) -> TrainResult:
    return TrainResult(configs=configs, epochs=arrays["epochs"], loss=arrays["loss"].astype(np.float64),
                       maxcos=arrays["maxcos"].astype(np.float64), final_weights=arrays["final_weights"],
                       dictionaries=arrays["dictionaries"], wall_s=float(arrays["wall_s"]),
                       extra={**extra, **({"trained_on": json.loads(str(arrays["trained_on"]))}
                                          if "trained_on" in arrays else {})})


def load_result(path: Path | str, configs: Sequence[TrainConfig] | None = None,
                key: str | None = None) -> TrainResult:
    """Read a stored result and verify it: readable, every field present, checksum intact, and
    (when given) stored under ``key`` for exactly ``configs``. Raises :class:`CorruptResult`."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {name: z[name] for name in z.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        raise CorruptResult(path, f"unreadable ({type(exc).__name__}: {exc})") from None
    missing = [f for f in (*STORED_FIELDS, "checksum") if f not in arrays]
    if missing:
        raise CorruptResult(path, f"missing {', '.join(missing)} (written by an older version, or not a result)")
    if str(arrays["checksum"]) != checksum(arrays):
        raise CorruptResult(path, "checksum mismatch: its contents were changed after it was written")
    if key is not None and str(arrays["key"]) != key:
        raise CorruptResult(path, f"stored under key {str(arrays['key'])}, not {key}")
    try:
        stored = [TrainConfig(**c) for c in json.loads(str(arrays["configs"]))]
    except (ValueError, TypeError) as exc:
        raise CorruptResult(path, f"unreadable configurations ({exc})") from None
    if configs is not None and [c.to_dict() for c in stored] != [c.to_dict() for c in configs]:
        raise CorruptResult(path, "it holds the result of other configurations than the ones requested")
    return _result(arrays, stored, {"cached": str(path)})


def as_stored(result: TrainResult) -> TrainResult:
    """``result`` at the precision a stored result has (float32 curves and weights, read back as
    float64 curves), so that fresh and cached results give the same numbers."""
    arrays = _stored_arrays(result, "")
    return _result(arrays, list(result.configs), dict(result.extra))


@contextlib.contextmanager
def _training_lock(key: str) -> Iterator[None]:
    """Hold the cache's lock for ``key`` (``<key>.lock``, an exclusive ``flock``): two processes
    sharing a cache (sweep workers whose points share a model) train a key once, one after the
    other, instead of both writing and reading its checkpoint at the same time.  Where ``fcntl``
    is missing (not POSIX) there is no lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - POSIX only
        yield
        return
    cache_dir().mkdir(parents=True, exist_ok=True)
    with open(cache_dir() / f"{key}.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _set_aside(path: Path) -> Path:
    """Move a corrupt cache entry to ``<name>.corrupt`` (replacing an older one)."""
    target = path.with_name(path.name + ".corrupt")
    os.replace(path, target)
    return target


def find_cached(configs: Sequence[TrainConfig], *, device: str = "auto", dtype: torch.dtype = torch.float32,
                compile: bool | str = "auto") -> TrainResult | None:
    """The cached (or shipped) result of :func:`cached_train` for ``configs``, verified, or None:
    never trains. A corrupt cache entry is set aside (warning); a corrupt shipped one is skipped
    (warning). A contrastive result shipped from the compiled NT-Xent kernel is used on a machine
    that runs the PyTorch form (its numbers differ in the last bits; ``extra["kernel"]`` says so)."""
    configs = list(configs)
    dev, compiled = resolve_device(device), use_compile(configs, compile)
    key = run_key(configs, dev, dtype, compiled)
    shipped_keys = [key]
    if any(c.method == "cl" for c in configs):
        shipped_keys += [k for k in (run_key(configs, dev, dtype, compiled, kernel=kn) for kn in ("cpp", "tiled"))
                         if k not in shipped_keys]
    for folder, keys in ((cache_dir(), [key]), (shipped_dir(), shipped_keys)):
        for k in keys if folder is not None else ():
            path = folder / f"{k}.npz"
            if not path.exists():
                continue
            try:
                result = load_result(path, configs, k)
            except CorruptResult as exc:
                if folder == cache_dir():
                    warnings.warn(f"{exc}; set aside as {_set_aside(path)} and trained again", stacklevel=2)
                else:
                    warnings.warn(f"{exc}; not used", stacklevel=2)
                continue
            if k != key:
                result.extra["kernel"] = f"shipped from another NT-Xent kernel (key {k})"
            return result
    return None


def is_stored(configs: Sequence[TrainConfig], *, device: str = "auto", dtype: torch.dtype = torch.float32,
              compile: bool | str = "auto") -> bool:
    """Whether a result for ``configs`` is in the cache or among the shipped results (a file
    under its key, with any NT-Xent kernel's name; not verified, nothing trained or built): a
    quick look for estimates, :func:`find_cached` is the one that reads and verifies."""
    configs = list(configs)
    dev, compiled = resolve_device(device), use_compile(configs, compile)
    keys = {run_key(configs, dev, dtype, compiled, kernel=kn) for kn in ("cpp", "tiled")}
    folders = [f for f in (cache_dir(), shipped_dir()) if f is not None]
    return any((folder / f"{k}.npz").exists() for folder in folders for k in keys)


class TrainingNotStored(UserWarning):
    """A result is neither cached nor shipped and must be trained (the science never prints: the
    announcement is a warning, shown on stderr by Python's default filter)."""


#: Training expected to take at least this long (seconds) is announced before it starts.
ANNOUNCE_SECONDS = 60.0


def announce(configs: Sequence[TrainConfig], key: str, progress: bool | str = True,
             resume: dict[str, Any] | None = None) -> None:
    """Warn (:class:`TrainingNotStored`), before it starts, that a result must be trained because it is neither
    cached nor shipped, with the estimated time (:mod:`landscape.budget`), when that is at least
    :data:`ANNOUNCE_SECONDS`."""
    c = configs[0]
    left = c.epochs - (resume or {}).get("engine", {}).get("epoch", 0) if resume else c.epochs
    est = budget.estimate(c.replace(epochs=max(1, left)), len(configs))
    if est.seconds < ANNOUNCE_SECONDS:
        return
    what = progress if isinstance(progress, str) else f"{c.method} model"
    where = f"the training cache ({cache_dir()})" + (f" nor among the shipped results ({shipped_dir()})"
                                                     if shipped_dir() is not None else "")
    again = f", resuming at epoch {c.epochs - left}" if resume else ""
    warnings.warn(f"{what}: not in {where} (key {key}): training {len(configs)} replica(s) for "
                  f"{c.epochs} epochs{again}, {budget.describe(est)}", TrainingNotStored, stacklevel=4)


def continues(configs: Sequence[TrainConfig], shorter: Sequence[TrainConfig]) -> bool:
    """Whether ``configs`` are ``shorter``'s runs trained longer, so that a training of them can
    continue from ``shorter``'s final state: the same runs but for more epochs, and ``shorter``'s
    last logged epoch is one of theirs (its epochs a multiple of ``log_every``)."""
    return (len(configs) == len(shorter) > 0
            and all(c.replace(epochs=s.epochs) == s for c, s in zip(configs, shorter))
            and shorter[0].epochs < configs[0].epochs and shorter[0].epochs % shorter[0].log_every == 0)


def _state_path(key: str) -> Path:
    """Where a training's kept final state lies (``cached_train(keep_state=True)``)."""
    return cache_dir() / f"{key}.state.pt"


def _final_state(shorter: Sequence[TrainConfig], configs: Sequence[TrainConfig], device: str,
                 dtype: torch.dtype, compile: bool | str) -> dict[str, Any] | None:
    """``shorter``'s kept final state to continue ``configs`` from, if there is a usable one."""
    if not continues(configs, shorter) or use_compile(shorter, compile) != use_compile(configs, compile):
        return None
    path = _state_path(run_key(shorter, resolve_device(device), dtype, use_compile(shorter, compile)))
    if not path.exists():
        return None
    try:
        state = torch.load(path, weights_only=False)
        ok = state["engine"]["epoch"] == shorter[0].epochs and len(state["logs"]["maxcos"]) == len(
            log_epochs(shorter[0].epochs, shorter[0].log_every))
    except Exception as exc:  # noqa: BLE001 - any unreadable state: train from the start
        ok, why = False, f"unreadable ({type(exc).__name__})"
    else:
        why = "not at the end of its training"
    if not ok:
        warnings.warn(f"final state {path} is {why}; set aside as {_set_aside(path)}, the longer training "
                      "starts from the beginning", stacklevel=4)
        return None
    return {**state, "wall_s": 0.0}


def cached_train(configs: TrainConfig | Sequence[TrainConfig], *, device: str = "auto",
                 dtype: torch.dtype = torch.float32, progress: bool | str = True,
                 use_cache: bool = True, checkpoint_every_s: float = 60.0,
                 compile: bool | str = "auto", keep_state: bool = False,
                 start_from: Sequence[TrainConfig] | None = None) -> TrainResult:
    """:func:`landscape.train.train` with a disk cache and resumable checkpoints.

    ``keep_state`` keeps the final state of the training (``<key>.state.pt`` in the cache, not
    shipped).  ``start_from``: the same runs for fewer epochs (:func:`continues`); when their kept
    final state is there, the training continues from it instead of starting again (the same
    numbers: the first epochs of a longer training are the shorter one's), and the result's
    ``wall_s`` counts only the continuation."""
    if isinstance(configs, TrainConfig):
        configs = [configs]
    configs = list(configs)
    if not use_cache:
        return as_stored(train(configs, device=device, dtype=dtype, progress=progress, compile=compile))
    found = find_cached(configs, device=device, dtype=dtype, compile=compile)
    if found is not None:
        return found
    compiled = use_compile(configs, compile)
    key = run_key(configs, resolve_device(device), dtype, compiled)
    with _training_lock(key):       # another process may be training this key: wait, then look again
        found = find_cached(configs, device=device, dtype=dtype, compile=compile)
        return found if found is not None else _train_into_cache(
            configs, key, compiled, device=device, dtype=dtype, progress=progress,
            checkpoint_every_s=checkpoint_every_s, compile=compile, keep_state=keep_state, start_from=start_from)


def _train_into_cache(configs: list[TrainConfig], key: str, compiled: bool, *, device: str, dtype: torch.dtype,
                      progress: bool | str, checkpoint_every_s: float, compile: bool | str, keep_state: bool,
                      start_from: Sequence[TrainConfig] | None) -> TrainResult:
    """The training of :func:`cached_train` under its key's lock: resume a checkpoint or continue a
    kept final state, train, store the result (and the final state when ``keep_state``)."""
    final = cache_dir() / f"{key}.npz"
    partial = cache_dir() / f"{key}.partial.pt"
    resume = None
    if partial.exists():
        try:
            resume = torch.load(partial, weights_only=False)
        except Exception as exc:  # noqa: BLE001 - any unreadable checkpoint: start again
            warnings.warn(f"checkpoint {partial} is unreadable ({type(exc).__name__}); set aside as "
                          f"{_set_aside(partial)}, training starts again", stacklevel=3)
    if resume is None and start_from is not None:
        resume = _final_state(list(start_from), configs, device, dtype, compile)
    announce(configs, key, progress, resume)
    dev = resolve_device(device)
    threads = cpu_threads(configs, dev)          # the run's threads, as recorded
    trained_on = stretches((resume or {}).get("trained_on"), machine(dev, threads))

    def checkpoint(engine: Engine, logs: dict[str, Any], wall_s: float) -> None:
        if engine.epoch >= configs[0].epochs and not keep_state:
            return                               # the final state: kept only when asked
        state = {"engine": engine.state_dict(), "logs": {k: list(v) for k, v in logs.items()}, "wall_s": wall_s,
                 "trained_on": trained_on}
        atomic_write(partial, lambda tmp: torch.save(state, tmp))

    result = train(configs, device=device, dtype=dtype, progress=progress, checkpoint=checkpoint,
                   resume=resume, checkpoint_every_s=checkpoint_every_s, compile=compiled, threads=threads)
    result.extra["trained_on"] = trained_on
    save_result(result, final, key)
    if partial.exists():
        if keep_state:
            partial.replace(_state_path(key))
        else:
            partial.unlink()
    return as_stored(result)
