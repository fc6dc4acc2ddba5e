"""Reusing an uploaded JPEG as the display rendition, losslessly, when re-encoding gains nothing.

A JPEG that is already upright, sRGB (no profile or an sRGB one), 8-bit YCbCr or greyscale, and of
moderate quality would only lose detail and cost a full decode + encode if re-encoded at q≈88. Its
entropy-coded data is kept byte for byte; only metadata segments (EXIF with GPS, XMP, IPTC,
comments, maker notes) are dropped, so the display rendition leaks nothing the original had.
"""

from __future__ import annotations

import io
import re
import struct
import warnings

from fotoai.ingest.domain.metadata import orientation_of
from PIL import Image, ImageCms

# libjpeg's standard luminance quantisation table (Annex K), as a sum: order does not matter.
_STD_LUMA_SUM = sum(
    [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
        14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ]
)  # fmt: skip

_SOI, _EOI, _SOS = 0xD8, 0xD9, 0xDA
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM, RSTn: no length field


def estimate_quality(luma_table: list[int] | tuple[int, ...]) -> int:
    """The libjpeg quality (1..100) whose scaling of the standard table best matches `luma_table`."""
    scale = 100.0 * sum(luma_table) / _STD_LUMA_SUM
    quality = 5000.0 / scale if scale > 100.0 else (200.0 - scale) / 2.0
    return max(1, min(100, round(quality)))


def can_reuse(data: bytes, max_quality: int) -> bool:
    """Whether `data` (a JPEG) may serve as the display rendition as it is."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            im = Image.open(io.BytesIO(data), formats=["JPEG"])
            if im.mode not in ("RGB", "L") or orientation_of(im.getexif()) != 1:
                return False
            tables = getattr(im, "quantization", None) or {}
            if 0 not in tables or estimate_quality(list(tables[0])) > max_quality:
                return False
            icc = im.info.get("icc_profile")
    except Exception:  # noqa: BLE001 - anything unusual: take the safe, re-encoding path
        return False
    return not icc or _is_srgb(icc)


def _is_srgb(icc: bytes) -> bool:
    try:
        description = (
            ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))) or ""
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return False
    return "srgb" in description.lower()


def strip_metadata(data: bytes) -> bytes:
    """`data` without metadata segments and without anything after the end-of-image marker.

    Kept: JFIF (APP0), ICC profile (APP2 `ICC_PROFILE`), Adobe (APP14) and every segment that
    decoding needs. Dropped: other APPn (EXIF, XMP, IPTC, MPF, maker data), comments, and trailing
    data such as the secondary pictures (depth maps, gain maps) phones append after EOI.
    """
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    out = bytearray(b"\xff\xd8")
    i = 2
    size = len(data)
    while i < size:
        if data[i] != 0xFF:
            raise ValueError(f"expected a marker at {i}")
        while i < size and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= size:
            break
        marker = data[i]
        i += 1
        if marker in _STANDALONE:
            out += bytes((0xFF, marker))
            continue
        if marker == _EOI:
            out += b"\xff\xd9"
            return bytes(out)
        if i + 2 > size:
            raise ValueError("truncated segment header")
        (length,) = struct.unpack(">H", data[i : i + 2])
        if length < 2 or i + length > size:
            raise ValueError("truncated segment")
        segment = data[i : i + length]
        i += length
        if marker == _SOS:
            out += b"\xff\xda" + segment
            end = _end_of_scan(data, i)
            out += data[i:end]
            i = end
            continue
        payload = segment[2:]
        keep = marker != 0xFE and (
            not 0xE0 <= marker <= 0xEF
            or marker in (0xE0, 0xEE)
            or (marker == 0xE2 and payload.startswith(b"ICC_PROFILE\x00"))
        )
        if keep:
            out += bytes((0xFF, marker)) + segment
    raise ValueError("no end-of-image marker")


# In entropy-coded data 0xFF is followed by 0x00 (a stuffed byte), 0xD0-0xD7 (a restart) or
# another 0xFF (fill): the first 0xFF followed by anything else starts the next marker. A regex
# finds it in C: the byte-by-byte loop it replaces cost ~25 ms on a 3 MB photo.
_MARKER_AFTER_SCAN = re.compile(rb"\xff(?=[^\x00\xd0-\xd7\xff])")


def _end_of_scan(data: bytes, start: int) -> int:
    """Index of the first real marker after entropy-coded data (FF00 is a stuffed byte, FFDn a restart)."""
    found = _MARKER_AFTER_SCAN.search(data, start)
    if found is None:
        raise ValueError("scan runs to the end of the file")
    return found.start()
