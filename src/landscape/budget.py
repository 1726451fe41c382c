"""How much memory and time a training run needs, estimated before anything is allocated.

:func:`estimate` prices one batched training call (``R`` replicas sharing one configuration's
sizes) from the sizes alone, without building a tensor; :func:`check` refuses what cannot run on
this machine (more memory than it has, or longer than :data:`MAX_SECONDS`), naming the sizes that
set the cost; :func:`describe` words an estimate for a warning.

The time model was fitted to the wall times of the shipped paper-scale results
(``results/runs/``, two CPU cores): a fixed cost per SGD step, plus per replica a cost
proportional to the encoder's multiply-adds (batch x p x m), to the mask and data entries
(batch x p) and, for contrastive models, to the similarity matrix ((2 batch)^2 x m).  It predicts
those wall times within a factor of about two; it is a rough guide, not a promise (a GPU is
faster, a busy machine slower).
"""
from __future__ import annotations

import dataclasses
import math
import os
from typing import Any, Iterable, Sequence

#: Seconds per SGD step whatever the sizes (the Python and dispatch overhead of a step).
STEP_S = 6e-4
#: Seconds per replica and multiply-add of the encoder's layers in a step (forward and backward).
MATMUL_S = 1.8e-10
#: Seconds per replica and mask or data entry (batch x p) in a step.
ELEMENT_S = 2e-8
#: Seconds per replica and entry of the contrastive similarity matrix times m in a step.
SIMILARITY_S = 6e-11
#: Memory of the interpreter with torch loaded, before any tensor of the run.
BASE_BYTES = 600 * 2 ** 20
#: Longest run accepted (an estimate beyond it is a typo in a size, not a plan).
MAX_SECONDS = 365 * 24 * 3600.0
#: A run estimated to take longer than this is announced with its estimate.
WARN_SECONDS = 3600.0
#: What the time model was fitted on, for messages.
MACHINE = "2 CPU cores"


@dataclasses.dataclass(frozen=True)
class Estimate:
    """Peak memory (bytes) and wall time (seconds) of one or more training calls made one after
    another (memory: the largest call's; time: the sum), and what sets them."""

    memory: float
    seconds: float
    replicas: int = 0
    sizes: str = ""

    def then(self, other: "Estimate") -> "Estimate":
        """This call followed by ``other``: the larger peak memory, the summed time."""
        first, second = (self, other) if self.memory >= other.memory else (other, self)
        return Estimate(first.memory, self.seconds + other.seconds, max(self.replicas, other.replicas),
                        first.sizes or second.sizes)


NOTHING = Estimate(0.0, 0.0)


def _widths(c: Any) -> tuple[int, int]:
    """(neurons over all layers and heads, multiply-adds per sample of the encoder and heads)."""
    square = int(c.layers == 2) + int(bool(c.predictor or c.projector))   # m x m layers
    return c.m * (1 + square), c.p * c.m + square * c.m * c.m


def estimate(c: Any, replicas: int) -> Estimate:
    """Memory and time of training ``replicas`` replicas of configuration ``c`` together (a
    :class:`~landscape.config.TrainConfig`, or anything with its size fields)."""
    R = int(replicas)
    B = min(c.batch_size, c.n)
    batches = c.n // B if c.drop_last else math.ceil(c.n / B)
    logged = c.epochs // c.log_every + 2
    width, macs = _widths(c)
    cl = c.method == "cl"
    data = R * c.n * (c.p * 28 + c.d * 16 + 8)            # set-up in float64, stacked, float32, shuffled
    weights = R * (c.m * c.p + width * c.m + width) * 4 * 6  # both networks, gradients, updates
    step = R * B * (c.p * 24 + width * 40)                 # mask bits and views, activations
    similarity = R * (2 * B) ** 2 * 8 if cl else 0
    logs = logged * (R * 64 + 300)                         # the curves and the logged epochs
    memory = BASE_BYTES + data + weights + step + similarity + logs
    per_step = STEP_S + R * (MATMUL_S * B * macs + ELEMENT_S * B * c.p
                             + (SIMILARITY_S * (2 * B) ** 2 * c.m if cl else 0.0))
    seconds = float(c.epochs) * batches * per_step
    sizes = (f"{R} replica{'s' if R != 1 else ''} (runs x conditions) of n={c.n} samples, p={c.p}, "
             f"m={c.m}, batch_size={c.batch_size}, epochs={c.epochs} logged every {c.log_every} "
             f"({logged - 1} points)")
    return Estimate(float(memory), seconds, R, sizes)


def total(groups: Iterable[Sequence[Any]]) -> Estimate:
    """The estimate of batched training calls made one after another (each a list of configs)."""
    out = NOTHING
    for cfgs in groups:
        if cfgs:
            out = out.then(estimate(cfgs[0], len(cfgs)))
    return out


def machine_memory() -> int:
    """This machine's physical memory in bytes (``MemTotal`` of ``/proc/meminfo``, else sysconf)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not a POSIX system
        return 2 ** 40


def size(nbytes: float) -> str:
    """``1.5 GB``, ``300 MB``, ``2.1e+04 GB``."""
    gb = nbytes / 2 ** 30
    if gb >= 1e4:
        return f"{gb:.1e} GB"
    if gb >= 1:
        return f"{gb:.1f} GB"
    return f"{nbytes / 2 ** 20:.0f} MB"


def duration(seconds: float) -> str:
    """``40 s``, ``12 min``, ``3.1 h``, ``12 days``, ``3.0e+05 years``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.1f} h"
    days = seconds / 86400
    if days < 1000:
        return f"{days:.0f} days"
    years = days / 365.25
    return f"{years:.1e} years" if years >= 1e4 else f"{years:.0f} years"


def describe(est: Estimate) -> str:
    """``about 3.1 h and 1.2 GB of memory on 2 CPU cores (estimate)``."""
    return f"about {duration(est.seconds)} and {size(est.memory)} of memory on {MACHINE} (a rough estimate)"


def check(est: Estimate, what: str) -> None:
    """Raise ``ValueError`` when ``est`` needs more memory than this machine has, saying by how
    much, or more time than :data:`MAX_SECONDS`; ``what`` names the run in the message."""
    have = machine_memory()
    if est.memory > have:
        raise ValueError(f"{what} needs about {size(est.memory)} of memory, {size(est.memory - have)} more "
                         f"than this machine has ({size(have)}): {est.sizes}; lower one of these")
    if est.seconds > MAX_SECONDS:
        raise ValueError(f"{what} would take {duration(est.seconds)} on {MACHINE} (estimate; runs longer "
                         f"than {duration(MAX_SECONDS)} are refused): {est.sizes}; lower one of these")
