"""Decoding renditions and building model input."""

from __future__ import annotations

import io

import numpy as np
import pytest
from fotoai.tagging.domain.imaging import (
    UndecodableImage,
    decode_image,
    resize_short_side,
    square_model_input,
)
from PIL import Image

from .conftest import jpeg_bytes, upscale


def test_a_1024_jpeg_thumbnail_decodes_to_the_analysis_size(astronaut) -> None:
    data = jpeg_bytes(upscale(astronaut, 1024))
    decoded = decode_image(data)
    assert decoded.rgb.shape == (512, 512, 3) and decoded.rgb.dtype == np.uint8
    assert (decoded.source_width, decoded.source_height) == (1024, 1024)
    # The scaled decode is a faithful picture, not a different one.
    reference = np.asarray(Image.fromarray(upscale(astronaut, 1024)).resize((512, 512)))
    assert np.abs(decoded.rgb.astype(int) - reference.astype(int)).mean() < 6


def test_png_and_small_pictures_keep_their_size(coffee) -> None:
    buffer = io.BytesIO()
    Image.fromarray(coffee).save(buffer, "PNG")
    decoded = decode_image(buffer.getvalue())
    assert decoded.rgb.shape == (341, 512, 3)
    small = decode_image(jpeg_bytes(coffee[:100, :150]))
    assert small.rgb.shape == (100, 150, 3)


def test_exif_orientation_is_applied(coffee) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    buffer = io.BytesIO()
    Image.fromarray(coffee).save(buffer, "JPEG", exif=exif)
    assert decode_image(buffer.getvalue()).rgb.shape == (512, 341, 3)


@pytest.mark.parametrize(
    "data", [b"", b"not a picture", jpeg_bytes(np.zeros((8, 8, 3), np.uint8))[:40]]
)
def test_junk_is_undecodable(data) -> None:
    with pytest.raises(UndecodableImage):
        decode_image(data)


def test_model_input_is_a_normalised_centre_crop(chelsea) -> None:
    resized = resize_short_side(chelsea, 224)
    assert min(resized.shape[:2]) == 224
    x = square_model_input(chelsea, 224, (0.5, 0.5, 0.5), (0.5, 0.5, 0.5))
    assert x.shape == (3, 224, 224) and x.dtype == np.float32
    assert -1.0 <= x.min() and x.max() <= 1.0
    grey = square_model_input(np.full((300, 400, 3), 255, np.uint8), 224, (0, 0, 0), (1, 1, 1))
    assert grey == pytest.approx(np.ones((3, 224, 224)))
