"""Decoding every format to upright sRGB, with limits checked before decoding."""

from __future__ import annotations

import io

import numpy as np
import pytest
from fotoai.ingest.domain.decode import DecodeLimits, DecodePath, apply_orientation, decode_photo
from fotoai.ingest.domain.formats import ImageFormat, RawKind
from fotoai.ingest.domain.rejections import ImageRejected, Reason
from PIL import Image, ImageCms

LIMITS = DecodeLimits(max_pixels=50_000_000)


def _reason(data: bytes, limits: DecodeLimits = LIMITS) -> Reason:
    with pytest.raises(ImageRejected) as caught:
        decode_photo(data, limits)
    return caught.value.reason


@pytest.fixture(scope="module")
def astronaut(samples):
    return samples.photo("astronaut")  # 512x512


@pytest.fixture(scope="module")
def coffee(samples):
    return samples.photo("coffee")  # 600x400 (w x h)


@pytest.mark.parametrize(
    ("pil_format", "expected", "params", "tolerance"),
    [
        ("JPEG", ImageFormat.JPEG, {"quality": 95}, 4.0),
        ("PNG", ImageFormat.PNG, {}, 0.0),
        ("WEBP", ImageFormat.WEBP, {"quality": 95}, 4.0),
        ("TIFF", ImageFormat.TIFF, {"compression": "tiff_deflate"}, 0.0),
        ("AVIF", ImageFormat.AVIF, {"quality": 90, "speed": 10}, 6.0),
    ],
)
def test_formats_decode_to_the_same_picture(
    samples, coffee, pil_format, expected, params, tolerance
):
    decoded = decode_photo(samples.encode(coffee, pil_format, **params), LIMITS)
    assert decoded.format is expected
    assert decoded.image.mode == "RGB"
    assert decoded.image.size == (600, 400) == decoded.source_size
    error = np.abs(np.asarray(decoded.image, np.float64) - coffee).mean()
    assert error <= tolerance


def test_gif_takes_the_first_frame(coffee):
    frames = [
        Image.fromarray(coffee).quantize(64),
        Image.new("RGB", (600, 400), "red").quantize(64),
    ]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    decoded = decode_photo(buffer.getvalue(), LIMITS)
    assert decoded.format is ImageFormat.GIF
    pixels = np.asarray(decoded.image, np.float64)
    assert np.abs(pixels - coffee).mean() < 12  # palette error, not the red frame
    assert pixels[..., 0].mean() < 200


def test_heic_from_pillow_heif_with_exif(samples, astronaut):
    import pillow_heif

    pillow_heif.register_heif_opener()
    small = np.ascontiguousarray(astronaut[::4, ::4])  # 128x128: HEVC encoding is slow
    buffer = io.BytesIO()
    Image.fromarray(small).save(
        buffer, "HEIF", quality=90, exif=samples.exif_block(), enc_params={"preset": "ultrafast"}
    )
    decoded = decode_photo(buffer.getvalue(), LIMITS)
    assert decoded.format is ImageFormat.HEIC
    assert decoded.decode_path == DecodePath.HEIF
    assert decoded.image.size == (128, 128)
    assert np.abs(np.asarray(decoded.image, np.float64) - small).mean() < 8
    assert decoded.metadata.camera_model == "Testcam 1"
    assert decoded.metadata.iso == 400


def _oriented_reference() -> Image.Image:
    """A 64x32 picture whose four 16-aligned blocks are distinct colours (JPEG-proof)."""
    ref = np.zeros((32, 64, 3), np.uint8)
    ref[:16, :32] = (255, 0, 0)
    ref[:16, 32:] = (0, 255, 0)
    ref[16:, :32] = (0, 0, 255)
    ref[16:, 32:] = (255, 255, 0)
    return Image.fromarray(ref)


# How a camera stores an upright scene for each orientation: the inverse of the display transform.
_STORE = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


@pytest.mark.parametrize("orientation", range(1, 9))
def test_all_eight_orientations_come_out_upright(samples, orientation):
    reference = _oriented_reference()
    method = _STORE[orientation]
    stored = reference.transpose(method) if method is not None else reference
    data = samples.encode(
        np.asarray(stored), "JPEG", quality=95, exif=samples.exif_block(orientation=orientation)
    )
    decoded = decode_photo(data, LIMITS)
    assert decoded.orientation == orientation
    assert decoded.image.size == (64, 32) == decoded.source_size
    pixels = np.asarray(decoded.image, np.int16)
    expected = np.asarray(reference, np.int16)
    for rows, cols in (
        (slice(2, 14), slice(2, 30)),
        (slice(2, 14), slice(34, 62)),
        (slice(18, 30), slice(2, 30)),
        (slice(18, 30), slice(34, 62)),
    ):
        assert (
            np.abs(pixels[rows, cols].mean((0, 1)) - expected[rows, cols].mean((0, 1))).max() < 12
        )


def test_heic_orientation_is_applied_once(samples):
    import pillow_heif

    pillow_heif.register_heif_opener()
    reference = _oriented_reference()
    buffer = io.BytesIO()
    reference.transpose(_STORE[6]).save(
        buffer,
        "HEIF",
        quality=90,
        exif=samples.exif_block(orientation=6),
        enc_params={"preset": "ultrafast"},
    )
    decoded = decode_photo(buffer.getvalue(), LIMITS)
    assert decoded.orientation == 6
    assert decoded.image.size == (64, 32) == decoded.source_size
    pixels = np.asarray(decoded.image, np.int16)
    assert np.abs(pixels[4:12, 4:28].mean((0, 1)) - (255, 0, 0)).max() < 12
    assert np.abs(pixels[20:28, 36:60].mean((0, 1)) - (255, 255, 0)).max() < 12


def test_apply_orientation_is_the_inverse_of_storing():
    reference = _oriented_reference()
    for orientation, method in _STORE.items():
        stored = reference.transpose(method) if method is not None else reference
        assert apply_orientation(stored, orientation).tobytes() == reference.tobytes()


def test_jpeg_draft_shrinks_on_load_but_reports_full_size(samples):
    big = np.asarray(Image.fromarray(samples.photo("astronaut")).resize((2048, 2048)))
    data = samples.encode(big, "JPEG", quality=90)
    decoded = decode_photo(data, LIMITS, target_side=256)
    assert decoded.decode_path == DecodePath.PILLOW_DRAFT
    assert decoded.image.size == (256, 256)  # DCT scaling by 1/8
    assert decoded.source_size == (2048, 2048)
    assert decode_photo(data, LIMITS, target_side=300).image.size == (512, 512)
    assert decode_photo(data, LIMITS).image.size == (2048, 2048)


def test_rgba_is_flattened_on_white(samples):
    rgba = np.zeros((20, 30, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[:, 15:, 3] = 255  # left half transparent red, right half opaque red
    decoded = decode_photo(samples.encode(rgba, "PNG"), LIMITS)
    pixels = np.asarray(decoded.image)
    assert tuple(pixels[5, 5]) == (255, 255, 255)
    assert tuple(pixels[5, 25]) == (255, 0, 0)


def test_sixteen_bit_greyscale_png_keeps_its_range():
    ramp = np.tile(np.linspace(0, 65535, 256).astype(np.uint16), (16, 1))
    buffer = io.BytesIO()
    Image.fromarray(ramp).save(buffer, "PNG")
    decoded = decode_photo(buffer.getvalue(), LIMITS)
    pixels = np.asarray(decoded.image)
    assert pixels.shape == (16, 256, 3)
    assert pixels[0, 0, 0] == 0 and pixels[0, -1, 0] == 255
    assert abs(int(pixels[0, 128, 0]) - 128) <= 2


def test_sixteen_bit_rgb_tiff(coffee):
    import tifffile

    buffer = io.BytesIO()
    tifffile.imwrite(buffer, coffee.astype(np.uint16) * 257, photometric="rgb")
    decoded = decode_photo(buffer.getvalue(), LIMITS)
    assert decoded.format is ImageFormat.TIFF
    assert np.abs(np.asarray(decoded.image, np.float64) - coffee).mean() < 1.5


def test_cmyk_jpeg_becomes_rgb(coffee):
    buffer = io.BytesIO()
    Image.fromarray(coffee).convert("CMYK").save(buffer, "JPEG", quality=95)
    decoded = decode_photo(buffer.getvalue(), LIMITS)
    assert decoded.image.mode == "RGB"
    assert np.abs(np.asarray(decoded.image, np.float64) - coffee).mean() < 8


def test_embedded_profile_is_converted_to_srgb(samples, coffee):
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    as_srgb = decode_photo(samples.encode(coffee, "PNG", icc_profile=srgb), LIMITS)
    assert np.array_equal(np.asarray(as_srgb.image), coffee)  # sRGB in, untouched

    wide = samples.adobe_rgb_like_profile()
    patch = np.array([[[100, 180, 100], [128, 128, 128], [200, 90, 60]]], np.uint8)
    for data in (
        samples.encode(patch, "PNG", icc_profile=wide),
        samples.encode(patch, "TIFF", icc_profile=wide),
    ):
        converted = np.asarray(decode_photo(data, LIMITS).image, np.int16)
        green, grey, orange = converted[0]
        assert (
            abs(int(grey[0]) - 128) <= 2 and grey.max() - grey.min() <= 1
        )  # neutral stays neutral
        assert green[1] - green[0] > 80 + 10  # wide-gamut green is more saturated in sRGB
        assert orange[0] - orange[2] > 140 + 10
    as_adobe = decode_photo(samples.encode(coffee, "JPEG", quality=95, icc_profile=wide), LIMITS)
    assert np.abs(np.asarray(as_adobe.image, np.float64) - coffee).mean() > 2


def test_garbage_profile_is_ignored(samples, coffee):
    decoded = decode_photo(
        samples.encode(coffee, "PNG", icc_profile=b"\x00not a profile" * 20), LIMITS
    )
    assert np.array_equal(np.asarray(decoded.image), coffee)


def test_dng_without_preview_is_demosaiced_at_half_size(samples, coffee):
    decoded = decode_photo(samples.bayer_dng(coffee), LIMITS)
    assert decoded.format is ImageFormat.RAW
    assert decoded.raw_kind is RawKind.DNG
    assert decoded.decode_path == DecodePath.RAW_HALF
    assert decoded.image.size == (300, 200)
    assert decoded.source_size == (600, 400)
    reference = coffee[::2, ::2].astype(np.float64)
    pixels = np.asarray(decoded.image, np.float64)
    assert np.corrcoef(pixels.ravel(), reference.ravel())[0, 1] > 0.95
    assert decoded.metadata.camera_make == "FotoAI"
    assert decoded.metadata.camera_model == "Synthetic DNG"
    assert decoded.metadata.taken_at is not None and decoded.metadata.taken_at.year == 2023


def test_dng_with_a_full_size_preview_uses_it(samples, coffee):
    decoded = decode_photo(samples.bayer_dng(coffee, preview=coffee), LIMITS)
    assert decoded.decode_path == DecodePath.RAW_PREVIEW
    assert decoded.image.size == (600, 400)
    assert np.array_equal(np.asarray(decoded.image), coffee)


def test_dng_with_a_tiny_preview_falls_back_to_demosaic(samples, coffee):
    tiny = np.ascontiguousarray(coffee[::8, ::8])
    decoded = decode_photo(samples.bayer_dng(coffee, preview=tiny), LIMITS)
    assert decoded.decode_path == DecodePath.RAW_HALF
    assert decoded.image.size == (300, 200)


def test_dng_orientation_is_applied(samples, coffee):
    decoded = decode_photo(samples.bayer_dng(coffee, orientation=6), LIMITS)
    assert decoded.orientation == 6
    assert decoded.image.size == (200, 300)
    assert decoded.source_size == (400, 600)


# --- every reason code, from a file that triggers it ------------------------------------------


def test_empty():
    assert _reason(b"") is Reason.EMPTY


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7\n" + b"0" * 100, b"BM" + b"\x00" * 100, b"hello world" * 10]
)
def test_unsupported_format(data):
    assert _reason(data) is Reason.UNSUPPORTED_FORMAT


def test_png_bomb_is_refused_from_the_header(samples):
    bomb = samples.png_bomb(30000, 30000)
    assert len(bomb) < 200
    assert _reason(bomb) is Reason.TOO_MANY_PIXELS


def test_jpeg_bomb_is_refused_from_the_header(samples, coffee):
    bomb = samples.jpeg_with_claimed_size(samples.encode(coffee, "JPEG"), 30000, 30000)
    assert _reason(bomb) is Reason.TOO_MANY_PIXELS


def test_pixel_limit_is_configurable(samples, coffee):
    data = samples.encode(coffee, "PNG")
    assert _reason(data, DecodeLimits(max_pixels=600 * 400 - 1)) is Reason.TOO_MANY_PIXELS
    assert decode_photo(data, DecodeLimits(max_pixels=600 * 400)).image.size == (600, 400)


def test_raw_pixel_limit(samples, coffee):
    assert (
        _reason(samples.bayer_dng(coffee), DecodeLimits(max_pixels=100_000))
        is Reason.TOO_MANY_PIXELS
    )


@pytest.mark.parametrize("pil_format", ["JPEG", "PNG", "WEBP", "TIFF", "GIF"])
def test_truncated_files_are_corrupt(samples, coffee, pil_format):
    data = samples.encode(coffee, pil_format)
    assert _reason(data[: len(data) // 2]) is Reason.CORRUPT


def test_truncated_dng_is_corrupt(samples, coffee):
    data = samples.bayer_dng(coffee)
    assert _reason(data[: len(data) // 3]) is Reason.CORRUPT


def test_garbage_after_a_valid_signature_is_corrupt():
    for head in (
        b"\xff\xd8\xff\xe0",
        b"\x89PNG\r\n\x1a\n",
        b"RIFF\x00\x00\x00\x00WEBPVP8 ",
        b"GIF89a",
        b"II*\x00",
    ):
        assert _reason(head + bytes(range(256)) * 4) in (Reason.CORRUPT, Reason.UNSUPPORTED_FORMAT)


def test_corrupted_jpeg_body_is_corrupt_or_decodes(samples, coffee):
    # Flipped bytes in entropy-coded data often still decode: what matters is no crash and no hang.
    data = bytearray(samples.encode(coffee, "JPEG"))
    for i in range(600, len(data) - 2, 97):
        data[i] ^= 0xFF
    try:
        decoded = decode_photo(bytes(data), LIMITS)
    except ImageRejected as rejected:
        assert rejected.reason is Reason.CORRUPT
    else:
        assert decoded.image.size == (600, 400)
