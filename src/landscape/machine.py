"""Where a training ran: the machine facts that can change its numbers in the last bits.

A stored result records one entry per stretch of its training (a first run, a resumed
checkpoint, a longer training continued from a kept state), so that two results of the same
parameters that differ in the last bits can be traced to the machines that trained them.
"""
from __future__ import annotations

import os
import platform
from functools import lru_cache
from typing import Any

import numpy as np
import torch


@lru_cache(maxsize=1)
def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``; else :func:`platform.processor`)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def machine(device: torch.device, threads: int) -> dict[str, Any]:
    """This machine as a training sees it: host, CPU model and the vector instructions torch's
    CPU kernels use (compiled kernels are generated for them), cores, the torch threads of the
    run, its device (and GPU name), and the versions of torch, numpy and Python."""
    out: dict[str, Any] = {
        "host": platform.node(), "cpu": cpu_model(), "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "cores": os.cpu_count(), "threads": int(threads), "device": device.type,
        "torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version()}
    if device.type == "cuda":
        out["gpu"] = torch.cuda.get_device_name(device)
    return out


def stretches(earlier: list[dict[str, Any]] | None, here: dict[str, Any]) -> list[dict[str, Any]]:
    """The machines of a training so far: ``earlier`` stretches (a checkpoint's or a kept
    state's) and this one, which is added unless the last stretch ran on the same machine."""
    out = list(earlier or [])
    if not out or out[-1] != here:
        out.append(here)
    return out
