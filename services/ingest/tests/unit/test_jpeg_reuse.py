"""Reusing an upright sRGB JPEG as its display rendition: quality estimate and metadata stripping."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
from fotoai.ingest.domain.decode import DecodeLimits
from fotoai.ingest.domain.jpeg_reuse import can_reuse, estimate_quality, strip_metadata
from fotoai.ingest.domain.pipeline import PhotoJob, process_photo
from fotoai.ingest.domain.renditions import Encoding, RenditionSpec
from PIL import Image, ImageCms, JpegImagePlugin


@pytest.fixture(scope="module")
def picture(samples):
    return samples.photo("chelsea")


def _quality_of(data: bytes) -> int:
    image = Image.open(io.BytesIO(data))
    assert isinstance(image, JpegImagePlugin.JpegImageFile)
    return estimate_quality(list(image.quantization[0]))


@pytest.mark.parametrize("quality", [30, 50, 75, 85, 88, 92, 95])
def test_quality_estimate(samples, picture, quality):
    assert abs(_quality_of(samples.encode(picture, "JPEG", quality=quality)) - quality) <= 1


def _segments(data: bytes) -> list[tuple[int, bytes]]:
    found, i = [], 2
    while data[i] == 0xFF and data[i + 1] != 0xDA:
        marker = data[i + 1]
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        found.append((marker, data[i + 4 : i + 2 + length]))
        i += 2 + length
    return found


@pytest.mark.parametrize("progressive", [False, True])
def test_strip_keeps_pixels_and_drops_metadata(samples, picture, progressive):
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = samples.encode(
        picture,
        "JPEG",
        quality=85,
        exif=samples.exif_block(),
        icc_profile=srgb,
        comment=b"secret",
        progressive=progressive,
    )
    mpf_like = b"\xff\xe2" + struct.pack(">H", 10) + b"MPF\x00\x00\x00\x00\x00"
    trailing = samples.encode(picture[:32, :32], "JPEG")  # a phone's appended secondary picture
    hostile = original[:2] + mpf_like + original[2:] + trailing

    stripped = strip_metadata(hostile)
    markers = [m for m, _ in _segments(stripped)]
    assert 0xE1 not in markers and 0xFE not in markers  # no EXIF/XMP, no comment
    assert all(
        payload.startswith(b"ICC_PROFILE\x00") for m, payload in _segments(stripped) if m == 0xE2
    )
    assert 0xE2 in markers  # the sRGB profile stays
    assert stripped.endswith(b"\xff\xd9") and len(stripped) < len(original)
    decoded = Image.open(io.BytesIO(stripped))
    assert not decoded.getexif()
    assert np.array_equal(np.asarray(decoded), np.asarray(Image.open(io.BytesIO(original))))


def test_strip_refuses_what_it_cannot_parse():
    with pytest.raises(ValueError):
        strip_metadata(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(ValueError):
        strip_metadata(b"\xff\xd8\xff\xe1\x00\x40" + b"\x00" * 10)  # segment longer than the file


def test_can_reuse_conditions(samples, picture):
    assert can_reuse(samples.encode(picture, "JPEG", quality=85), 92)
    assert not can_reuse(samples.encode(picture, "JPEG", quality=97), 92)  # would be needlessly big
    assert not can_reuse(
        samples.encode(picture, "JPEG", quality=85, exif=samples.exif_block(orientation=6)), 92
    )
    assert not can_reuse(
        samples.encode(picture, "JPEG", quality=85, icc_profile=samples.adobe_rgb_like_profile()),
        92,
    )
    cmyk = io.BytesIO()
    Image.fromarray(picture).convert("CMYK").save(cmyk, "JPEG", quality=85)
    assert not can_reuse(cmyk.getvalue(), 92)
    assert can_reuse(
        samples.encode(picture, "JPEG", quality=85, exif=samples.exif_block(orientation=1)), 92
    )


SPECS = (
    RenditionSpec("display", None, Encoding.JPEG, 88),
    RenditionSpec("thumb_large", 1024, Encoding.JPEG, 82),
    RenditionSpec("thumb_small", 256, Encoding.JPEG, 82),
)


def test_pipeline_reuses_and_then_shrinks_on_load(samples, picture):
    big = np.asarray(Image.fromarray(picture).resize((4096, 3072)))
    data = samples.encode(big, "JPEG", quality=85, exif=samples.exif_block())
    result = process_photo(data, PhotoJob(DecodeLimits(), SPECS, reuse_jpeg_max_quality=92))
    display, large, small = result.renditions
    assert display.data == strip_metadata(data)
    assert (display.width, display.height) == (4096, 3072)
    assert result.decode_path == "pillow_draft"  # no full decode was needed
    assert (large.width, large.height, small.width, small.height) == (1024, 768, 256, 192)
    assert result.metadata.camera_model == "Testcam 1"  # metadata still read from the original

    reencoded = process_photo(data, PhotoJob(DecodeLimits(), SPECS, reuse_jpeg_max_quality=None))
    assert reencoded.decode_path == "pillow"
    assert reencoded.renditions[0].data != display.data
    assert (
        reencoded.phash == result.phash
        or (int(reencoded.phash, 16) ^ int(result.phash, 16)).bit_count() <= 2
    )
