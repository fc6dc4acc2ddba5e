"""enhance's `register_handlers` on the real Kafka: its error mapping. A source that cannot be
used (missing, too large, undecodable) is parked on `dlq.enhance` at the first attempt, any
other error is retried first, and a result is published on `photo.enhanced.v1`."""

from __future__ import annotations

import pytest
from fotoai.contracts import PhotoEnhancedV1, PhotoIngestedV1, PhotoStageFailedV1, follow
from fotoai.enhance.domain.codec import UndecodableImage
from fotoai.enhance.entrypoints.kafka import register_handlers
from fotoai.enhance.ports import ObjectMissing, ObjectTooLarge
from fotoai.enhance.use_cases import MissingSourceRendition

from tests.wiring import RETRY_ATTEMPTS, Wiring, parked

pytestmark = pytest.mark.integration

PERMANENT = (MissingSourceRendition, ObjectMissing, ObjectTooLarge, UndecodableImage)


async def test_permanent_errors_are_parked_at_once_and_others_retried(stack_env) -> None:
    wiring = Wiring(stack_env, "enhance")
    ok = wiring.ingested()
    permanent = {cls: wiring.ingested() for cls in PERMANENT}
    transient = wiring.ingested()
    attempts: dict[str, int] = {}

    async def enhance_photo(event: PhotoIngestedV1) -> PhotoEnhancedV1:
        attempts[event.photo_id] = attempts.get(event.photo_id, 0) + 1
        for cls, doomed in permanent.items():
            if event.photo_id == doomed.photo_id:
                raise cls(f"stub: {cls.__name__}")
        if event.photo_id == transient.photo_id:
            raise TimeoutError("stub: the store is slow")
        return follow(event, PhotoEnhancedV1, rendition=event.renditions[0], duration_ms=1.0)

    register_handlers(wiring.private, enhance_photo, concurrency=2)  # type: ignore[arg-type]
    await wiring.start()
    try:
        for event in (ok, *permanent.values(), transient):
            await wiring.publish(event)
        got = await wiring.collect(
            ["photo.enhanced.v1", wiring.dlq, "photo.stage-failed.v1"],
            lambda rs: len(parked(rs, wiring.dlq)) == len(PERMANENT) + 1
            and any(r.topic == "photo.enhanced.v1" for r in rs)
            and len([r for r in rs if r.topic == "photo.stage-failed.v1"]) == len(PERMANENT) + 1,
        )
    finally:
        await wiring.stop()

    assert {r.key.decode() for r in got if r.topic == "photo.enhanced.v1"} == {ok.photo_id}
    dead = parked(got, wiring.dlq)
    for cls, doomed in permanent.items():
        assert dead[doomed.photo_id]["x-fotoai-error-type"] == "PermanentError", cls
        assert dead[doomed.photo_id]["x-fotoai-attempts"] == "1" and attempts[doomed.photo_id] == 1
        assert f"stub: {cls.__name__}" in dead[doomed.photo_id]["x-fotoai-error"]
    assert dead[transient.photo_id]["x-fotoai-error-type"] == "TimeoutError"
    assert dead[transient.photo_id]["x-fotoai-attempts"] == str(RETRY_ATTEMPTS) == str(attempts[transient.photo_id])
    reports = [PhotoStageFailedV1.model_validate_json(r.value) for r in got if r.topic == "photo.stage-failed.v1"]
    assert {r.photo_id for r in reports} == set(dead) and {r.stage for r in reports} == {"enhance"}
