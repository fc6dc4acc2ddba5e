"""Neighbourhood and point filters of the CPU pipeline (numpy and OpenCV), on float32 [0, 255].

The torch pipeline implements the same formulas; keep the two in step when changing either.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from fotoai.enhance.domain.colour import LUMA_WEIGHTS

# Guided-filter settings of the denoiser: radius and eps multiplier for luma and for chroma.
# Chroma noise is the most visible and chroma carries little fine detail, so it is smoothed
# harder and wider.
LUMA_RADIUS, LUMA_K = 2, 2.0
CHROMA_RADIUS, CHROMA_K = 4, 3.0
DENOISE_HALO = 2 * max(LUMA_RADIUS, CHROMA_RADIUS)

# noise sigma of luma, Cb = B - Y and Cr = R - Y per unit of i.i.d. per-channel sigma
_R, _G, _B = LUMA_WEIGHTS
SIGMA_Y = math.sqrt(_R**2 + _G**2 + _B**2)
SIGMA_CB = math.sqrt(_R**2 + _G**2 + (1 - _B) ** 2)
SIGMA_CR = math.sqrt((1 - _R) ** 2 + _G**2 + _B**2)


def gaussian_kernel(sigma: float) -> np.ndarray:
    """1-D normalised Gaussian of radius ceil(3 sigma), float32."""
    radius = max(1, math.ceil(3 * sigma))
    return cv2.getGaussianKernel(2 * radius + 1, sigma, cv2.CV_32F).ravel()


def sharpen_halo(sigma: float) -> int:
    return max(1, math.ceil(3 * sigma))


# RGB -> (Y, Cb = B - Y, Cr = R - Y) and back, as 3x3 matrices for cv2.transform (one pass)
TO_YCC = np.array([[_R, _G, _B], [-_R, -_G, 1 - _B], [1 - _R, -_G, -_B]], dtype=np.float64)
FROM_YCC = np.linalg.inv(TO_YCC)


def to_ycc(f: np.ndarray) -> np.ndarray:
    return cv2.transform(f, TO_YCC.astype(np.float32))


def from_ycc(ycc: np.ndarray) -> np.ndarray:
    return cv2.transform(np.ascontiguousarray(ycc), FROM_YCC.astype(np.float32))


def _box(x: np.ndarray, r: int) -> np.ndarray:
    return cv2.boxFilter(x, -1, (2 * r + 1, 2 * r + 1), borderType=cv2.BORDER_REFLECT_101)


def guided_self(x: np.ndarray, r: int, eps: float) -> np.ndarray:
    """He et al.'s guided filter with the image as its own guide (edge-preserving smoothing)."""
    mean = _box(x, r)
    var = _box(x * x, r) - mean * mean
    a = var / (var + eps)
    b = mean - a * mean
    return _box(a, r) * x + _box(b, r)


def denoise(f: np.ndarray, sigma: float) -> np.ndarray:
    """Edge-preserving denoise of float RGB [0, 255] for per-channel noise `sigma` (levels)."""
    ycc = to_ycc(f)
    y = guided_self(np.ascontiguousarray(ycc[..., 0]), LUMA_RADIUS, (LUMA_K * SIGMA_Y * sigma) ** 2)
    chroma = np.ascontiguousarray(ycc[..., 1:])
    eps_c = (CHROMA_K * 0.5 * (SIGMA_CB + SIGMA_CR) * sigma) ** 2
    c = guided_self(chroma, CHROMA_RADIUS, eps_c)
    return from_ycc(np.concatenate([y[..., None], c], axis=-1))


def vibrance(f: np.ndarray, amount: float) -> np.ndarray:
    """Raise saturation, most where it is lowest, keeping luma."""
    # on contiguous channel planes: numpy's max/min over a length-3 last axis is ~20x slower
    r, g, b = cv2.split(np.ascontiguousarray(f, dtype=np.float32))
    y = r * np.float32(_R) + g * np.float32(_G) + b * np.float32(_B)
    mx = cv2.max(cv2.max(r, g), b)
    mn = cv2.min(cv2.min(r, g), b)
    gain = 1.0 + amount * (1.0 - (mx - mn) / np.maximum(mx, np.float32(1.0)))
    return cv2.merge([y + (c - y) * gain for c in (r, g, b)])


def unsharp_detail(y: np.ndarray, amount: float, sigma: float) -> np.ndarray:
    """The unsharp mask's offset of a float32 luma plane: `amount * (y - blur(y))`."""
    k = gaussian_kernel(sigma)
    blurred = cv2.sepFilter2D(y, -1, k, k, borderType=cv2.BORDER_REFLECT_101)
    return cv2.addWeighted(y, amount, blurred, -amount, 0.0)

