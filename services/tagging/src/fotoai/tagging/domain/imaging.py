"""Decoding rendition bytes and the numpy transforms that turn pixels into model input.

Decoding uses the JPEG decoder's DCT scaling (`Image.draft`) so a 1024-pixel thumbnail is
decoded straight at half size: the model never needs more than a few hundred pixels, and the
scaled decode costs about half a full decode. Downscaling uses OpenCV's area filter, which is
antialiased like Pillow's but two to three times faster (it runs once per photo on the CPU,
concurrently with inference, so its cost bounds throughput on a busy CPU).
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

# Longest side of the picture every analysis (model, faces, quality, colours) starts from.
ANALYSIS_SIDE = 512


class UndecodableImage(ValueError):
    """The rendition bytes are not a picture PIL can read."""


@dataclass(frozen=True)
class DecodedImage:
    """An RGB picture for analysis, with the size of the file it came from."""

    rgb: np.ndarray  # HxWx3 uint8, longest side <= the requested side
    source_width: int
    source_height: int


def decode_image(data: bytes, max_side: int = ANALYSIS_SIDE) -> DecodedImage:
    """Decode bytes to RGB with the longest side at most `max_side` (never upscaled)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            width, height = image.size
            scale = max_side / max(width, height)
            if scale < 1 and image.format == "JPEG":
                # draft keeps both sides >= the request, so ask for the aspect-true target.
                image.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
            image = ImageOps.exif_transpose(image)
            rgb = np.asarray(image.convert("RGB"))
    except (
        UnidentifiedImageError,
        OSError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        ValueError,
    ) as exc:
        raise UndecodableImage(str(exc)) from exc
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.size == 0:
        raise UndecodableImage(f"unexpected pixel layout {rgb.shape}")
    if max(rgb.shape[:2]) > max_side:
        rgb = fit_within(rgb, max_side)
    return DecodedImage(rgb=rgb, source_width=width, source_height=height)


def resize(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """Area filter to shrink (antialiased), bicubic to enlarge."""
    if (width, height) == (rgb.shape[1], rgb.shape[0]):
        return rgb
    shrinking = width * height < rgb.shape[0] * rgb.shape[1]
    return cv2.resize(
        rgb, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC
    )


def fit_within(rgb: np.ndarray, max_side: int) -> np.ndarray:
    """Scale so the longer side is `max_side`, keeping the aspect ratio."""
    height, width = rgb.shape[:2]
    scale = max_side / max(height, width)
    return resize(rgb, max(1, round(width * scale)), max(1, round(height * scale)))


def resize_short_side(rgb: np.ndarray, short_side: int) -> np.ndarray:
    """Scale so the shorter side equals `short_side`, keeping the aspect ratio."""
    height, width = rgb.shape[:2]
    scale = short_side / min(height, width)
    return resize(
        rgb, max(short_side, round(width * scale)), max(short_side, round(height * scale))
    )


def center_crop(rgb: np.ndarray, size: int) -> np.ndarray:
    """The central `size` x `size` square (the image must be at least that large)."""
    height, width = rgb.shape[:2]
    top = (height - size) // 2
    left = (width - size) // 2
    return rgb[top : top + size, left : left + size]


def to_chw_float(
    rgb: np.ndarray,
    mean: tuple[float, float, float],
    std: tuple[float, float, float],
    scale: float = 1 / 255,
) -> np.ndarray:
    """HWC uint8 → CHW float32, `(rgb * scale - mean) / std` per channel."""
    mean_arr = np.asarray(mean, dtype=np.float32).reshape(3, 1, 1)
    std_arr = np.asarray(std, dtype=np.float32).reshape(3, 1, 1)
    chw = np.ascontiguousarray(rgb.transpose(2, 0, 1), dtype=np.float32)
    chw *= scale
    chw -= mean_arr
    chw /= std_arr
    return chw


def square_model_input(
    rgb: np.ndarray,
    size: int,
    mean: tuple[float, float, float],
    std: tuple[float, float, float],
    resize_to: int | None = None,
    scale: float = 1 / 255,
) -> np.ndarray:
    """The usual classifier input: short side to `resize_to` (default `size`), centre crop."""
    resized = resize_short_side(rgb, resize_to or size)
    return to_chw_float(center_crop(resized, size), mean, std, scale)
