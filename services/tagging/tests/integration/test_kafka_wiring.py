"""tagging's `register_handlers` on the real Kafka: its error mapping. An event with nothing to
tag is parked on `dlq.tagging` at the first attempt, any other error is retried first, and a
result is published on `photo.tagged.v1`."""

from __future__ import annotations

import pytest
from fotoai.contracts import PhotoIngestedV1, PhotoStageFailedV1, PhotoTaggedV1, Tag, follow
from fotoai.tagging.entrypoints.kafka import register_handlers
from fotoai.tagging.use_cases import NothingToTag

from tests.wiring import RETRY_ATTEMPTS, Wiring, parked

pytestmark = pytest.mark.integration


async def test_nothing_to_tag_is_parked_at_once_and_other_errors_retried(stack_env) -> None:
    wiring = Wiring(stack_env, "tagging")
    ok, empty, flaky = wiring.ingested(), wiring.ingested(), wiring.ingested()
    attempts: dict[str, int] = {}

    async def tag_photo(event: PhotoIngestedV1) -> PhotoTaggedV1:
        attempts[event.photo_id] = attempts.get(event.photo_id, 0) + 1
        if event.photo_id == empty.photo_id:
            raise NothingToTag("stub: no usable rendition")
        if event.photo_id == flaky.photo_id:
            raise ConnectionError("stub: model server gone")
        return follow(event, PhotoTaggedV1, tags=[Tag(label="cat", score=0.9, source="stub")],
                      model_id="stub", model_version="1", duration_ms=1.0)

    register_handlers(wiring.private, tag_photo, concurrency=2)  # type: ignore[arg-type]
    await wiring.start()
    try:
        for event in (ok, empty, flaky):
            await wiring.publish(event)
        got = await wiring.collect(
            ["photo.tagged.v1", wiring.dlq, "photo.stage-failed.v1"],
            lambda rs: len(parked(rs, wiring.dlq)) == 2 and any(r.topic == "photo.tagged.v1" for r in rs)
            and len([r for r in rs if r.topic == "photo.stage-failed.v1"]) == 2,
        )
    finally:
        await wiring.stop()

    [tagged] = [PhotoTaggedV1.model_validate_json(r.value) for r in got if r.topic == "photo.tagged.v1"]
    assert tagged.photo_id == ok.photo_id and tagged.tags[0].label == "cat"
    dead = parked(got, wiring.dlq)
    assert dead[empty.photo_id]["x-fotoai-error-type"] == "PermanentError"
    assert dead[empty.photo_id]["x-fotoai-attempts"] == "1" == str(attempts[empty.photo_id])
    assert dead[flaky.photo_id]["x-fotoai-error-type"] == "ConnectionError"
    assert dead[flaky.photo_id]["x-fotoai-attempts"] == str(RETRY_ATTEMPTS) == str(attempts[flaky.photo_id])
    reports = [PhotoStageFailedV1.model_validate_json(r.value) for r in got if r.topic == "photo.stage-failed.v1"]
    assert {r.photo_id for r in reports} == {empty.photo_id, flaky.photo_id}
    assert {r.stage for r in reports} == {"tagging"}
