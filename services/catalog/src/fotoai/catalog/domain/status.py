"""A photo's public status and per-stage states, derived from the recorded stage outcomes."""

from __future__ import annotations

from enum import StrEnum


class StageState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class PhotoStatus(StrEnum):
    PROCESSING = "processing"
    READY = "ready"
    REJECTED = "rejected"


#: Ingest outcomes as recorded; "rejected" is a refusal, "failed" a dead-lettered message.
INGEST_DONE, INGEST_REJECTED, INGEST_FAILED = "done", "rejected", "failed"

#: The rejection reason of a photo whose ingest message was dead-lettered.
PROCESSING_FAILED = "processing_failed"


def ingest_stage(outcome: str | None) -> StageState:
    if outcome is None:
        return StageState.PENDING
    return StageState.DONE if outcome == INGEST_DONE else StageState.FAILED


def stage_state(outcome: str | None) -> StageState:
    return StageState(outcome) if outcome else StageState.PENDING


def derive_status(ingest: str | None, enhance: str | None, tagging: str | None) -> PhotoStatus:
    """`rejected` when ingest refused or failed; `ready` once ingest is done and enhance and
    tagging have each answered (done or failed); `processing` until then."""
    if ingest in (INGEST_REJECTED, INGEST_FAILED):
        return PhotoStatus.REJECTED
    if ingest == INGEST_DONE and enhance in ("done", "failed") and tagging in ("done", "failed"):
        return PhotoStatus.READY
    return PhotoStatus.PROCESSING


def camera_label(make: str | None, model: str | None) -> str | None:
    """"Canon EOS R5" from make "Canon" and model "Canon EOS R5" (no doubled make)."""
    make = (make or "").strip()
    model = (model or "").strip()
    if model and make and model.lower().startswith(make.lower()):
        return model
    return " ".join(p for p in (make, model) if p) or None
