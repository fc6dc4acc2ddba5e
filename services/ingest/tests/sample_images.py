"""Test photographs: real pictures from scikit-image, encoded on the spot into every format.

Loaded by path from the unit tests' conftest and from `bench/ingest_renditions.py`, so it has no
package of its own. Everything here writes bytes in memory; nothing is downloaded.
"""

from __future__ import annotations

import io
import struct
import zlib
from datetime import datetime

import numpy as np
from PIL import Image

# sRGB → XYZ(D65) inverse, as DNG ColorMatrix1 wants XYZ → camera; with a camera that *is*
# linear sRGB this makes LibRaw's colour pipeline an identity.
_XYZ_TO_SRGB = np.array(
    [
        [3.2404542, -1.5371385, -0.4985314],
        [-0.9692660, 1.8760108, 0.0415560],
        [0.0556434, -0.2040259, 1.0572252],
    ]
)


def photo(name: str = "astronaut") -> np.ndarray:
    """A real RGB photograph bundled with scikit-image (astronaut, coffee, chelsea, rocket)."""
    from skimage import data

    return np.ascontiguousarray(getattr(data, name)()[:, :, :3])


def encode(array: np.ndarray, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, fmt, **params)
    return buffer.getvalue()


def exif_block(
    *,
    orientation: int | None = None,
    make: str | None = "FotoAI",
    model: str | None = "Testcam 1",
    taken_at: datetime | None = datetime(2024, 5, 17, 14, 3, 22),
    offset: str | None = "+02:00",
    lens: str | None = "Testlens 24-70mm",
    exposure: tuple[int, int] | None = (1, 250),
    f_number: float | None = 2.8,
    iso: int | None = 400,
    focal: float | None = 35.0,
    gps: tuple[float, float, float] | None = (48.8583, -2.2945, 35.0),
) -> bytes:
    """An EXIF block with the fields the catalog keeps."""
    from PIL.TiffImagePlugin import IFDRational

    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if make:
        exif[0x010F] = make
    if model:
        exif[0x0110] = model
    sub: dict[int, object] = {}
    if taken_at:
        sub[0x9003] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
    if offset:
        sub[0x9011] = offset
    if lens:
        sub[0xA434] = lens
    if exposure:
        sub[0x829A] = IFDRational(*exposure)
    if f_number:
        sub[0x829D] = IFDRational(int(f_number * 10), 10)
    if iso:
        sub[0x8827] = iso
    if focal:
        sub[0x920A] = IFDRational(int(focal * 10), 10)
    if sub:
        exif[0x8769] = sub
    if gps:
        lat, lon, alt = gps

        def dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
            value = abs(value)
            d = int(value)
            m = int((value - d) * 60)
            s = round(((value - d) * 60 - m) * 60 * 10000)
            return IFDRational(d, 1), IFDRational(m, 1), IFDRational(s, 10000)

        exif[0x8825] = {
            1: "N" if lat >= 0 else "S",
            2: dms(lat),
            3: "E" if lon >= 0 else "W",
            4: dms(lon),
            5: b"\x00",
            6: IFDRational(int(alt * 10), 10),
        }
    return exif.tobytes()


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny PNG whose header claims `width`x`height` pixels."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload))
            + kind
            + payload
            + struct.pack(">I", zlib.crc32(kind + payload))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def jpeg_with_claimed_size(jpeg: bytes, width: int, height: int) -> bytes:
    """`jpeg` with its SOF header rewritten to claim another size (a bomb or a lie)."""
    data = bytearray(jpeg)
    i = 2
    while i < len(data):
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            data[i + 5 : i + 9] = struct.pack(">HH", height, width)
            return bytes(data)
        i += 2 + length
    raise ValueError("no SOF marker")


def bayer_dng(
    rgb: np.ndarray,
    *,
    preview: np.ndarray | None = None,
    make: str = "FotoAI",
    model: str = "Synthetic DNG",
    datetime_text: str = "2023:11:02 09:15:00",
    orientation: int = 1,
) -> bytes:
    """A real DNG (RGGB CFA, 16-bit, uncompressed) of `rgb` that LibRaw opens and demosaics.

    With `preview`, IFD0 holds that RGB picture as the embedded preview and the raw data goes into
    a SubIFD, as cameras do; without it, IFD0 is the raw data and there is no thumbnail.
    """
    import tifffile

    height, width = (rgb.shape[0] // 2) * 2, (rgb.shape[1] // 2) * 2
    linear = (rgb[:height, :width].astype(np.float64) / 255.0) ** 2.2
    white = 16383
    cfa = np.empty((height, width), np.uint16)
    scaled = np.round(linear * white).astype(np.uint16)
    cfa[0::2, 0::2] = scaled[0::2, 0::2, 0]
    cfa[0::2, 1::2] = scaled[0::2, 1::2, 1]
    cfa[1::2, 0::2] = scaled[1::2, 0::2, 1]
    cfa[1::2, 1::2] = scaled[1::2, 1::2, 2]

    def srational(values: np.ndarray) -> list[int]:
        out: list[int] = []
        for value in values.ravel():
            out += [round(float(value) * 10000), 10000]
        return out

    dng_tags = [
        (50706, "B", 4, (1, 4, 0, 0), True),  # DNGVersion
        (50707, "B", 4, (1, 1, 0, 0), True),  # DNGBackwardVersion
        (50708, "s", 0, model, True),  # UniqueCameraModel
        (50721, "2i", 9, srational(_XYZ_TO_SRGB), True),  # ColorMatrix1
        (50778, "H", 1, 21, True),  # CalibrationIlluminant1 = D65
        (50728, "2I", 3, (1, 1, 1, 1, 1, 1), True),  # AsShotNeutral
        (271, "s", 0, make, True),
        (272, "s", 0, model, True),
        (306, "s", 0, datetime_text, True),
        (274, "H", 1, orientation, True),
    ]
    raw_tags = [
        (33421, "H", 2, (2, 2), True),  # CFARepeatPatternDim
        (33422, "B", 4, (0, 1, 1, 2), True),  # CFAPattern RGGB
        (50714, "H", 1, 0, True),  # BlackLevel
        (50717, "H", 1, white, True),  # WhiteLevel
    ]
    buffer = io.BytesIO()
    with tifffile.TiffWriter(buffer) as tif:
        if preview is None:
            tif.write(cfa, photometric=32803, subfiletype=0, extratags=dng_tags + raw_tags)
        else:
            tif.write(preview, photometric="rgb", subfiletype=1, subifds=1, extratags=dng_tags)
            tif.write(cfa, photometric=32803, subfiletype=0, extratags=raw_tags)
    return buffer.getvalue()


def adobe_rgb_like_profile() -> bytes:
    """A minimal ICC v2 matrix/TRC RGB profile with Adobe RGB (1998) primaries and gamma 2.2.

    No ICC file ships in the environment and Pillow only builds sRGB/LAB/XYZ, so the tests make
    one: a wide-gamut RGB profile whose conversion to sRGB visibly changes saturated colours.
    """

    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \x00\x00\x00\x00" + s15(x) + s15(y) + s15(z)

    name = b"Adobe RGB like (FotoAI test)\x00"
    desc = (
        b"desc\x00\x00\x00\x00"
        + struct.pack(">I", len(name))
        + name
        + b"\x00" * 8
        + b"\x00" * 3
        + b"\x00" * 67
    )
    curve = b"curv\x00\x00\x00\x00" + struct.pack(">I", 1) + struct.pack(">H", 0x0233) + b"\x00\x00"
    tags = [
        (b"desc", desc),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.6097, 0.3111, 0.0195)),
        (b"gXYZ", xyz(0.2053, 0.6257, 0.0609)),
        (b"bXYZ", xyz(0.1492, 0.0632, 0.7446)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, payload in tags:
        while (offset + len(body)) % 4:
            body += b"\x00"
        table += signature + struct.pack(">II", offset + len(body), len(payload))
        body += payload
    total = offset + len(body)
    header = (
        struct.pack(">I", total)
        + b"\x00" * 4
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
        + b"acsp"
        + b"\x00" * 24
        + struct.pack(">I", 0)
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)
        + b"\x00" * 48
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body
