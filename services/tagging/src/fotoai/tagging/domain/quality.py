"""Photo quality measures and the flags derived from them: blurry, dark, overexposed, small.

Measures are taken on the analysis picture (longest side `imaging.ANALYSIS_SIDE`), so the
sharpness figure does not depend on the resolution of the rendition that was fetched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

# Edge sharpness = RMS(Laplacian) / RMS(gradient): second derivatives die faster than first
# ones under blur, and the ratio ignores brightness and contrast (a dark sharp photo is not
# blurry); RMS rather than mean so faint JPEG block noise does not pass for detail. Measured on
# scikit-image's and scikit-learn's photographs through JPEG: 0.65-1.05 as shot, 0.35-0.58
# after a Gaussian blur of sigma 1, 0.19-0.25 after sigma 2.5 (star fields and the Moon, with
# few strong edges to begin with, stay above 0.3 and go unflagged).
BLUR_EDGE_SHARPNESS = 0.3
DARK_MEAN = 0.2  # mean luminance in [0, 1]
DARK_SHADOW_FRACTION = 0.6  # share of pixels under 0.1 luminance
OVEREXPOSED_CLIPPED_FRACTION = 0.2  # share of pixels at or above 250/255
OVEREXPOSED_MEAN = 0.85
LOW_RES_SHORT_SIDE = 480
LOW_RES_MEGAPIXELS = 0.3
# A flat picture (a solid colour, a wall) has no edges to judge sharpness by.
FLAT_CONTRAST = 0.02


@dataclass(frozen=True)
class QualityReport:
    blurry: bool
    dark: bool
    overexposed: bool
    low_resolution: bool
    measures: dict[str, float] = field(default_factory=dict)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Rec. 709 luma of an RGB uint8 picture, in [0, 1] float32."""
    weights = np.asarray([0.2126, 0.7152, 0.0722], dtype=np.float32)
    return rgb.astype(np.float32) @ weights / 255.0


def assess_quality(rgb: np.ndarray, width: int, height: int) -> QualityReport:
    """Flags and measures for `rgb`, the analysis picture of a `width` x `height` photo."""
    luma = luminance(rgb)
    grey = luma * 255.0
    grey8 = np.clip(grey + 0.5, 0, 255).astype(np.uint8)
    laplacian = cv2.Laplacian(grey, cv2.CV_32F, ksize=3)
    gradient = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1))
    edge_sharpness = float(
        np.sqrt(np.mean(laplacian**2)) / max(float(np.sqrt(np.mean(gradient**2))), 1e-6)
    )
    brightness = float(luma.mean())
    contrast = float(luma.std())
    clipped = float((grey8 >= 250).mean())
    shadows = float((luma < 0.1).mean())
    megapixels = width * height / 1e6
    measures = {
        "sharpness": round(edge_sharpness, 4),
        "laplacian_variance": round(float(laplacian.var()), 2),
        "brightness": round(brightness, 4),
        "contrast": round(contrast, 4),
        "clipped_highlights": round(clipped, 4),
        "clipped_shadows": round(shadows, 4),
        "megapixels": round(megapixels, 3),
    }
    return QualityReport(
        blurry=contrast >= FLAT_CONTRAST and edge_sharpness < BLUR_EDGE_SHARPNESS,
        dark=brightness < DARK_MEAN or shadows > DARK_SHADOW_FRACTION,
        overexposed=clipped > OVEREXPOSED_CLIPPED_FRACTION or brightness > OVEREXPOSED_MEAN,
        low_resolution=min(width, height) < LOW_RES_SHORT_SIDE or megapixels < LOW_RES_MEGAPIXELS,
        measures=measures,
    )
