"""Rendition sizes, encodings, cascade and determinism; perceptual hash behaviour."""

from __future__ import annotations

import io

import numpy as np
import pytest
from fotoai.ingest.domain.decode import DecodeLimits
from fotoai.ingest.domain.phash import hamming_distance, perceptual_hash
from fotoai.ingest.domain.pipeline import PhotoJob, process_photo
from fotoai.ingest.domain.renditions import (
    THUMBNAIL_FILTER,
    Encoding,
    RenditionSpec,
    fit_within,
    make_renditions,
)
from PIL import Image, ImageFilter

SPECS = [
    RenditionSpec("display", None, Encoding.JPEG, 88),
    RenditionSpec("thumb_large", 1024, Encoding.JPEG, 82),
    RenditionSpec("thumb_small", 256, Encoding.JPEG, 82),
]


@pytest.mark.parametrize(
    ("size", "side", "expected"),
    [
        ((6000, 4000), 1024, (1024, 683)),
        ((4000, 6000), 1024, (683, 1024)),
        ((6000, 4000), 256, (256, 171)),
        ((800, 600), 1024, (800, 600)),  # never upscaled
        ((10000, 10), 256, (256, 1)),  # never zero
        ((6000, 4000), None, (6000, 4000)),
    ],
)
def test_fit_within(size, side, expected):
    assert fit_within(size, side) == expected


def test_renditions_sizes_and_encodings(samples):
    picture = Image.fromarray(samples.photo("astronaut")).resize((3000, 2000))
    renditions, smallest = make_renditions(picture, SPECS)
    assert [r.name for r in renditions] == ["display", "thumb_large", "thumb_small"]
    assert [(r.width, r.height) for r in renditions] == [(3000, 2000), (1024, 683), (256, 171)]
    assert smallest.size == (256, 171)
    for rendition in renditions:
        decoded = Image.open(io.BytesIO(rendition.data))
        assert decoded.format == "JPEG"
        assert decoded.size == (rendition.width, rendition.height)
        assert not decoded.getexif()  # no GPS or other EXIF leaks into renditions


def test_webp_renditions(samples):
    picture = Image.fromarray(samples.photo("coffee"))
    specs = [
        RenditionSpec("display", None, Encoding.WEBP, 85),
        RenditionSpec("thumb_small", 256, Encoding.WEBP, 80),
    ]
    renditions, _ = make_renditions(picture, specs)
    assert [Image.open(io.BytesIO(r.data)).format for r in renditions] == ["WEBP", "WEBP"]
    assert (
        renditions[0].encoding.mime == "image/webp" and renditions[0].encoding.extension == "webp"
    )


def test_thumbnail_looks_like_the_picture(samples):
    original = samples.photo("chelsea")
    renditions, _ = make_renditions(Image.fromarray(original), SPECS)
    thumb = np.asarray(Image.open(io.BytesIO(renditions[2].data)).convert("RGB"), np.float64)
    reference = np.asarray(
        Image.fromarray(original).resize(thumb.shape[1::-1], Image.Resampling.BOX), np.float64
    )
    assert np.abs(thumb - reference).mean() < 4


def test_process_photo_is_deterministic(samples):
    data = samples.encode(
        samples.photo("rocket"), "JPEG", quality=90, exif=samples.exif_block(orientation=6)
    )
    job = PhotoJob(limits=DecodeLimits(), renditions=tuple(SPECS))
    first, second = process_photo(data, job), process_photo(data, job)
    assert first == second
    assert first.orientation == 6
    assert (first.width, first.height) == (427, 640)  # rocket is 640x427, rotated
    assert [(r.width, r.height) for r in first.renditions] == [(427, 640), (427, 640), (171, 256)]
    assert len(first.phash) == 16 and int(first.phash, 16) >= 0


def test_process_photo_without_display_shrinks_on_load(samples):
    big = np.asarray(Image.fromarray(samples.photo("astronaut")).resize((4096, 4096)))
    data = samples.encode(big, "JPEG", quality=90)
    job = PhotoJob(limits=DecodeLimits(), renditions=(SPECS[1], SPECS[2]))
    result = process_photo(data, job)
    assert result.decode_path == "pillow_draft"
    assert (result.width, result.height) == (4096, 4096)
    assert [(r.width, r.height) for r in result.renditions] == [(1024, 1024), (256, 256)]


@pytest.mark.parametrize(
    ("size", "preview"),
    [
        ((4000, 3000), (2000, 1500)),  # 12 MP: the half-size DCT decode, not resampled
        ((4032, 3024), (2016, 1512)),  # a phone's 12 MP
        ((6000, 4000), (1920, 1280)),  # 24 MP: half size is 3000, larger than kept: resampled
        ((1000, 750), (1000, 750)),  # never upscaled
    ],
)
def test_preview_keeps_the_dct_scaled_decode_when_close_enough(samples, size, preview):
    data = samples.encode(
        np.asarray(Image.fromarray(samples.photo("astronaut")).resize(size)), "JPEG", quality=95
    )
    specs = (
        RenditionSpec("preview", 1920, Encoding.JPEG, 85, keep_up_to=2048),
        RenditionSpec("thumb_large", 1024, Encoding.JPEG, 82, resample=THUMBNAIL_FILTER),
    )
    result = process_photo(data, PhotoJob(limits=DecodeLimits(), renditions=specs))
    assert (result.renditions[0].width, result.renditions[0].height) == preview
    # the thumbnail's size follows the photo, whatever size the preview kept
    assert (result.renditions[1].width, result.renditions[1].height) == fit_within(size, 1024)


def test_bilinear_thumbnail_matches_a_lanczos_one(samples):
    picture = Image.fromarray(samples.photo("chelsea")).resize((2000, 1500))
    lanczos = RenditionSpec("thumb_large", 1024, Encoding.JPEG, 95)
    bilinear = RenditionSpec("thumb_large", 1024, Encoding.JPEG, 95, resample=THUMBNAIL_FILTER)
    pictures = [
        np.asarray(Image.open(io.BytesIO(make_renditions(picture, [spec])[0][0].data)), float)
        for spec in (lanczos, bilinear)
    ]
    psnr = 10 * np.log10(255**2 / np.mean((pictures[0] - pictures[1]) ** 2))
    assert psnr > 38


def test_phash_near_and_far(samples):
    cat = Image.fromarray(samples.photo("chelsea"))
    recompressed = Image.open(io.BytesIO(_jpeg(cat.resize((300, 225)), 40)))
    blurred = cat.filter(ImageFilter.GaussianBlur(1.5))
    other = Image.fromarray(samples.photo("coffee"))
    base = perceptual_hash(cat)
    assert hamming_distance(base, perceptual_hash(recompressed)) <= 6
    assert hamming_distance(base, perceptual_hash(blurred)) <= 6
    assert hamming_distance(base, perceptual_hash(other)) >= 20


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
