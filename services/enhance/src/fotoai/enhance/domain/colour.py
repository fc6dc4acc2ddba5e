"""Colour maths shared by every stage: sRGB transfer curves and luma weights."""

from __future__ import annotations

import numpy as np

# Rec.601 luma on sRGB values: what JPEG's YCbCr uses, so the luma we sharpen and equalise is
# the same signal the encoder keeps at full resolution.
LUMA_WEIGHTS: tuple[float, float, float] = (0.299, 0.587, 0.114)


def srgb_to_linear(x: np.ndarray | float) -> np.ndarray:
    """sRGB-encoded values in [0, 1] to linear light."""
    x = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(y: np.ndarray | float) -> np.ndarray:
    """Linear light in [0, 1] to sRGB-encoded values."""
    y = np.clip(np.asarray(y, dtype=np.float64), 0.0, 1.0)
    return np.where(y <= 0.0031308, 12.92 * y, 1.055 * np.power(y, 1 / 2.4) - 0.055)


# 8-bit code value -> linear light, used by the analysis on every pixel of the overview.
LINEAR_OF_CODE: np.ndarray = srgb_to_linear(np.arange(256) / 255.0).astype(np.float32)


def luma(rgb: np.ndarray) -> np.ndarray:
    """Luma of an (..., 3) array, float32, in the input's scale."""
    r, g, b = LUMA_WEIGHTS
    f = rgb.astype(np.float32, copy=False)
    return f[..., 0] * r + f[..., 1] * g + f[..., 2] * b
