"""The enhanced picture at the size of the original's large thumbnail, for galleries.

A gallery that shows FotoAI's version needs it at thumbnail size; shrinking the enhanced pixels
already in memory costs a resize and a small encode, where a later stage would decode the
enhanced JPEG again. The size is the one ingest gave `thumb_large` (read from the photo's own
rendition, not a setting of its own), so both thumbnails of a photo are interchangeable in a
layout. Resizing is OpenCV's area averaging, as for the analysis overview: 1920 to 1024 px in
6 ms where Pillow's Lanczos took 30 ms, 0.5 grey level apart on average.
"""

from __future__ import annotations

import cv2
import numpy as np


def fit_within(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """`size` (width, height) scaled down, never up, so its longest side is at most `max_side`."""
    width, height = size
    if max(width, height) <= max_side:
        return size
    scale = max_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def thumbnail_size(size: tuple[int, int], like: tuple[int, int]) -> tuple[int, int]:
    """The (width, height) of a thumbnail of a `size` picture that matches the photo's `like`
    thumbnail: exactly `like` when the picture shrinks to it up to rounding (the picture and the
    thumbnail were scaled from the same original by different factors), else the picture fitted
    within `like`'s longest side. Never larger than the picture."""
    fitted = fit_within(size, max(like))
    if abs(fitted[0] - like[0]) <= 1 and abs(fitted[1] - like[1]) <= 1 and like[0] <= size[0] and like[1] <= size[1]:
        return like
    return fitted


def shrink(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Pixels (H, W, C) area-averaged down to `size` (width, height); the same array when it
    already has that size."""
    if (rgb.shape[1], rgb.shape[0]) == size:
        return rgb
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
