"""Decoding with OpenCV behind Pillow's header check, encoding with OpenCV: the same pixels and
the same JPEG settings as Pillow's, and the same refusals."""

from __future__ import annotations

import io

import numpy as np
import pytest
from fotoai.enhance.domain.codec import UndecodableImage, decode_rgb, encode_jpeg
from PIL import Image, JpegImagePlugin


def _encoded(rgb: np.ndarray, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, fmt, **params)
    return buffer.getvalue()


def test_a_jpeg_decodes_to_the_pixels_pillow_gives(astronaut) -> None:
    data = _encoded(astronaut, "JPEG", quality=85)
    assert np.array_equal(decode_rgb(data, 10**8), np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))


def test_grey_and_transparent_pictures_come_out_as_rgb(astronaut) -> None:
    grey = _encoded(astronaut[..., 0], "JPEG")
    rgba = _encoded(np.dstack([astronaut, np.full(astronaut.shape[:2], 128, np.uint8)]), "PNG")
    assert decode_rgb(grey, 10**8).shape == (512, 512, 3)
    assert np.array_equal(decode_rgb(rgba, 10**8), astronaut)


def test_an_upright_rendition_is_not_turned_by_a_stray_orientation_tag(astronaut) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW"
    tall = astronaut[:, :300]
    assert decode_rgb(_encoded(tall, "JPEG", exif=exif.tobytes()), 10**8).shape == (512, 300, 3)


def test_too_many_pixels_and_garbage_are_refused() -> None:
    with pytest.raises(UndecodableImage, match="more than"):
        decode_rgb(_encoded(np.zeros((40, 50, 3), np.uint8), "JPEG"), 1999)
    with pytest.raises(UndecodableImage):
        decode_rgb(b"not a picture", 10**8)


@pytest.mark.parametrize(("quality", "sampling"), [(90, 0), (82, 2)])
def test_chroma_is_kept_whole_from_quality_90(astronaut, quality, sampling) -> None:
    data = encode_jpeg(astronaut, quality)
    image = Image.open(io.BytesIO(data))
    assert JpegImagePlugin.get_sampling(image) == sampling
    assert np.abs(np.asarray(image).astype(int) - astronaut).mean() < 3


def test_optimized_huffman_tables_make_a_smaller_file_of_the_same_pixels(astronaut) -> None:
    plain, optimized = encode_jpeg(astronaut, 82), encode_jpeg(astronaut, 82, optimize=True)
    assert len(optimized) < len(plain)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(plain))), np.asarray(Image.open(io.BytesIO(optimized))))
