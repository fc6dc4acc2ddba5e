"""Image format detection from the bytes themselves (magic numbers), never from names.

`detect_format` looks at the head of a file and answers which decoder family owns it. TIFF
needs a closer look: camera RAW files (DNG, NEF, ARW, CR2, PEF, …) are TIFF containers too, and
must go to LibRaw rather than to Pillow, so the first IFD is walked (bounded) for the tags that
give them away.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import StrEnum

# Enough for every signature below, including the ISO-BMFF `ftyp` compatible-brand list.
HEAD_BYTES = 64


class ImageFormat(StrEnum):
    JPEG = "jpeg"
    PNG = "png"
    WEBP = "webp"
    TIFF = "tiff"
    GIF = "gif"
    HEIC = "heic"
    AVIF = "avif"
    RAW = "raw"


class RawKind(StrEnum):
    DNG = "dng"
    CR2 = "cr2"
    CR3 = "cr3"
    NEF = "nef"
    ARW = "arw"
    RAF = "raf"
    ORF = "orf"
    RW2 = "rw2"
    PEF = "pef"
    TIFF_RAW = "tiff_raw"


@dataclass(frozen=True, slots=True)
class Detected:
    """What `detect_format` found: the family, and for RAW which container it is."""

    format: ImageFormat
    raw_kind: RawKind | None = None


_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}
_HEIF_GENERIC_BRANDS = {b"mif1", b"msf1", b"mif2"}
_AVIF_BRANDS = {b"avif", b"avis"}

# TIFF tags that mark a raw sensor dump rather than a picture.
_TAG_MAKE = 271
_TAG_PHOTOMETRIC = 262
_TAG_SUBIFDS = 330
_TAG_DNG_VERSION = 50706
_RAW_PHOTOMETRIC = {32803, 34892}  # CFA, LinearRaw
_MAX_IFD_ENTRIES = 1024

_MAKER_RAW_KIND = {
    "NIKON": RawKind.NEF,
    "SONY": RawKind.ARW,
    "PENTAX": RawKind.PEF,
    "RICOH": RawKind.PEF,
    "CANON": RawKind.CR2,
    "OLYMPUS": RawKind.ORF,
    "OM DIGITAL": RawKind.ORF,
    "PANASONIC": RawKind.RW2,
    "LEICA": RawKind.DNG,
    "HASSELBLAD": RawKind.TIFF_RAW,
    "PHASE ONE": RawKind.TIFF_RAW,
    "KODAK": RawKind.TIFF_RAW,
    "SAMSUNG": RawKind.TIFF_RAW,
    "MAMIYA": RawKind.TIFF_RAW,
}


def detect_format(data: bytes) -> Detected | None:
    """The format family of `data`, or None when no supported signature matches."""
    head = data[:HEAD_BYTES]
    if head.startswith(b"\xff\xd8\xff"):
        return Detected(ImageFormat.JPEG)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected(ImageFormat.PNG)
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Detected(ImageFormat.GIF)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Detected(ImageFormat.WEBP)
    if head.startswith(b"FUJIFILMCCD-RAW"):
        return Detected(ImageFormat.RAW, RawKind.RAF)
    if head[:4] in (b"IIRO", b"IIRS", b"MMOR"):
        return Detected(ImageFormat.RAW, RawKind.ORF)
    if head[:4] == b"IIU\x00":
        return Detected(ImageFormat.RAW, RawKind.RW2)
    if head[4:8] == b"ftyp":
        return _detect_bmff(head)
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        if head[8:10] == b"CR" and head[10] == 2:
            return Detected(ImageFormat.RAW, RawKind.CR2)
        kind = _tiff_raw_kind(data)
        return Detected(ImageFormat.RAW, kind) if kind else Detected(ImageFormat.TIFF)
    if head[:4] in (b"II+\x00", b"MM\x00+"):
        return Detected(ImageFormat.TIFF)  # BigTIFF: no camera writes RAW as BigTIFF
    return None


def _detect_bmff(head: bytes) -> Detected | None:
    box_size = struct.unpack(">I", head[:4])[0]
    major = head[8:12]
    end = min(len(head), box_size) if box_size >= 16 else len(head)
    brands = {major} | {head[i : i + 4] for i in range(16, end - 3, 4)}
    if major == b"crx ":
        return Detected(ImageFormat.RAW, RawKind.CR3)
    # AVIF files also list mif1, so the codec-specific brands decide before the generic ones.
    if brands & _AVIF_BRANDS:
        return Detected(ImageFormat.AVIF)
    if brands & _HEIF_BRANDS or brands & _HEIF_GENERIC_BRANDS:
        return Detected(ImageFormat.HEIC)
    return None


def _tiff_raw_kind(data: bytes) -> RawKind | None:
    """The RAW kind of a TIFF container, or None for an ordinary TIFF picture."""
    endian = "<" if data[:2] == b"II" else ">"
    try:
        (ifd0,) = struct.unpack(endian + "I", data[4:8])
        entries = _read_ifd(data, ifd0, endian)
    except (struct.error, ValueError):
        return None
    if _TAG_DNG_VERSION in entries:
        return RawKind.DNG
    photometric = _short_value(entries.get(_TAG_PHOTOMETRIC), endian)
    if photometric in _RAW_PHOTOMETRIC:
        return RawKind.TIFF_RAW
    make = _ascii_value(data, entries.get(_TAG_MAKE), endian)
    sub_photometrics = []
    for offset in _sub_ifd_offsets(data, entries.get(_TAG_SUBIFDS), endian):
        try:
            sub = _read_ifd(data, offset, endian)
        except (struct.error, ValueError):
            continue
        sub_photometrics.append(_short_value(sub.get(_TAG_PHOTOMETRIC), endian))
    if any(p in _RAW_PHOTOMETRIC for p in sub_photometrics):
        return _MAKER_RAW_KIND.get(_maker_key(make) or "", RawKind.TIFF_RAW)
    maker = _maker_key(make)
    if maker and _TAG_SUBIFDS in entries and maker in _MAKER_RAW_KIND:
        return _MAKER_RAW_KIND[maker]
    return None


def _maker_key(make: str | None) -> str | None:
    if not make:
        return None
    upper = make.upper()
    for key in _MAKER_RAW_KIND:
        if upper.startswith(key):
            return key
    return None


def _read_ifd(data: bytes, offset: int, endian: str) -> dict[int, tuple[int, int, bytes]]:
    """Tag → (type, count, raw 4-byte value field) of one classic TIFF IFD."""
    if offset < 8 or offset + 2 > len(data):
        raise ValueError("IFD offset out of range")
    (count,) = struct.unpack(endian + "H", data[offset : offset + 2])
    if count > _MAX_IFD_ENTRIES:
        raise ValueError("implausible IFD")
    entries: dict[int, tuple[int, int, bytes]] = {}
    for i in range(count):
        start = offset + 2 + 12 * i
        chunk = data[start : start + 12]
        if len(chunk) < 12:
            break
        tag, typ, n = struct.unpack(endian + "HHI", chunk[:8])
        entries[tag] = (typ, n, chunk[8:12])
    return entries


def _short_value(entry: tuple[int, int, bytes] | None, endian: str) -> int | None:
    if entry is None:
        return None
    typ, _, value = entry
    if typ == 3:
        return struct.unpack(endian + "H", value[:2])[0]
    if typ == 4:
        return struct.unpack(endian + "I", value)[0]
    return None


def _ascii_value(data: bytes, entry: tuple[int, int, bytes] | None, endian: str) -> str | None:
    if entry is None or entry[0] != 2:
        return None
    _, n, value = entry
    n = min(n, 256)
    if n <= 4:
        raw = value[:n]
    else:
        (off,) = struct.unpack(endian + "I", value)
        raw = data[off : off + n]
    return raw.split(b"\x00", 1)[0].decode("latin-1").strip() or None


def _sub_ifd_offsets(data: bytes, entry: tuple[int, int, bytes] | None, endian: str) -> list[int]:
    if entry is None:
        return []
    typ, n, value = entry
    if typ not in (4, 13) or n == 0:
        return []
    n = min(n, 8)
    if n == 1:
        return [struct.unpack(endian + "I", value)[0]]
    (off,) = struct.unpack(endian + "I", value)
    raw = data[off : off + 4 * n]
    return list(struct.unpack(endian + f"{len(raw) // 4}I", raw[: len(raw) // 4 * 4]))
