"""Pieces of the event bus that need no broker."""

from fotoai.servicekit.bus import SeenEvents


def test_seen_events_is_bounded_and_remembers_recent_ids():
    seen = SeenEvents(size=3)
    for i in range(5):
        seen.add(str(i))
    assert "0" not in seen and "1" not in seen
    assert all(str(i) in seen for i in (2, 3, 4))


def test_a_stage_failure_is_reported_only_for_a_trusted_photo_event() -> None:
    from fotoai.contracts import (
        FailedEvent,
        OriginalObject,
        OwnerMismatch,
        PhotoStageFailedV1,
        PhotoUploadedV1,
    )
    from fotoai.contracts.library import AlbumCreatedV1
    from fotoai.servicekit.bus import _reports_stage_failure

    photo = PhotoUploadedV1(photo_id="p", owner_id="o", original=OriginalObject(
        bucket="fotoai-originals", key="o/p/original", size=1, sha256="0" * 64))
    assert _reports_stage_failure(photo, RuntimeError("down"))
    assert not _reports_stage_failure(photo, OwnerMismatch("forged"))
    assert not _reports_stage_failure(None, RuntimeError("undecodable"))
    # An album (or a person) has no photo whose stage failed: parked, not reported.
    assert not _reports_stage_failure(AlbumCreatedV1(album_id="a", owner_id="o", title="t"), RuntimeError("down"))
    report = PhotoStageFailedV1(
        photo_id="p", owner_id="o", stage="enhance", error_type="RuntimeError", error_message="down", attempts=3,
        failed_event=FailedEvent(topic=photo.TOPIC, event_id=photo.event_id, ce_type=photo.ce_type()),
        dead_letter_topic="dlq.enhance",
    )
    assert not _reports_stage_failure(report, RuntimeError("down"))
