"""The plan applied at full resolution with numpy and OpenCV, in horizontal strips.

Memory stays bounded: besides the 8-bit input and output, only one strip (plus the halo its
filters need) is ever held in float32, and CLAHE works on the 8-bit luma plane.

Stages: (A) denoise (quantised) -> tone LUT -> vibrance, quantised; (B) CLAHE on luma, added to
every channel -> unsharp mask on luma. The torch path quantises at the same points, so the two
agree to a level almost everywhere.
"""

from __future__ import annotations

import cv2
import numpy as np
from fotoai.enhance.domain.clahe import GRID
from fotoai.enhance.domain.colour import LUMA_WEIGHTS, luma
from fotoai.enhance.domain.curves import channel_luts
from fotoai.enhance.domain.filters import (
    DENOISE_HALO,
    denoise,
    sharpen_halo,
    unsharp_detail,
    vibrance,
)
from fotoai.enhance.domain.plan import Plan


def quantise(f: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(f), 0, 255).astype(np.uint8)


def _strips(h: int, rows: int, halo: int):
    for y0 in range(0, h, rows):
        y1 = min(h, y0 + rows)
        a0, a1 = max(0, y0 - halo), min(h, y1 + halo)
        yield y0, y1, a0, a1


class CpuPipeline:
    """Applies a `Plan` to one 8-bit RGB image on the CPU."""

    device = "cpu"

    def __init__(self, strip_rows: int = 256) -> None:
        self.strip_rows = strip_rows

    def apply(self, rgb: np.ndarray, plan: Plan) -> np.ndarray:
        if plan.is_identity:
            return rgb.copy()
        out = self._stage_a(rgb, plan)
        if plan.clahe_strength or plan.sharpen_amount:
            out = self._stage_b(out, plan)
        return out

    def apply_batch(self, images: list[np.ndarray], plans: list[Plan]) -> list[np.ndarray]:
        return [self.apply(im, p) for im, p in zip(images, plans, strict=True)]

    def _stage_a(self, rgb: np.ndarray, plan: Plan) -> np.ndarray:
        if not (plan.denoise_sigma or plan.has_tone or plan.vibrance):
            return rgb.copy()
        luts = channel_luts(plan)
        # (1, 256, 3): cv2.LUT applies one table per channel and returns the table's depth
        float_table = np.ascontiguousarray(luts.T[None])
        u8_table = quantise(float_table)
        out = np.empty_like(rgb)
        halo = DENOISE_HALO if plan.denoise_sigma else 0
        for y0, y1, a0, a1 in _strips(rgb.shape[0], self.strip_rows, halo):
            if plan.denoise_sigma:
                part = quantise(
                    denoise(rgb[a0:a1].astype(np.float32), plan.denoise_sigma)[y0 - a0 : y1 - a0]
                )
            else:
                part = rgb[y0:y1]
            if plan.vibrance:
                out[y0:y1] = quantise(vibrance(cv2.LUT(part, float_table), plan.vibrance))
            else:
                out[y0:y1] = cv2.LUT(part, u8_table)
        return out

    def _stage_b(self, img: np.ndarray, plan: Plan) -> np.ndarray:
        # Both corrections add one luma offset to every channel, so the whole stage is worked out
        # on one float plane and added to the 8-bit picture once, saturating: a third of the
        # float work of carrying three channels through it (same pixels up to a rounding tie).
        delta = None
        if plan.clahe_strength:
            y = np.empty(img.shape[:2], dtype=np.uint8)
            for y0, y1, _, _ in _strips(img.shape[0], self.strip_rows, 0):
                # numpy's luma, as the torch path computes it: a rounding tie that went the other
                # way would move CLAHE's tables, and the result, by a few levels
                y[y0:y1] = quantise(luma(img[y0:y1]))
            clahe = cv2.createCLAHE(clipLimit=plan.clahe_clip, tileGridSize=(GRID, GRID))
            delta = cv2.subtract(clahe.apply(y), y, dtype=cv2.CV_16S)
        out = np.empty_like(img)
        halo = sharpen_halo(plan.sharpen_sigma) if plan.sharpen_amount else 0
        strength = np.float32(plan.clahe_strength)
        for y0, y1, a0, a1 in _strips(img.shape[0], self.strip_rows, halo):
            offset = None
            if delta is not None:
                offset = delta[a0:a1].astype(np.float32) * strength
            if plan.sharpen_amount:
                y = _luma_plane(img[a0:a1])
                if offset is not None:
                    y = y + offset  # luma weights sum to 1: the equalised picture's luma
                detail = unsharp_detail(y, plan.sharpen_amount, plan.sharpen_sigma)
                offset = detail if offset is None else offset + detail
            assert offset is not None
            part = offset[y0 - a0 : y1 - a0]
            out[y0:y1] = cv2.add(img[y0:y1], cv2.merge((part, part, part)), dtype=cv2.CV_8U)
        return out


_LUMA_ROW = np.asarray([LUMA_WEIGHTS], dtype=np.float32)  # cv2.transform: RGB -> luma


def _luma_plane(rgb: np.ndarray) -> np.ndarray:
    """Luma of 8-bit RGB as one float32 plane (one OpenCV pass)."""
    return cv2.transform(rgb.astype(np.float32), _LUMA_ROW)
