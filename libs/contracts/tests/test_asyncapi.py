"""The AsyncAPI document describes every topic, and every reference in it resolves."""

from __future__ import annotations

from typing import Any

from fotoai.contracts import EVENT_TYPES
from fotoai.contracts.asyncapi import document
from fotoai.contracts.topics import CONSUMER_SERVICES, dlq_topic


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_is_asyncapi_3_with_a_channel_per_topic_and_dead_letter_topic() -> None:
    doc = document()
    assert doc["asyncapi"] == "3.0.0"
    addresses = {channel["address"] for channel in doc["channels"].values()}
    assert {cls.TOPIC for cls in EVENT_TYPES} | {dlq_topic(s) for s in CONSUMER_SERVICES} == addresses


def test_every_reference_resolves() -> None:
    doc = document({"photo.uploaded.v1": ["ingest"]})
    refs = _refs(doc)
    assert refs
    for ref in refs:
        _resolve(doc, ref)


def test_messages_carry_the_cloudevents_headers_and_the_model_schema() -> None:
    doc = document()
    for cls in EVENT_TYPES:
        message = doc["components"]["messages"][cls.__name__]
        headers = message["headers"]["properties"]
        assert headers["ce_type"]["const"] == cls.ce_type()
        assert headers["ce_source"]["const"] == cls.SOURCE
        assert {"ce_specversion", "ce_id", "ce_time", "content-type", "traceparent"} <= set(headers)
        schema = _resolve(doc, message["payload"]["$ref"])
        assert set(schema["properties"]) == set(cls.model_json_schema(mode="serialization")["properties"])


def test_producers_send_and_consumers_receive() -> None:
    doc = document({"photo.ingested.v1": ["enhance", "tagging"]})
    ops = doc["operations"]
    assert ops["ingestSendsPhotoIngestedV1"]["action"] == "send"
    assert ops["taggingReceivesPhotoIngestedV1"]["action"] == "receive"
    assert ops["enhanceReceivesPhotoIngestedV1"]["channel"] == {"$ref": "#/channels/photoIngestedV1"}
    stage_failed = [k for k in ops if k.endswith("SendsPhotoStageFailedV1")]
    assert len(stage_failed) == len(CONSUMER_SERVICES), "every consumer's retry policy publishes stage failures"
