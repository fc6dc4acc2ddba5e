"""Quality flags on real photographs, and on copies made dark, blurred or overexposed here."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from fotoai.tagging.domain.imaging import decode_image
from fotoai.tagging.domain.quality import assess_quality
from skimage import data as skdata

from .conftest import jpeg_bytes

PHOTOS = ["astronaut", "coffee", "chelsea", "camera", "rocket", "coins"]


def photo(name: str) -> np.ndarray:
    rgb = getattr(skdata, name)()
    return np.stack([rgb] * 3, axis=-1) if rgb.ndim == 2 else rgb


def analysed(rgb: np.ndarray, width: int = 4000, height: int = 3000):
    # Through JPEG and the decoder, as the service sees a rendition.
    return assess_quality(decode_image(jpeg_bytes(rgb)).rgb, width, height)


@pytest.mark.parametrize("name", PHOTOS)
def test_photographs_as_shot_raise_no_flag(name: str) -> None:
    report = analysed(photo(name))
    assert not (report.blurry or report.dark or report.overexposed or report.low_resolution)
    assert report.measures["sharpness"] > 0.5


@pytest.mark.parametrize("name", PHOTOS)
def test_a_gaussian_blur_makes_them_blurry(name: str) -> None:
    report = analysed(cv2.GaussianBlur(photo(name), (0, 0), 2.5))
    assert report.blurry
    assert not report.dark


@pytest.mark.parametrize("name", PHOTOS)
def test_underexposure_makes_them_dark_not_blurry(name: str) -> None:
    dark = (photo(name).astype(np.float32) * 0.15).astype(np.uint8)
    report = analysed(dark)
    assert report.dark
    assert not report.blurry  # sharpness is measured independently of brightness
    assert report.measures["brightness"] < 0.1


@pytest.mark.parametrize("name", PHOTOS)
def test_overexposure_is_flagged(name: str) -> None:
    bright = np.clip(photo(name).astype(np.float32) * 2.5 + 80, 0, 255).astype(np.uint8)
    report = analysed(bright)
    assert report.overexposed
    assert report.measures["clipped_highlights"] > 0.2


def test_small_photos_are_low_resolution_whatever_the_rendition() -> None:
    rgb = photo("coffee")
    assert analysed(rgb, width=400, height=300).low_resolution
    assert analysed(rgb, width=640, height=360).low_resolution
    assert not analysed(rgb, width=1920, height=1080).low_resolution


def test_a_flat_picture_is_not_called_blurry() -> None:
    flat = np.full((300, 400, 3), (90, 140, 200), dtype=np.uint8)
    assert not analysed(flat).blurry


def test_measures_are_reported() -> None:
    measures = analysed(photo("astronaut")).measures
    assert set(measures) >= {
        "sharpness",
        "brightness",
        "contrast",
        "clipped_highlights",
        "clipped_shadows",
        "megapixels",
        "laplacian_variance",
    }
    assert measures["megapixels"] == 12.0
