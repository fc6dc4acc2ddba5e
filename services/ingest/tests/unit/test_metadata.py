"""EXIF subset reading: the happy path, offsets, GPS hemispheres, and hostile values."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from fotoai.ingest.domain.metadata import (
    Gps,
    PhotoMetadata,
    load_exif,
    orientation_of,
    read_metadata,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from PIL.TiffImagePlugin import IFDRational


def test_full_exif_round_trip(samples):
    meta = read_metadata(load_exif(samples.exif_block(orientation=6)))
    assert meta.taken_at == datetime(2024, 5, 17, 14, 3, 22, tzinfo=timezone(timedelta(hours=2)))
    assert meta.camera_make == "FotoAI"
    assert meta.camera_model == "Testcam 1"
    assert meta.lens == "Testlens 24-70mm"
    assert meta.exposure_time == pytest.approx(1 / 250)
    assert meta.f_number == pytest.approx(2.8)
    assert meta.iso == 400
    assert meta.focal_length == pytest.approx(35.0)
    assert meta.gps is not None
    assert meta.gps.lat == pytest.approx(48.8583, abs=1e-5)
    assert meta.gps.lon == pytest.approx(-2.2945, abs=1e-5)  # W hemisphere is negative
    assert meta.gps.alt == pytest.approx(35.0)
    assert orientation_of(load_exif(samples.exif_block(orientation=6))) == 6


def test_without_offset_taken_at_is_naive(samples):
    meta = read_metadata(load_exif(samples.exif_block(offset=None)))
    assert meta.taken_at == datetime(2024, 5, 17, 14, 3, 22)
    assert meta.taken_at.tzinfo is None


def test_southern_hemisphere_and_below_sea_level(samples):
    exif = load_exif(samples.exif_block(gps=(-33.8568, 151.2153, 12.0)))
    exif.get_ifd(0x8825)[5] = b"\x01"
    meta = read_metadata(exif)
    assert meta.gps == Gps(
        lat=pytest.approx(-33.8568, abs=1e-5), lon=pytest.approx(151.2153, abs=1e-5), alt=-12.0
    )


def test_no_exif_at_all():
    assert read_metadata(None) == PhotoMetadata()
    assert load_exif(b"") is None
    assert orientation_of(None) == 1


def _exif(ifd0: dict, sub: dict | None = None, gps: dict | None = None) -> Image.Exif:
    exif = Image.Exif()
    for tag, value in ifd0.items():
        exif[tag] = value
    if sub:
        exif[0x8769] = sub
    if gps:
        exif[0x8825] = gps
    loaded = load_exif(exif.tobytes())
    assert loaded is not None
    return loaded


@pytest.mark.parametrize("value", [0, 9, 99, 65535])
def test_orientation_out_of_range_reads_upright(value):
    assert orientation_of(_exif({0x0112: value})) == 1


def test_hostile_values_are_dropped_not_raised():
    exif = _exif(
        {0x010F: "Evil\x00Corp hidden", 0x0110: "A" * 5000},
        sub={
            0x9003: "9999:99:99 99:99:99",  # impossible date
            0x9011: "+99:99",
            0x829A: IFDRational(1, 0),  # zero denominator
            0x829D: IFDRational(10**9, 1),  # f/1e9
            0x8827: 2**31 - 1,  # ISO two billion
            0x920A: IFDRational(-35, 1),  # negative focal length
            0xA434: b"\xff\xfe\x00garbage",
        },
        gps={
            1: "X",
            2: (IFDRational(200, 1), IFDRational(0, 1), IFDRational(0, 1)),
            3: "E",
            4: (IFDRational(1, 0),),
        },
    )
    meta = read_metadata(exif)
    assert meta.camera_make == "Evil"  # cut at the NUL, as C readers would
    assert meta.camera_model == "A" * 128
    assert meta.taken_at is None
    assert meta.exposure_time is None
    assert meta.f_number is None
    assert meta.iso is None
    assert meta.focal_length is None
    assert meta.gps is None


def test_wrong_types_everywhere():
    exif = _exif(
        {0x010F: b"\xff\xfe\x00"},
        sub={
            0x9003: "not a date at all",
            0x829A: (IFDRational(1, 250), IFDRational(1, 2)),
            0x8827: (100, 200),
            0x920A: (IFDRational(35, 1), IFDRational(70, 1)),
        },
        gps={1: "N", 2: (IFDRational(48, 1),) * 5, 3: "E", 4: IFDRational(2, 1)},
    )
    meta = read_metadata(exif)
    # Pillow reads EXIF ASCII as latin-1, so binary junk in Make survives as printable text.
    assert meta.camera_make in (None, "ÿþ")
    assert meta == PhotoMetadata(camera_make=meta.camera_make)


def test_null_island_gps_is_dropped():
    zero = (IFDRational(0, 1), IFDRational(0, 1), IFDRational(0, 1))
    assert read_metadata(_exif({}, gps={1: "N", 2: zero, 3: "E", 4: zero})).gps is None


def test_datetime_fallbacks_and_subseconds():
    exif = _exif({0x0132: "2020:01:02 03:04:05"})
    assert read_metadata(exif).taken_at == datetime(2020, 1, 2, 3, 4, 5)
    exif = _exif({}, sub={0x9003: "2021:06:07 08:09:10", 0x9291: "25", 0x9011: "-05:30"})
    assert read_metadata(exif).taken_at == datetime(
        2021, 6, 7, 8, 9, 10, 250000, tzinfo=timezone(-timedelta(hours=5, minutes=30))
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_mutated_exif_never_raises(samples, data):
    block = bytearray(samples.exif_block(orientation=3))
    for _ in range(data.draw(st.integers(1, 12))):
        position = data.draw(st.integers(0, len(block) - 1))
        block[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(8, len(block)))
    exif = load_exif(bytes(block[:cut]))
    meta = read_metadata(exif)
    assert isinstance(meta, PhotoMetadata)
    assert 1 <= orientation_of(exif) <= 8
    if meta.gps is not None:
        assert -90 <= meta.gps.lat <= 90 and -180 <= meta.gps.lon <= 180
