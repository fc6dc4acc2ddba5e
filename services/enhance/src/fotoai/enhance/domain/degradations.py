"""Known, reproducible degradations of a good photo, for measuring the enhancer against them.

Used by the quality benchmark and the unit tests. Exposure and colour casts act in linear light,
as a camera's exposure and illuminant do; noise is seeded, so every run sees the same pixels.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
from fotoai.enhance.domain.colour import linear_to_srgb, srgb_to_linear


def linear_gain(rgb: np.ndarray, gains: tuple[float, float, float]) -> np.ndarray:
    lin = srgb_to_linear(rgb / 255.0) * np.asarray(gains, dtype=np.float64)
    return np.clip(np.rint(linear_to_srgb(lin) * 255), 0, 255).astype(np.uint8)


def add_noise(rgb: np.ndarray, sigma: float, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(np.rint(rgb + rng.normal(0, sigma, rgb.shape)), 0, 255).astype(np.uint8)


def blur(rgb: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(rgb, (0, 0), sigma, borderType=cv2.BORDER_REFLECT_101)


def low_contrast(rgb: np.ndarray, k: float) -> np.ndarray:
    return np.clip(np.rint(127.5 + (rgb.astype(np.float64) - 127.5) * k), 0, 255).astype(np.uint8)


DEGRADATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "none": lambda im: im,
    "under_exposed_-1.5EV": lambda im: linear_gain(im, (2**-1.5,) * 3),
    "over_exposed_+1EV": lambda im: linear_gain(im, (2.0,) * 3),
    "cast_warm": lambda im: linear_gain(im, (1.2, 1.0, 0.65)),
    "cast_cool": lambda im: linear_gain(im, (0.75, 0.95, 1.3)),
    "noise_sigma15": lambda im: add_noise(im, 15.0),
    "blur_sigma1.5": lambda im: blur(im, 1.5),
    "low_contrast_x0.5": lambda im: low_contrast(im, 0.5),
}
