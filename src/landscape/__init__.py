"""landscape: reproducible companion to *Contrasting the landscape of contrastive and
non-contrastive learning* (Pokle, Tian, Li, Risteski, AISTATS 2022)."""
from __future__ import annotations

__version__ = "0.1.0"

from .config import TrainConfig  # noqa: E402
from .metrics import max_cosine, max_cosine_summary  # noqa: E402
from .train import TrainResult, TrainingDiverged, train  # noqa: E402

__all__ = ["TrainConfig", "TrainResult", "TrainingDiverged", "max_cosine", "max_cosine_summary", "train"]
