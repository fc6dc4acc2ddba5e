"""Contrast-limited adaptive histogram equalisation: the tile tables, shared by both backends.

The CPU path calls OpenCV's CLAHE; the torch path computes the tile histograms on its device and
builds the tables here with the same clipping and redistribution as OpenCV, so both agree.
"""

from __future__ import annotations

import numpy as np

GRID = 8  # tiles per side, OpenCV's default


def padded_size(h: int, w: int, grid: int = GRID) -> tuple[int, int]:
    """OpenCV pads the image (reflect-101) up to a multiple of the grid when it does not divide."""
    ph = h if h % grid == 0 else h + grid - h % grid
    pw = w if w % grid == 0 else w + grid - w % grid
    return ph, pw


def tile_luts(hists: np.ndarray, tile_area: int, clip_limit: float) -> np.ndarray:
    """(..., 256) tile histograms -> (..., 256) uint8 equalisation tables, OpenCV's algorithm."""
    hist = hists.astype(np.int64).copy()
    bins = hist.shape[-1]
    if clip_limit > 0:
        limit = max(int(clip_limit * tile_area / bins), 1)
        excess = np.maximum(hist - limit, 0)
        clipped = excess.sum(axis=-1, keepdims=True)
        hist = np.minimum(hist, limit)
        batch = clipped // bins
        hist += batch
        residual = (clipped - batch * bins)[..., 0]
        # OpenCV adds the residual one count at a time at a stride of bins // residual
        idx = np.arange(bins)
        step = np.maximum(bins // np.maximum(residual, 1), 1)
        extra = (idx % step[..., None] == 0) & (idx // step[..., None] < residual[..., None])
        hist += extra.astype(np.int64)
    cdf = np.cumsum(hist, axis=-1)
    scale = (bins - 1) / tile_area
    return np.clip(np.rint(cdf * np.float32(scale)), 0, 255).astype(np.uint8)
