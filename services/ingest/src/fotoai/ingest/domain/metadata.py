"""EXIF reading that never breaks ingestion: orientation, capture time, camera, exposure, GPS.

Every field is read on its own and validated against a plausible range; a value of the wrong type,
out of range, or that makes Pillow raise is dropped, never propagated. Pixel data is not touched.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from PIL import Image

_IFD_EXIF = 0x8769
_IFD_GPS = 0x8825

_ORIENTATION = 0x0112
_MAKE = 0x010F
_MODEL = 0x0110
_DATETIME = 0x0132
_DATETIME_ORIGINAL = 0x9003
_DATETIME_DIGITIZED = 0x9004
_OFFSET_TIME = 0x9010
_OFFSET_TIME_ORIGINAL = 0x9011
_OFFSET_TIME_DIGITIZED = 0x9012
_SUBSEC_ORIGINAL = 0x9291
_EXPOSURE_TIME = 0x829A
_F_NUMBER = 0x829D
_ISO = 0x8827
_FOCAL_LENGTH = 0x920A
_LENS_MODEL = 0xA434
_LENS_MAKE = 0xA433

_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON, _GPS_ALT_REF, _GPS_ALT = 1, 2, 3, 4, 5, 6

_MAX_TEXT = 128
_DATETIME_RE = re.compile(r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET_RE = re.compile(r"^\s*([+-])(\d{2}):?(\d{2})\s*$")


@dataclass(frozen=True, slots=True)
class Gps:
    lat: float
    lon: float
    alt: float | None = None


@dataclass(frozen=True, slots=True)
class PhotoMetadata:
    """The EXIF subset the catalog keeps; every field optional."""

    taken_at: datetime | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    lens: str | None = None
    exposure_time: float | None = None
    f_number: float | None = None
    iso: int | None = None
    focal_length: float | None = None
    gps: Gps | None = None


def orientation_of(exif: Image.Exif | None) -> int:
    """The EXIF orientation 1..8; anything else (missing, garbage) reads as 1, upright."""
    if exif is None:
        return 1
    try:
        value = _scalar(exif.get(_ORIENTATION))
        value = int(value) if value is not None else 1
    except Exception:  # noqa: BLE001 - hostile EXIF must not stop ingestion
        return 1
    return value if 1 <= value <= 8 else 1


def load_exif(blob: bytes | None) -> Image.Exif | None:
    """Parse a raw EXIF block (with or without the `Exif\\0\\0` prefix, or a whole TIFF file)."""
    if not blob:
        return None
    exif = Image.Exif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns about every skipped broken tag
            exif.load(blob)
    except Exception:  # noqa: BLE001
        return None
    return exif


def read_metadata(exif: Image.Exif | None) -> PhotoMetadata:
    """The catalog's EXIF subset; fields that are absent or implausible are None."""
    if exif is None:
        return PhotoMetadata()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _read(exif)


def _read(exif: Image.Exif) -> PhotoMetadata:
    ifd0 = _safe_dict(lambda: dict(exif.items()))
    sub = _safe_dict(lambda: exif.get_ifd(_IFD_EXIF))
    gps = _safe_dict(lambda: exif.get_ifd(_IFD_GPS))
    merged = {**ifd0, **sub}  # the Exif sub-IFD is the more specific source

    lens = _text(merged.get(_LENS_MODEL))
    return PhotoMetadata(
        taken_at=_taken_at(merged),
        camera_make=_text(merged.get(_MAKE)),
        camera_model=_text(merged.get(_MODEL)),
        lens=lens,
        exposure_time=_number(merged.get(_EXPOSURE_TIME), 1e-6, 3600.0),
        f_number=_number(merged.get(_F_NUMBER), 0.3, 1024.0),
        iso=_integer(merged.get(_ISO), 1, 10_000_000),
        focal_length=_number(merged.get(_FOCAL_LENGTH), 0.1, 10_000.0),
        gps=_gps(gps),
    )


def _safe_dict(get: Any) -> dict[int, Any]:
    try:
        value = get()
    except Exception:  # noqa: BLE001
        return {}
    return dict(value) if isinstance(value, dict) else {}


def _scalar(value: Any) -> Any:
    # Writers put single values in 1-tuples; hostile ones put anything in tuples.
    if isinstance(value, (tuple, list)):
        return value[0] if len(value) == 1 else None
    return value


def _to_float(value: Any) -> float | None:
    value = _scalar(value)
    if value is None or isinstance(value, (str, bytes, bool)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _number(value: Any, low: float, high: float) -> float | None:
    number = _to_float(value)
    if number is None or not low <= number <= high:
        return None
    return round(number, 6)


def _integer(value: Any, low: int, high: int) -> int | None:
    number = _to_float(value)
    if number is None or not low <= number <= high:
        return None
    return int(number)


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    cleaned = "".join(ch for ch in value.split("\x00", 1)[0] if ch.isprintable()).strip()
    return cleaned[:_MAX_TEXT] or None


def _taken_at(tags: dict[int, Any]) -> datetime | None:
    for date_tag, offset_tag in (
        (_DATETIME_ORIGINAL, _OFFSET_TIME_ORIGINAL),
        (_DATETIME_DIGITIZED, _OFFSET_TIME_DIGITIZED),
        (_DATETIME, _OFFSET_TIME),
    ):
        text = _text(tags.get(date_tag))
        if not text:
            continue
        match = _DATETIME_RE.match(text)
        if not match:
            continue
        try:
            moment = datetime(*(int(part) for part in match.groups()))  # type: ignore[arg-type]
        except ValueError:
            continue
        if date_tag == _DATETIME_ORIGINAL:
            moment = moment.replace(microsecond=_subsec(tags.get(_SUBSEC_ORIGINAL)))
        offset = _offset(tags.get(offset_tag))
        return moment.replace(tzinfo=offset) if offset else moment
    return None


def _subsec(value: Any) -> int:
    text = _text(value)
    if not text or not text.isdigit():
        return 0
    return int((text + "000000")[:6])


def _offset(value: Any) -> timezone | None:
    text = _text(value)
    if not text:
        return None
    match = _OFFSET_RE.match(text)
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > timedelta(hours=14) or int(minutes) >= 60:
        return None
    return timezone(-delta if sign == "-" else delta)


def _gps(tags: dict[int, Any]) -> Gps | None:
    lat = _degrees(tags.get(_GPS_LAT))
    lon = _degrees(tags.get(_GPS_LON))
    if lat is None or lon is None:
        return None
    if _text(tags.get(_GPS_LAT_REF)) in ("S", "s"):
        lat = -lat
    if _text(tags.get(_GPS_LON_REF)) in ("W", "w"):
        lon = -lon
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    if lat == 0.0 and lon == 0.0:
        return None  # "null island": what broken GPS modules write before a fix
    alt = _number(tags.get(_GPS_ALT), 0.0, 100_000.0)
    if alt is not None and _alt_below_sea(tags.get(_GPS_ALT_REF)):
        alt = -alt
    return Gps(lat=round(lat, 7), lon=round(lon, 7), alt=alt)


def _alt_below_sea(value: Any) -> bool:
    value = _scalar(value)
    if isinstance(value, bytes):
        return value[:1] == b"\x01"
    return value == 1


def _degrees(value: Any) -> float | None:
    if not isinstance(value, (tuple, list)) or not 1 <= len(value) <= 3:
        return None
    parts = [_to_float(part) for part in value]
    if any(part is None or part < 0 for part in parts):
        return None
    degrees = sum(part / 60**i for i, part in enumerate(parts))
    return degrees if math.isfinite(degrees) else None
