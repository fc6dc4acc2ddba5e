"""Event models: round trips, frozen values, deterministic follow-up ids, CloudEvents headers."""

import json
from datetime import datetime

import pytest
from fotoai.contracts import (
    ENHANCED_THUMB,
    EVENT_TYPES,
    RENDITION_NAMES,
    OriginalObject,
    PhotoEnhancedV1,
    PhotoIngestedV1,
    PhotoRejectedV1,
    PhotoUploadedV1,
    RejectReason,
    Rendition,
    follow,
)
from fotoai.contracts.cloudevents import EnvelopeError, decode, encode
from fotoai.contracts.topics import all_topics
from pydantic import ValidationError


def uploaded(**kw) -> PhotoUploadedV1:
    return PhotoUploadedV1(
        photo_id="p1", owner_id="alice",
        original=OriginalObject(bucket="fotoai-originals", key="alice/p1/original", size=3,
                                sha256="a" * 64, content_type="image/jpeg", file_name="x.jpg"),
        **kw,
    )


def test_topic_names_follow_the_convention():
    for cls in EVENT_TYPES:
        entity, fact, version = cls.TOPIC.split(".")
        assert entity in ("photo", "album", "person") and version == "v1"
        assert cls.__name__ == f"{entity.capitalize()}{''.join(w.capitalize() for w in fact.split('-'))}V1"
        assert cls.ce_type() == f"fotoai.{cls.TOPIC}"


def test_events_are_frozen():
    ev = uploaded()
    with pytest.raises(ValidationError):
        ev.photo_id = "other"


def test_body_repeats_id_and_time():
    body = json.loads(uploaded().model_dump_json())
    assert body["event_id"] and datetime.fromisoformat(body["occurred_at"])


def test_cloudevents_binary_mode_round_trip():
    ev = uploaded()
    key, headers, body = encode(ev)
    assert key == b"p1"
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_type"] == "fotoai.photo.uploaded.v1"
    assert headers["ce_source"] == "/services/gateway"
    assert headers["ce_id"] == ev.event_id
    assert headers["content-type"] == "application/json"
    back = decode({k: v.encode() for k, v in headers.items()}, body)
    assert back == ev


def test_decode_refuses_mismatched_ids_and_unknown_types():
    ev = uploaded()
    _, headers, body = encode(ev)
    with pytest.raises(EnvelopeError):
        decode({**headers, "ce_id": "someone-else"}, body)
    with pytest.raises(EnvelopeError):
        decode({**headers, "ce_type": "fotoai.nope.v9"}, body)
    with pytest.raises(ValidationError):
        decode(headers, b"{not json")


def test_decode_uses_topic_when_headers_are_missing():
    ev = uploaded()
    assert decode({}, ev.model_dump_json(), topic="photo.uploaded.v1") == ev


def test_follow_gives_the_same_id_on_redelivery():
    ev = uploaded()
    a = follow(ev, PhotoRejectedV1, reason=RejectReason.CORRUPT, message="truncated")
    b = follow(ev, PhotoRejectedV1, reason=RejectReason.CORRUPT, message="truncated")
    c = follow(ev, PhotoIngestedV1, format="jpeg", width=1, height=1)
    assert a.event_id == b.event_id != c.event_id
    assert (a.photo_id, a.owner_id) == ("p1", "alice")


def test_unknown_fields_are_ignored_for_forward_compatibility():
    body = json.loads(uploaded().model_dump_json())
    body["a_field_from_the_future"] = 1
    assert PhotoUploadedV1.model_validate(body).photo_id == "p1"


def test_an_enhanced_event_without_a_thumbnail_still_reads():
    """`thumbnail` came after v1 shipped: events of older producers lack it and stay valid."""
    enhanced = PhotoEnhancedV1(
        photo_id="p1", owner_id="alice", duration_ms=1,
        rendition=Rendition(name="enhanced", bucket="b", key="alice/p1/enhanced.jpg",
                            width=4, height=3, bytes=1, mime="image/jpeg"),
    )
    body = json.loads(enhanced.model_dump_json())
    del body["thumbnail"]
    assert PhotoEnhancedV1.model_validate(body).thumbnail is None
    thumb = Rendition(name=ENHANCED_THUMB, bucket="b", key="alice/p1/enhanced_thumb.jpg",
                      width=4, height=3, bytes=1, mime="image/jpeg")
    again = PhotoEnhancedV1.model_validate_json(enhanced.model_copy(update={"thumbnail": thumb}).model_dump_json())
    assert again.thumbnail == thumb and ENHANCED_THUMB in RENDITION_NAMES


def test_every_topic_has_partitions_and_every_consumer_a_dlq():
    names = {t.name: t for t in all_topics()}
    for cls in EVENT_TYPES:
        assert names[cls.TOPIC].partitions >= 6
    for svc in ("ingest", "enhance", "tagging", "catalog"):
        assert f"dlq.{svc}" in names


def test_qualifiers_separate_results_meant_to_differ():
    from fotoai.contracts import PhotoTaggedV1

    ev = uploaded()
    v1 = follow(ev, PhotoTaggedV1, qualifiers=("clip", "1"), model_id="clip", model_version="1", duration_ms=1)
    v2 = follow(ev, PhotoTaggedV1, qualifiers=("clip", "2"), model_id="clip", model_version="2", duration_ms=1)
    again = follow(ev, PhotoTaggedV1, qualifiers=("clip", "2"), model_id="clip", model_version="2", duration_ms=1)
    assert v1.event_id != v2.event_id == again.event_id
