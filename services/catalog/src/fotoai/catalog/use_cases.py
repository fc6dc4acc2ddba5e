"""The catalog's use cases: project each `photo.*` event (and each dead-lettered stage) into the
read model, and search.

Every projection is idempotent (processed-event ids) and order-tolerant: each fact is kept
only when its version beats the recorded one (domain/ordering.py), status is derived from the
recorded outcomes, duplicates from the set of live photos, and a tombstone beats everything.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from fotoai.catalog.domain.duplicates import phash_to_int
from fotoai.catalog.domain.failures import StageFailure
from fotoai.catalog.domain.ordering import (
    RANK_EVENT,
    RANK_FAILURE,
    newer,
    outcome_version,
    tagging_run_wins,
)
from fotoai.catalog.domain.status import (
    INGEST_DONE,
    INGEST_FAILED,
    INGEST_REJECTED,
    PROCESSING_FAILED,
)
from fotoai.catalog.ports import CatalogStore, ObjectRemover, PhotoUnit, TextEmbedder
from fotoai.contracts import (
    Event,
    PhotoDeletedV1,
    PhotoEnhancedV1,
    PhotoIngestedV1,
    PhotoRejectedV1,
    PhotoTaggedV1,
    PhotoUploadedV1,
)
from fotoai.servicekit.log import get_logger

log = get_logger("fotoai.catalog.projection")

_OWNER_WIDE = (PhotoUploadedV1, PhotoIngestedV1, PhotoRejectedV1, PhotoDeletedV1)


@dataclass(frozen=True)
class Buckets:
    originals: str
    renditions: str


class ProjectEvents:
    """Apply one event to the catalog; returns False when it was already applied."""

    def __init__(self, store: CatalogStore, objects: ObjectRemover, buckets: Buckets) -> None:
        self.store = store
        self.objects = objects
        self.buckets = buckets

    async def __call__(self, event: Event) -> bool:
        if isinstance(event, PhotoTaggedV1) and event.embedding is not None:
            await self.store.ensure_space(event.embedding.model_id, len(event.embedding.vector))
        purge = False
        async with self.store.unit(
            event_id=event.event_id, photo_id=event.photo_id, owner_id=event.owner_id,
            topic=event.TOPIC, at=event.occurred_at, owner_lock=isinstance(event, _OWNER_WIDE),
        ) as unit:
            if unit is None:
                return False
            if unit.row["owner_id"] != event.owner_id:
                # A photo id never changes owner; an event that says otherwise is not trusted.
                log.warning("event owner differs from the photo's", photo_id=event.photo_id,
                            event_id=event.event_id)
                return True
            if isinstance(event, PhotoDeletedV1):
                await self._deleted(unit, event)
                purge = True
            elif unit.row["deleted_at"] is not None:
                # Deletion wins over anything later; objects written since are removed too.
                purge = isinstance(event, (PhotoIngestedV1, PhotoEnhancedV1, PhotoUploadedV1))
            else:
                self._created(unit, event)
                await self._apply(unit, event)
        if purge:
            await self.purge_objects(event.owner_id, event.photo_id)
        return True

    async def purge_objects(self, owner_id: str, photo_id: str) -> None:
        prefix = f"{owner_id}/{photo_id}/"
        await asyncio.gather(
            self.objects.delete_prefix(self.buckets.originals, prefix),
            self.objects.delete_prefix(self.buckets.renditions, prefix),
        )

    @staticmethod
    def _created(unit: PhotoUnit, event: Event) -> None:
        # Until the upload is seen, the photo's creation time is the earliest fact about it.
        if isinstance(event, PhotoUploadedV1):
            if not unit.row["uploaded"] or unit.row["created_at"] != event.occurred_at:
                unit.set(uploaded=True, created_at=event.occurred_at)
        elif not unit.row["uploaded"] and event.occurred_at < unit.row["created_at"]:
            unit.set(created_at=event.occurred_at)

    async def _apply(self, unit: PhotoUnit, event: Event) -> None:
        version = outcome_version(RANK_EVENT, event.occurred_at, event.event_id)
        match event:
            case PhotoUploadedV1(original=o):
                unit.set(file_name=o.file_name, content_type=o.content_type, size=o.size,
                         sha256=o.sha256, original_bucket=o.bucket, original_key=o.key)
                await unit.add_timeline("upload", "uploaded", event.occurred_at)
                unit.recompute_duplicates(o.sha256, unit.row["phash"])
            case PhotoIngestedV1():
                await self._ingested(unit, event, version)
            case PhotoRejectedV1():
                if newer(version, unit.row["ingest_version"]):
                    unit.set(ingest_outcome=INGEST_REJECTED, ingest_version=version,
                             rejection_reason=event.reason.value, rejection_message=event.message)
                await unit.add_timeline("ingest", "rejected", event.occurred_at)
                unit.recompute_duplicates(unit.row["sha256"], unit.row["phash"])
            case PhotoEnhancedV1():
                if newer(version, unit.row["enhance_version"]):
                    unit.set(enhance_outcome="done", enhance_version=version, enhancement={
                        "operations": [op.model_dump() for op in event.operations],
                        "quality_before": dict(event.quality_before),
                        "quality_after": dict(event.quality_after),
                        "device": event.device, "duration_ms": event.duration_ms,
                    })
                    await unit.upsert_rendition({**event.rendition.model_dump(), "name": "enhanced"})
                await unit.add_timeline("enhance", "enhanced", event.occurred_at)
            case PhotoTaggedV1():
                await self._tagged(unit, event, version)

    @staticmethod
    async def _ingested(unit: PhotoUnit, e: PhotoIngestedV1, version: str) -> None:
        if newer(version, unit.row["ingest_data_version"]):
            x = e.exif
            unit.set(
                ingest_data_version=version, format=e.format, width=e.width, height=e.height,
                orientation=e.orientation, decode_path=e.decode_path, phash=phash_to_int(e.phash),
                taken_at=x.taken_at, camera_make=x.camera_make, camera_model=x.camera_model,
                lens=x.lens, exposure_time=x.exposure_time, f_number=x.f_number, iso=x.iso,
                focal_length=x.focal_length,
                gps_lat=x.gps.lat if x.gps else None, gps_lon=x.gps.lon if x.gps else None,
                gps_alt=x.gps.alt if x.gps else None,
            )
            renditions = [r.model_dump() for r in e.renditions if r.name != "enhanced"]
            await unit.replace_renditions(renditions, keep=["enhanced"])
        if e.sha256 and not unit.row["sha256"]:
            unit.set(sha256=e.sha256)
        if newer(version, unit.row["ingest_version"]):
            unit.set(ingest_outcome=INGEST_DONE, ingest_version=version,
                     rejection_reason=None, rejection_message=None)
        await unit.add_timeline("ingest", "ingested", e.occurred_at)
        unit.recompute_duplicates(unit.row["sha256"], unit.row["phash"])

    @staticmethod
    async def _tagged(unit: PhotoUnit, e: PhotoTaggedV1, version: str) -> None:
        if newer(version, unit.row["tagging_version"]):
            unit.set(tagging_outcome="done", tagging_version=version)
        current = await unit.tagging_run(e.model_id)
        stored = (current["model_version"], current["occurred_at"], current["event_id"]) if current else None
        if tagging_run_wins((e.model_version, e.occurred_at, e.event_id), stored):
            best: dict[tuple[str, str], dict[str, Any]] = {}
            for t in e.tags:
                k = (t.label, t.source)
                if k not in best or t.score > best[k]["score"]:
                    best[k] = {"label": t.label, "source": t.source, "score": t.score}
            q = e.quality
            run = {
                "model_id": e.model_id, "model_version": e.model_version, "event_id": e.event_id,
                "occurred_at": e.occurred_at, "device": e.device, "duration_ms": e.duration_ms,
                "quality": {"blurry": q.blurry, "dark": q.dark, "overexposed": q.overexposed,
                            "low_resolution": q.low_resolution, "measures": dict(q.measures)},
                "colors": [c.model_dump() for c in e.colors],
            }
            embedding = (e.embedding.model_id, e.embedding.vector) if e.embedding else None
            await unit.replace_tagging_run(
                run, list(best.values()), [{"box": f.box, "score": f.score} for f in e.faces], embedding
            )
        await unit.add_timeline("tagging", "tagged", e.occurred_at)

    @staticmethod
    async def _deleted(unit: PhotoUnit, e: PhotoDeletedV1) -> None:
        version = outcome_version(RANK_EVENT, e.occurred_at, e.event_id)
        current = unit.row["deleted_version"]
        # The earliest deletion is the one on record, whichever arrives first.
        if current is None:
            await unit.tombstone(e.occurred_at, e.deleted_by, version)
        elif version < current:
            unit.set(deleted_at=e.occurred_at, deleted_by=e.deleted_by, deleted_version=version,
                     created_at=e.occurred_at)

    async def stage_failed(self, f: StageFailure) -> bool:
        """Record that a stage gave up on a photo (its message was dead-lettered)."""
        async with self.store.unit(
            event_id=f.failure_id, photo_id=f.photo_id, owner_id=f.owner_id,
            topic=f"dlq.{f.stage}", at=f.failed_at, owner_lock=f.stage == "ingest",
        ) as unit:
            if unit is None:
                return False
            if unit.row["owner_id"] != f.owner_id or unit.row["deleted_at"] is not None:
                return True
            if not unit.row["uploaded"] and f.failed_at < unit.row["created_at"]:
                unit.set(created_at=f.failed_at)
            version = outcome_version(RANK_FAILURE, f.failed_at, f.failure_id)
            if f.stage == "ingest":
                if newer(version, unit.row["ingest_version"]):
                    unit.set(ingest_outcome=INGEST_FAILED, ingest_version=version,
                             rejection_reason=PROCESSING_FAILED,
                             rejection_message=f"ingest gave up: {f.error}"[:500])
                unit.recompute_duplicates(unit.row["sha256"], unit.row["phash"])
            elif newer(version, unit.row[f"{f.stage}_version"]):
                unit.set(**{f"{f.stage}_outcome": "failed", f"{f.stage}_version": version})
            await unit.add_timeline(f.stage, "failed", f.failed_at)
        return True


@dataclass(frozen=True)
class SearchResult:
    items: list[dict[str, Any]]
    mode: str


class SearchPhotos:
    """Text search over tags, semantic search over embeddings when the tagging service can
    embed the query, and both fused (reciprocal rank) when both find something."""

    def __init__(self, queries: Any, embedder: TextEmbedder | None) -> None:
        self.queries = queries
        self.embedder = embedder

    async def __call__(self, owner_id: str, q: str, limit: int) -> SearchResult:
        text_task = asyncio.create_task(self.queries.text_search(owner_id, q, limit))
        vector = None
        if self.embedder is not None:
            try:
                vector = await self.embedder.embed(q)
            except Exception as exc:  # noqa: BLE001 — semantic search is optional, text answers
                log.warning("query embedding failed; text search only", error=str(exc))
        text_items = await text_task
        if vector is None:
            return SearchResult(text_items, "text")
        model_id, vec = vector
        semantic = await self.queries.semantic_search(owner_id, model_id, vec, limit)
        if semantic is None:
            return SearchResult(text_items, "text")
        if not text_items:
            return SearchResult(semantic, "semantic")
        return SearchResult(fuse([text_items, semantic], limit), "hybrid")


def fuse(rankings: list[list[dict[str, Any]]], limit: int, k: int = 60) -> list[dict[str, Any]]:
    """Reciprocal-rank fusion of ranked lists of items with an "id"."""
    scores: dict[str, float] = {}
    items: dict[str, dict[str, Any]] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item["id"]] = scores.get(item["id"], 0.0) + 1.0 / (k + rank + 1)
            items.setdefault(item["id"], item)
    order = sorted(scores, key=lambda i: (-scores[i], i))
    return [items[i] for i in order[:limit]]
