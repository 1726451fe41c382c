"""The two sizes every experiment comes in, the two readings of its settings, and the devices
it can train on.

``smoke``: toy scale, seconds on a CPU, a pipeline check and not a reproduction (the default of
every entry point); ``paper``: the paper's settings.

Readings: ``paper`` (the default) trains every model as the paper's text describes it; ``code``
trains it with every setting of the authors' script for that model
(:meth:`landscape.config.TrainConfig.code_reading`, :data:`landscape.experiments.AUTHORS`).
"""
from __future__ import annotations

PROFILES = ("smoke", "paper")
DEFAULT_PROFILE = "smoke"
PROFILE_HELP = ('"smoke" (seconds on a CPU: a pipeline check, not a reproduction) or "paper" '
                '(the paper\'s settings)')
DEVICES = ("auto", "cpu", "cuda")
DEVICE_HELP = '"auto" (a GPU if there is one), "cpu" or "cuda"'
READINGS = ("paper", "code")
DEFAULT_READING = "paper"
READING_HELP = ('"paper" (the text\'s settings) or "code" (every setting of the authors\' script '
                'for each model)')
