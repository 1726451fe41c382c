"""On-disk cache of training results, keyed by the full configuration and the engine version.

A long run checkpoints itself (parameters, generator states and the curves so far) while it
trains, so an interrupted run resumes where it stopped.  Finished results are ``.npz`` files;
everything is written to a temporary name and moved into place.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch

from .config import TrainConfig
from .fileio import atomic_write
from .losses import nt_xent_kernel
from .train import Engine, TrainResult, resolve_device, train, use_compile

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
            compiled: bool = False) -> str:
    payload = {"engine": ENGINE_VERSION, "device": device.type, "dtype": str(dtype), "compiled": compiled,
               "configs": [c.to_dict() for c in configs]}
    kernels = sorted({method_kernel(c, device) for c in configs if c.method in METHOD_VERSIONS})
    if kernels:
        payload["kernel"] = kernels
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:24]


def method_kernel(c: TrainConfig, device: torch.device) -> str:
    """The version of ``c``'s method kernel, and for NT-Xent which kernel runs on ``device``."""
    version = METHOD_VERSIONS[c.method]
    if c.method == "cl":
        version += "-" + nt_xent_kernel(device, c.loss_form == "normalized")
    return version


def save_result(result: TrainResult, path: Path) -> None:
    def write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            np.savez_compressed(
                fh, epochs=result.epochs, loss=result.loss.astype(np.float32),
                maxcos=result.maxcos.astype(np.float32), final_weights=result.final_weights.astype(np.float32),
                dictionaries=result.dictionaries.astype(np.float32), wall_s=np.array(result.wall_s),
                configs=np.array(json.dumps([c.to_dict() for c in result.configs])))
    atomic_write(path, write)


def load_result(path: Path) -> TrainResult:
    with np.load(path) as z:
        configs = [TrainConfig(**c) for c in json.loads(str(z["configs"]))]
        return TrainResult(configs=configs, epochs=z["epochs"], loss=z["loss"].astype(np.float64),
                           maxcos=z["maxcos"].astype(np.float64), final_weights=z["final_weights"],
                           dictionaries=z["dictionaries"], wall_s=float(z["wall_s"]),
                           extra={"cached": str(path)})


def find_cached(configs: Sequence[TrainConfig], *, device: str = "auto", dtype: torch.dtype = torch.float32,
                compile: bool | str = "auto") -> TrainResult | None:
    """The cached (or shipped) result of :func:`cached_train` for ``configs``, or None: never trains."""
    configs = list(configs)
    key = run_key(configs, resolve_device(device), dtype, use_compile(configs, compile))
    for folder in (cache_dir(), shipped_dir()):
        if folder is not None and (folder / f"{key}.npz").exists():
            return load_result(folder / f"{key}.npz")
    return None


def cached_train(configs: TrainConfig | Sequence[TrainConfig], *, device: str = "auto",
                 dtype: torch.dtype = torch.float32, progress: bool | str = True,
                 use_cache: bool = True, checkpoint_every_s: float = 60.0,
                 compile: bool | str = "auto") -> TrainResult:
    """:func:`landscape.train.train` with a disk cache and resumable checkpoints."""
    if isinstance(configs, TrainConfig):
        configs = [configs]
    configs = list(configs)
    if not use_cache:
        return train(configs, device=device, dtype=dtype, progress=progress, compile=compile)
    found = find_cached(configs, device=device, dtype=dtype, compile=compile)
    if found is not None:
        return found
    compiled = use_compile(configs, compile)
    key = run_key(configs, resolve_device(device), dtype, compiled)
    final = cache_dir() / f"{key}.npz"
    partial = cache_dir() / f"{key}.partial.pt"
    resume = torch.load(partial, weights_only=False) if partial.exists() else None

    def checkpoint(engine: Engine, logs: dict[str, Any]) -> None:
        state = {"engine": engine.state_dict(), "logs": {k: list(v) for k, v in logs.items()}}
        atomic_write(partial, lambda tmp: torch.save(state, tmp))

    result = train(configs, device=device, dtype=dtype, progress=progress, checkpoint=checkpoint,
                   resume=resume, checkpoint_every_s=checkpoint_every_s, compile=compiled)
    save_result(result, final)
    if partial.exists():
        partial.unlink()
    return result
