"""The per-channel tone curve: white balance, exposure and levels folded into one 256-entry LUT.

Folding the point-wise corrections into a table makes them cost one lookup per pixel on any
backend, and makes the CPU and torch paths agree exactly on this stage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np
from fotoai.enhance.domain.colour import linear_to_srgb, srgb_to_linear

if TYPE_CHECKING:
    from fotoai.enhance.domain.plan import Plan

_KNEE = 0.85


def _shoulder(v: np.ndarray) -> np.ndarray:
    """Identity below the knee, then a tanh roll-off that reaches 1 only asymptotically."""
    span = 1.0 - _KNEE
    return np.where(v <= _KNEE, v, _KNEE + span * np.tanh((v - _KNEE) / span))


def channel_luts(plan: Plan) -> np.ndarray:
    """(3, 256) float32 table: output value in [0, 255] for each input code of each channel."""
    codes = np.arange(256, dtype=np.float64) / 255.0
    lin = srgb_to_linear(codes)
    luts = np.empty((3, 256), dtype=np.float64)
    for c in range(3):
        v = lin * plan.wb_gains[c]
        if plan.exposure_ev < 0:
            g = 2.0**plan.exposure_ev
            v = np.clip(v, 0, 1)
            # rational curve: slope g in the shadows, yet white stays white, so clipped
            # highlights of an overexposed photo do not turn grey
            v = g * v / (1 + (g - 1) * v)
        else:
            v = v * 2.0**plan.exposure_ev
        if max(plan.wb_gains[c], 1.0) * 2.0 ** max(plan.exposure_ev, 0.0) > 1.0:
            v = _shoulder(v)
        s = linear_to_srgb(v)
        s = (s - plan.black) / max(plan.white - plan.black, 1e-3)
        luts[c] = np.clip(s, 0.0, 1.0) * 255.0
    return luts.astype(np.float32)


def apply_luts_u8(rgb: np.ndarray, luts: np.ndarray) -> np.ndarray:
    """Apply `channel_luts` to an 8-bit image, rounding the table to 8 bits first."""
    table = np.clip(np.rint(luts.T[None]), 0, 255).astype(np.uint8)
    return cv2.LUT(np.ascontiguousarray(rgb), np.ascontiguousarray(table))
