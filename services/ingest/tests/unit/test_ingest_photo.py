"""`IngestPhoto` end to end with an in-memory store and a real decode sandbox."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from fotoai.contracts import PhotoIngestedV1, PhotoRejectedV1, RejectReason
from fotoai.ingest.config import IngestOptions
from fotoai.ingest.sandbox import DecodeSandbox, SpillFailed
from fotoai.ingest.use_cases import IngestPhoto
from PIL import Image

OPTIONS = IngestOptions(max_bytes=20 * 1024 * 1024, max_pixels=40_000_000)


@pytest.fixture
def ingest(store, shared_sandbox):
    return IngestPhoto(store, OPTIONS, sandbox=shared_sandbox)


def _open(store, rendition) -> Image.Image:
    data, content_type = store.objects[(rendition.bucket, rendition.key)]
    assert content_type == rendition.mime
    assert len(data) == rendition.bytes
    return Image.open(io.BytesIO(data))


async def test_jpeg_with_exif_is_ingested(samples, store, upload, ingest):
    picture = np.asarray(Image.fromarray(samples.photo("astronaut")).resize((1600, 1200)))
    data = samples.encode(picture, "JPEG", quality=92, exif=samples.exif_block(orientation=6))
    event = upload(data)
    result = await ingest(event)

    assert isinstance(result, PhotoIngestedV1), result
    assert (result.photo_id, result.owner_id) == (event.photo_id, "owner-1")
    assert result.format == "jpeg"
    assert (result.width, result.height, result.orientation) == (1200, 1600, 6)
    assert result.sha256 == event.original.sha256
    assert result.phash is not None and len(result.phash) == 16
    assert result.decode_path == "pillow"
    exif = result.exif
    assert exif.taken_at == datetime(2024, 5, 17, 14, 3, 22, tzinfo=timezone(timedelta(hours=2)))
    assert (exif.camera_make, exif.camera_model, exif.lens) == (
        "FotoAI",
        "Testcam 1",
        "Testlens 24-70mm",
    )
    assert exif.exposure_time == pytest.approx(0.004) and exif.f_number == pytest.approx(2.8)
    assert exif.iso == 400 and exif.focal_length == pytest.approx(35.0)
    assert exif.gps is not None and exif.gps.lat == pytest.approx(48.8583, abs=1e-5)

    by_name = {r.name: r for r in result.renditions}
    assert set(by_name) == {"display", "preview", "thumb_large", "thumb_small"}
    expected = {
        "display": (1200, 1600),  # smaller than the preview side: the preview is the same size
        "preview": (1200, 1600),
        "thumb_large": (768, 1024),
        "thumb_small": (192, 256),
    }
    for name, rendition in by_name.items():
        assert rendition.bucket == "fotoai-renditions"
        assert rendition.key == f"owner-1/{event.photo_id}/{name}.jpg"
        assert rendition.mime == "image/jpeg"
        assert (rendition.width, rendition.height) == expected[name]
        assert _open(store, rendition).size == expected[name]


async def test_redelivery_is_idempotent(samples, store, upload, ingest):
    event = upload(samples.encode(samples.photo("chelsea"), "PNG"))
    first = await ingest(event)
    snapshot = dict(store.objects)
    second = await ingest(event)
    assert first.model_dump(exclude={"occurred_at"}) == second.model_dump(exclude={"occurred_at"})
    assert store.objects == snapshot  # same keys, same bytes


async def test_format_comes_from_the_bytes_not_the_name(samples, upload, ingest):
    event = upload(
        samples.encode(samples.photo("coffee"), "PNG"), content_type="image/jpeg", file_name="x.jpg"
    )
    result = await ingest(event)
    assert isinstance(result, PhotoIngestedV1)
    assert result.format == "png"


def _heic(array: np.ndarray) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "HEIF", quality=80, enc_params={"preset": "ultrafast"})
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("kind", "expected_format", "size", "decode_path"),
    [
        ("png", "png", (600, 400), "pillow"),
        ("webp", "webp", (600, 400), "pillow"),
        ("tiff", "tiff", (600, 400), "pillow"),
        ("gif", "gif", (600, 400), "pillow"),
        ("avif", "avif", (600, 400), "pillow"),
        ("heic", "heic", (150, 100), "pi_heif"),
        ("dng", "raw", (600, 400), "raw_half_demosaic"),
        ("dng_preview", "raw", (600, 400), "raw_preview"),
    ],
)
async def test_every_format_is_ingested(
    samples, upload, ingest, kind, expected_format, size, decode_path
):
    coffee = samples.photo("coffee")
    data = {
        "png": lambda: samples.encode(coffee, "PNG"),
        "webp": lambda: samples.encode(coffee, "WEBP"),
        "tiff": lambda: samples.encode(coffee, "TIFF"),
        "gif": lambda: samples.encode(coffee, "GIF"),
        "avif": lambda: samples.encode(coffee, "AVIF", speed=10),
        "heic": lambda: _heic(np.ascontiguousarray(coffee[::4, ::4])),
        "dng": lambda: samples.bayer_dng(coffee),
        "dng_preview": lambda: samples.bayer_dng(coffee, preview=coffee),
    }[kind]()
    result = await ingest(upload(data, content_type="application/octet-stream"))
    assert isinstance(result, PhotoIngestedV1), result
    assert result.format == expected_format
    assert (result.width, result.height) == size
    assert result.decode_path == decode_path
    assert len(result.renditions) == 4


async def test_webp_renditions_option(samples, store, upload, shared_sandbox):
    options = OPTIONS.model_copy(update={"display_encoding": "webp", "thumb_encoding": "webp"})
    result = await IngestPhoto(store, options, sandbox=shared_sandbox)(
        upload(samples.encode(samples.photo("coffee"), "JPEG"))
    )
    served = [r for r in result.renditions if r.name != "preview"]
    assert {r.key.rsplit(".", 1)[1] for r in served} == {"webp"}
    assert all(_open(store, r).format == "WEBP" for r in served)
    # The preview is the other stages' working copy: always a JPEG.
    [preview] = [r for r in result.renditions if r.name == "preview"]
    assert _open(store, preview).format == "JPEG"


# --- one test per reason code --------------------------------------------------------------------


def _assert_rejected(result, reason: RejectReason) -> None:
    assert isinstance(result, PhotoRejectedV1), result
    assert result.reason is reason, result.message
    assert result.message


async def test_missing_object(store, upload, ingest, samples):
    event = upload(samples.encode(samples.photo("coffee"), "PNG"))
    store.objects.clear()
    _assert_rejected(await ingest(event), RejectReason.MISSING_OBJECT)


async def test_too_large_from_the_declared_size(store, upload, ingest):
    event = upload(b"\xff\xd8\xff" + b"\x00" * 100, declared_size=OPTIONS.max_bytes + 1)
    _assert_rejected(await ingest(event), RejectReason.TOO_LARGE)
    assert store.gets == 0  # refused without downloading


async def test_too_large_when_the_declared_size_lies(store, upload, ingest):
    event = upload(b"\xff\xd8\xff" + b"\x00" * (OPTIONS.max_bytes + 10), declared_size=1000)
    _assert_rejected(await ingest(event), RejectReason.TOO_LARGE)


async def test_empty(upload, ingest):
    _assert_rejected(await ingest(upload(b"")), RejectReason.EMPTY)


async def test_unsupported_format(upload, ingest):
    _assert_rejected(
        await ingest(upload(b"%PDF-1.7\n" + b"x" * 500, content_type="image/jpeg")),
        RejectReason.UNSUPPORTED_FORMAT,
    )


async def test_corrupt_truncated_jpeg(samples, upload, ingest):
    data = samples.encode(samples.photo("astronaut"), "JPEG")
    _assert_rejected(await ingest(upload(data[: len(data) // 2])), RejectReason.CORRUPT)


async def test_corrupt_when_bytes_do_not_match_the_uploaded_hash(samples, store, upload, ingest):
    event = upload(samples.encode(samples.photo("coffee"), "PNG"))
    key = (event.original.bucket, event.original.key)
    store.objects[key] = (samples.encode(samples.photo("chelsea"), "PNG"), "image/png")
    _assert_rejected(await ingest(event), RejectReason.CORRUPT)


async def test_too_many_pixels_bomb(samples, upload, ingest):
    _assert_rejected(
        await ingest(upload(samples.png_bomb(30000, 30000))), RejectReason.TOO_MANY_PIXELS
    )


async def test_decode_timeout_and_the_consumer_keeps_going(samples, store, upload):
    big = np.asarray(Image.fromarray(samples.photo("astronaut")).resize((4000, 3000)))
    slow = samples.encode(big, "PNG", compress_level=1)
    quick = samples.encode(samples.photo("coffee")[:64, :64], "PNG")
    sandbox = DecodeSandbox(workers=1, timeout_s=0.05)
    async with IngestPhoto(store, OPTIONS, sandbox=sandbox) as ingest:
        _assert_rejected(await ingest(upload(slow)), RejectReason.DECODE_TIMEOUT)
        assert ingest.sandbox_restarts == 1
        sandbox.timeout_s = 30.0
        assert isinstance(await ingest(upload(quick)), PhotoIngestedV1)


async def test_hostile_exif_does_not_stop_ingestion(samples, upload, ingest):
    block = bytearray(samples.exif_block(orientation=3))
    for i in range(30, len(block), 7):
        block[i] ^= 0x5A
    data = samples.encode(samples.photo("coffee"), "JPEG", exif=bytes(block))
    result = await ingest(upload(data))
    assert isinstance(result, PhotoIngestedV1), result
    assert 1 <= result.orientation <= 8


async def test_upright_jpeg_is_reused_as_display_without_its_gps(samples, store, upload, ingest):
    data = samples.encode(samples.photo("chelsea"), "JPEG", quality=85, exif=samples.exif_block())
    result = await ingest(upload(data))
    assert isinstance(result, PhotoIngestedV1), result
    assert result.exif.gps is not None  # reported in the event …
    display = next(r for r in result.renditions if r.name == "display")
    stored = _open(store, display)
    assert not stored.getexif()  # … but not served in the rendition
    assert np.array_equal(np.asarray(stored), np.asarray(Image.open(io.BytesIO(data))))


class _CrashFirstCall(DecodeSandbox):
    """A real sandbox whose first call really segfaults its worker, like a hostile file would."""

    crashed = False

    async def run(self, fn, *args):
        if not self.crashed:
            import ctypes

            self.crashed = True
            return await super().run(ctypes.string_at, 0)
        return await super().run(fn, *args)


async def test_decoder_crash_rejects_that_photo_and_the_next_one_succeeds(samples, store, upload):
    sandbox = _CrashFirstCall(workers=1, timeout_s=30.0)
    async with IngestPhoto(store, OPTIONS, sandbox=sandbox) as ingest:
        data = samples.encode(samples.photo("coffee"), "PNG")
        _assert_rejected(await ingest(upload(data)), RejectReason.CORRUPT)
        assert ingest.sandbox_restarts == 1
        assert isinstance(await ingest(upload(data)), PhotoIngestedV1)


async def test_a_full_disk_is_a_retry_never_a_corrupt_photo(samples, store, upload, monkeypatch):
    import fotoai.ingest.sandbox as sandbox_module

    def nowhere(directory, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sandbox_module, "_write_spill", nowhere)
    data = samples.encode(samples.photo("coffee"), "PNG")
    sandbox = DecodeSandbox(workers=1, timeout_s=30.0, spill_bytes=1)
    async with IngestPhoto(store, OPTIONS, sandbox=sandbox) as ingest:
        # raised, not answered: the consumer's retry policy tries the upload again later
        with pytest.raises(SpillFailed):
            await ingest(upload(data))
        monkeypatch.undo()
        assert isinstance(await ingest(upload(data)), PhotoIngestedV1)
