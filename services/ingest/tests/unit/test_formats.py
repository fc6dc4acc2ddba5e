"""Format detection by magic bytes: every supported family, RAW flavours, and non-images."""

from __future__ import annotations

import struct

import pytest
from fotoai.ingest.domain.formats import Detected, ImageFormat, RawKind, detect_format


@pytest.fixture(scope="module")
def picture(samples):
    return samples.photo("coffee")[:64, :96]


@pytest.mark.parametrize(
    ("pil_format", "expected", "params"),
    [
        ("JPEG", ImageFormat.JPEG, {}),
        ("PNG", ImageFormat.PNG, {}),
        ("WEBP", ImageFormat.WEBP, {}),
        ("WEBP", ImageFormat.WEBP, {"lossless": True}),
        ("TIFF", ImageFormat.TIFF, {}),
        ("TIFF", ImageFormat.TIFF, {"compression": "tiff_lzw"}),
        ("GIF", ImageFormat.GIF, {}),
        ("AVIF", ImageFormat.AVIF, {"speed": 10}),
    ],
)
def test_pillow_written_files(samples, picture, pil_format, expected, params):
    assert detect_format(samples.encode(picture, pil_format, **params)) == Detected(expected)


def test_big_endian_tiff_is_tiff(picture):
    import io

    import tifffile

    buffer = io.BytesIO()
    tifffile.imwrite(buffer, picture, byteorder=">")
    assert buffer.getvalue()[:4] == b"MM\x00*"
    assert detect_format(buffer.getvalue()) == Detected(ImageFormat.TIFF)


def test_heic_written_by_pillow_heif(picture):
    import io

    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, "HEIF", quality=50, enc_params={"preset": "ultrafast"})
    assert detect_format(buffer.getvalue()) == Detected(ImageFormat.HEIC)


def test_synthetic_dng_goes_to_raw_not_tiff(samples, picture):
    assert detect_format(samples.bayer_dng(picture)) == Detected(ImageFormat.RAW, RawKind.DNG)
    assert detect_format(samples.bayer_dng(picture, preview=picture)) == Detected(
        ImageFormat.RAW, RawKind.DNG
    )


def _tiff_with(
    entries: list[tuple[int, int, int, bytes]], extra: bytes = b"", endian: str = "<"
) -> bytes:
    head = (b"II*\x00" if endian == "<" else b"MM\x00*") + struct.pack(endian + "I", 8)
    ifd = struct.pack(endian + "H", len(entries))
    for tag, typ, count, value in entries:
        ifd += struct.pack(endian + "HHI", tag, typ, count) + value.ljust(4, b"\x00")
    return head + ifd + b"\x00\x00\x00\x00" + extra


def test_nikon_tiff_with_cfa_subifd_is_nef():
    # IFD0 at 8 with 2 entries → 2 + 24 + 4 = 30 bytes; "NIKON\0" at 38; sub-IFD at 44.
    make = b"NIKON\x00"
    sub = (
        struct.pack("<H", 1)
        + struct.pack("<HHI", 262, 3, 1)
        + struct.pack("<H", 32803)
        + b"\x00\x00"
        + b"\x00" * 4
    )
    data = _tiff_with(
        [(271, 2, len(make), struct.pack("<I", 38)), (330, 4, 1, struct.pack("<I", 44))],
        extra=make + sub,
    )
    assert data[38:44] == make
    assert detect_format(data) == Detected(ImageFormat.RAW, RawKind.NEF)


def test_tiff_with_cfa_photometric_in_ifd0_is_raw():
    data = _tiff_with([(262, 3, 1, struct.pack("<H", 32803))])
    assert detect_format(data) == Detected(ImageFormat.RAW, RawKind.TIFF_RAW)


def test_tiff_from_a_camera_maker_without_raw_data_stays_tiff():
    make = b"Canon\x00"
    data = _tiff_with([(271, 2, len(make), struct.pack("<I", 26))], extra=make)
    assert detect_format(data) == Detected(ImageFormat.TIFF)


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"II*\x00\x10\x00\x00\x00CR\x02\x00", RawKind.CR2),
        (b"\x00\x00\x00\x18ftypcrx \x00\x00\x00\x01crx isom", RawKind.CR3),
        (b"FUJIFILMCCD-RAW 0201FF383501", RawKind.RAF),
        (b"IIRO\x08\x00\x00\x00", RawKind.ORF),
        (b"IIRS\x08\x00\x00\x00", RawKind.ORF),
        (b"MMOR\x00\x00\x00\x08", RawKind.ORF),
        (b"IIU\x00\x18\x00\x00\x00", RawKind.RW2),
    ],
)
def test_raw_signatures(head, kind):
    assert detect_format(head + b"\x00" * 64) == Detected(ImageFormat.RAW, kind)


@pytest.mark.parametrize(
    ("brands", "expected"),
    [
        (b"heic\x00\x00\x00\x00mif1heic", ImageFormat.HEIC),
        (b"mif1\x00\x00\x00\x00mif1heic", ImageFormat.HEIC),
        (b"avif\x00\x00\x00\x00avifmif1", ImageFormat.AVIF),
        (b"mif1\x00\x00\x00\x00mif1avif", ImageFormat.AVIF),
    ],
)
def test_iso_bmff_brands(brands, expected):
    box = struct.pack(">I", 8 + len(brands)) + b"ftyp" + brands
    assert detect_format(box + b"\x00" * 32) == Detected(expected)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3",
        b"PK\x03\x04\x14\x00\x00\x00",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom",  # an MP4 video
        b"BM6\x00\x00\x00",  # BMP is not an accepted upload format
        b"\xff\xd8",  # too short to be a JPEG
        b"",
    ],
)
def test_non_images_are_not_detected(data):
    assert detect_format(data) is None


def test_hostile_tiff_ifd_offsets_do_not_raise():
    data = b"II*\x00" + struct.pack("<I", 0xFFFFFFF0) + b"\x00" * 16
    assert detect_format(data) == Detected(ImageFormat.TIFF)
    looping = _tiff_with([(330, 4, 3, struct.pack("<I", 8))])  # SubIFDs pointing back at IFD0
    assert detect_format(looping) == Detected(ImageFormat.TIFF)
