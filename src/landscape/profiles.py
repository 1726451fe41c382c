"""The two sizes every experiment comes in, and the devices it can train on.

``smoke``: toy scale, seconds on a CPU, a pipeline check and not a reproduction (the default of
every entry point); ``paper``: the paper's settings.
"""
from __future__ import annotations

PROFILES = ("smoke", "paper")
DEFAULT_PROFILE = "smoke"
PROFILE_HELP = ('"smoke" (seconds on a CPU: a pipeline check, not a reproduction) or "paper" '
                '(the paper\'s settings)')
DEVICES = ("auto", "cpu", "cuda")
DEVICE_HELP = '"auto" (a GPU if there is one), "cpu" or "cuda"'
