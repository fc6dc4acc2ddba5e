"""Dead-lettered messages as stage failures: which stage gave up on which photo, and when."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: The services whose dead-letter topics the catalog reads, and the stage each one is.
FAILED_STAGES = {"ingest": "ingest", "enhance": "enhance", "tagging": "tagging"}

_NS = uuid.UUID("2f3b6a0c-8d1e-4c57-9a2b-5e6f7a8b9c0d")


@dataclass(frozen=True)
class StageFailure:
    failure_id: str
    stage: str
    photo_id: str
    owner_id: str
    failed_at: datetime
    error: str


def parse_dead_letter(
    headers: dict[str, str], key: bytes | None, body: bytes, received_at: datetime
) -> StageFailure | None:
    """A StageFailure from a `dlq.<service>` record, or None when it names no photo/owner.

    The failure id is derived from the original event id and the service, so the same parked
    message read twice (redelivery, replay) is the same failure.
    """
    service = headers.get("x-fotoai-failed-service", "")
    stage = FAILED_STAGES.get(service)
    if stage is None:
        return None
    try:
        payload: dict[str, Any] = json.loads(body)
        if not isinstance(payload, dict):
            payload = {}
    except (ValueError, UnicodeDecodeError):
        payload = {}
    photo_id = payload.get("photo_id") or (key.decode(errors="replace") if key else None)
    owner_id = payload.get("owner_id")
    if not photo_id or not isinstance(owner_id, str):
        return None
    original_id = headers.get("ce_id") or payload.get("event_id")
    if not original_id:
        original_id = f"{headers.get('x-fotoai-original-topic')}/{headers.get('x-fotoai-original-partition')}/{headers.get('x-fotoai-original-offset')}"
    at_raw = headers.get("ce_time") or payload.get("occurred_at")
    try:
        failed_at = datetime.fromisoformat(at_raw) if at_raw else received_at
    except ValueError:
        failed_at = received_at
    if failed_at.tzinfo is None:
        failed_at = failed_at.replace(tzinfo=UTC)
    return StageFailure(
        failure_id=str(uuid.uuid5(_NS, f"{original_id}/{service}")),
        stage=stage, photo_id=str(photo_id), owner_id=owner_id, failed_at=failed_at,
        error=headers.get("x-fotoai-error", "")[:500],
    )
