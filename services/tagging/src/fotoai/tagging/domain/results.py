"""What an image model says about one picture, independent of which model said it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from fotoai.tagging.domain.calibration import ScoredLabel


@dataclass(frozen=True)
class ImageResult:
    """Tags and a unit-length (L2-normalised) float32 embedding."""

    tags: list[ScoredLabel]
    embedding: np.ndarray
