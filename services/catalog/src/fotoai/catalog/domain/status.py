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
    DEGRADED = "degraded"
    REJECTED = "rejected"


#: The stages every photo goes through; `ready` means each of them is done.
STAGES = ("ingest", "enhance", "tagging")

#: Ingest outcomes as recorded; "rejected" is a refusal, "failed" a stage that gave up.
INGEST_DONE, INGEST_REJECTED, INGEST_FAILED = "done", "rejected", "failed"


def ingest_stage(outcome: str | None) -> StageState:
    if outcome is None:
        return StageState.PENDING
    return StageState.DONE if outcome == INGEST_DONE else StageState.FAILED


def stage_state(outcome: str | None) -> StageState:
    return StageState(outcome) if outcome else StageState.PENDING


def derive_status(ingest: str | None, enhance: str | None, tagging: str | None) -> PhotoStatus:
    """`rejected` when ingest refused the photo; `ready` only when every stage is done;
    `degraded` when a stage gave up after its retries and nothing is left to wait for (ingest
    failed, or enhance and tagging have both answered); `processing` until then."""
    if ingest == INGEST_REJECTED:
        return PhotoStatus.REJECTED
    if ingest == INGEST_FAILED:
        return PhotoStatus.DEGRADED
    if ingest == INGEST_DONE and enhance in ("done", "failed") and tagging in ("done", "failed"):
        return PhotoStatus.READY if enhance == tagging == "done" else PhotoStatus.DEGRADED
    return PhotoStatus.PROCESSING


def failed_stages(stages: dict[str, str]) -> list[str]:
    """The stages of a photo that gave up, in pipeline order."""
    return [s for s in STAGES if stages.get(s) == StageState.FAILED]


def camera_label(make: str | None, model: str | None) -> str | None:
    """"Canon EOS R5" from make "Canon" and model "Canon EOS R5" (no doubled make)."""
    make = (make or "").strip()
    model = (model or "").strip()
    if model and make and model.lower().startswith(make.lower()):
        return model
    return " ".join(p for p in (make, model) if p) or None
