"""ingest's `register_handlers` on the real Kafka and object store: an upload becomes
`photo.ingested.v1`, a file ingest refuses becomes `photo.rejected.v1` (a domain answer, not a
failure), and a failure that persists is retried, parked on `dlq.ingest` and reported as
`photo.stage-failed.v1`."""

from __future__ import annotations

import hashlib
import io

import pytest
from fotoai.contracts import PhotoRejectedV1, PhotoStageFailedV1, PhotoUploadedV1
from fotoai.ingest.config import IngestOptions
from fotoai.ingest.entrypoints.kafka import register_handlers
from fotoai.ingest.ports import ObjectMissing, ObjectTooLarge
from fotoai.ingest.use_cases import IngestPhoto
from fotoai.servicekit.storage import PortStore, store_from_settings
from PIL import Image

from tests.wiring import RETRY_ATTEMPTS, Wiring, parked

pytestmark = pytest.mark.integration


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, "JPEG", quality=90)
    return out.getvalue()


async def test_uploads_are_ingested_rejected_or_parked(stack_env) -> None:
    wiring = Wiring(stack_env, "ingest")
    store = store_from_settings(wiring.settings)
    ingest_photo = IngestPhoto(PortStore(store, ObjectMissing, ObjectTooLarge), IngestOptions(decode_workers=1))
    await ingest_photo.start()

    good_bytes = jpeg()
    good = wiring.uploaded(size=len(good_bytes), sha256=hashlib.sha256(good_bytes).hexdigest())
    missing = wiring.uploaded()  # its original was never stored
    broken = wiring.uploaded()  # the store keeps failing for this one
    attempts: dict[str, int] = {}

    async def use_case(event: PhotoUploadedV1):  # the real use case, with one photo's store down
        if event.photo_id == broken.photo_id:
            attempts[event.photo_id] = attempts.get(event.photo_id, 0) + 1
            raise ConnectionError("object store unreachable")
        return await ingest_photo(event)

    register_handlers(wiring.private, use_case)  # type: ignore[arg-type]
    await store.put_bytes(good.original.bucket, good.original.key, good_bytes, "image/jpeg")
    await wiring.start()
    try:
        for event in (good, missing, broken):
            await wiring.publish(event)
        got = await wiring.collect(
            ["photo.ingested.v1", "photo.rejected.v1", wiring.dlq, "photo.stage-failed.v1"],
            lambda rs: {r.topic for r in rs} >= {"photo.ingested.v1", "photo.rejected.v1", wiring.dlq,
                                                 "photo.stage-failed.v1"},
        )
    finally:
        await wiring.stop()
        await ingest_photo.aclose()

    by_topic = {(r.topic, r.key.decode()) for r in got}
    assert ("photo.ingested.v1", good.photo_id) in by_topic
    [rejected] = [PhotoRejectedV1.model_validate_json(r.value) for r in got if r.topic == "photo.rejected.v1"]
    assert rejected.photo_id == missing.photo_id and rejected.reason == "missing_object"
    assert (wiring.dlq, missing.photo_id) not in by_topic, "a refusal is an answer, not a failure"

    dead = parked(got, wiring.dlq)[broken.photo_id]
    assert dead["x-fotoai-error-type"] == "ConnectionError"
    assert dead["x-fotoai-attempts"] == str(RETRY_ATTEMPTS) == str(attempts[broken.photo_id])
    assert dead["ce_type"] == "fotoai.photo.uploaded.v1"
    [report] = [PhotoStageFailedV1.model_validate_json(r.value) for r in got if r.topic == "photo.stage-failed.v1"]
    assert (report.photo_id, report.stage, report.dead_letter_topic) == (broken.photo_id, "ingest", "dlq.ingest")
