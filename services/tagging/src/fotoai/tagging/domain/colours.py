"""Dominant colours of a picture, and plain colour names for the strongest of them.

OpenCV's k-means in CIE Lab on a 64-pixel thumbnail: Lab distances follow what
people see as different colours, and a fixed seed keeps a replay's answer identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import cv2
import numpy as np

SAMPLE_SIDE = 64
# Clusters closer than this in Lab (about a just-noticeable difference times a few) are merged.
MERGE_DELTA_E = 12.0

# Everyday colour names and a representative sRGB value, for tags such as "blue".
NAMED_COLOURS: dict[str, tuple[int, int, int]] = {
    "black": (20, 20, 20),
    "white": (240, 240, 240),
    "grey": (128, 128, 128),
    "red": (200, 30, 30),
    "orange": (240, 140, 20),
    "yellow": (240, 220, 40),
    "green": (40, 160, 50),
    "blue": (30, 80, 200),
    "purple": (130, 50, 160),
    "pink": (240, 150, 180),
    "brown": (120, 75, 40),
    "beige": (220, 200, 160),
    "teal": (20, 140, 140),
}


@dataclass(frozen=True)
class DominantColour:
    rgb: tuple[int, int, int]
    fraction: float

    @property
    def hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)


def _to_lab(rgb_pixels: np.ndarray) -> np.ndarray:
    """N x 3 uint8 sRGB → N x 3 float32 Lab (L in 0..100)."""
    as_image = rgb_pixels.reshape(-1, 1, 3).astype(np.float32) / 255.0
    return cv2.cvtColor(as_image, cv2.COLOR_RGB2Lab).reshape(-1, 3)


def _kmeans(points: np.ndarray, k: int, attempts: int = 1, seed: int = 0) -> np.ndarray:
    """Cluster labels of `points` by OpenCV's k-means (k-means++ start, fixed seed).

    OpenCV draws its k-means++ start from the calling thread's RNG: seeding it right before the
    call makes the answer the same on every run, whichever thread runs it.
    """
    k = max(1, min(k, len(np.unique(points, axis=0))))
    cv2.setRNGSeed(seed)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    _, labels, _ = cv2.kmeans(  # type: ignore[call-overload]  # the stubs refuse bestLabels=None
        np.ascontiguousarray(points, dtype=np.float32), k, None, criteria, attempts,
        cv2.KMEANS_PP_CENTERS,
    )
    return labels.ravel()


def dominant_colours(
    rgb: np.ndarray, k: int = 5, min_fraction: float = 0.03
) -> list[DominantColour]:
    """Up to `k` colours covering at least `min_fraction` each, largest share first."""
    small = cv2.resize(rgb, (SAMPLE_SIDE, SAMPLE_SIDE), interpolation=cv2.INTER_AREA)
    pixels = small.reshape(-1, 3)
    lab = _to_lab(pixels)
    labels = _kmeans(lab, k)
    groups = [(pixels[labels == j], lab[labels == j]) for j in np.unique(labels)]
    # Merge near-identical clusters so a flat picture reports one colour, not k shades of it.
    merged: list[tuple[np.ndarray, np.ndarray]] = []
    for px, lb in sorted(groups, key=lambda g: -len(g[0])):
        centre = lb.mean(axis=0)
        for i, (mpx, mlb) in enumerate(merged):
            if np.linalg.norm(mlb.mean(axis=0) - centre) < MERGE_DELTA_E:
                merged[i] = (np.concatenate([mpx, px]), np.concatenate([mlb, lb]))
                break
        else:
            merged.append((px, lb))
    total = len(pixels)
    colours = [
        DominantColour(
            rgb=cast(tuple[int, int, int], tuple(int(v) for v in np.median(px, axis=0).round())),
            fraction=len(px) / total,
        )
        for px, _ in merged
    ]
    colours = [c for c in colours if c.fraction >= min_fraction]
    return sorted(colours, key=lambda c: -c.fraction)


_NAMED_LAB = _to_lab(np.asarray(list(NAMED_COLOURS.values()), dtype=np.uint8))
_NAMES = list(NAMED_COLOURS)


def colour_name(rgb: tuple[int, int, int]) -> str:
    """The everyday name nearest to `rgb` in Lab."""
    lab = _to_lab(np.asarray([rgb], dtype=np.uint8))[0]
    return _NAMES[int(np.linalg.norm(_NAMED_LAB - lab, axis=1).argmin())]
