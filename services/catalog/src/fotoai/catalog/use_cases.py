"""The catalog's use cases: project each `photo.*` event into the read model, and search.

Every projection is idempotent (processed-event ids) and order-tolerant: each fact is kept
only when its version beats the recorded one (domain/ordering.py), status is derived from the
recorded outcomes, duplicates from the set of live photos, and a tombstone beats everything.

A projection is one function registered for its event type (`PROJECTIONS`): adding an event
type to the catalog is one more `@projection(...)` function. Events arrive in batches that
commit in one transaction (`ProjectEvents.batch`); a redelivered batch changes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from fotoai.catalog.domain.duplicates import phash_to_int
from fotoai.catalog.domain.ordering import (
    RANK_EVENT,
    RANK_FAILURE,
    newer,
    outcome_version,
    tagging_run_wins,
)
from fotoai.catalog.domain.status import INGEST_DONE, INGEST_FAILED, INGEST_REJECTED, STAGES
from fotoai.catalog.ports import (
    CatalogStore,
    CatalogTransaction,
    ObjectRemover,
    PhotoUnit,
    TextEmbedder,
)
from fotoai.contracts import (
    ENHANCED,
    ENHANCED_THUMB,
    ENHANCED_THUMB_SMALL,
    Buckets,
    Event,
    PhotoDeletedV1,
    PhotoEnhancedV1,
    PhotoIngestedV1,
    PhotoRejectedV1,
    PhotoStageFailedV1,
    PhotoTaggedV1,
    PhotoUploadedV1,
    check_owner,
)
from fotoai.servicekit.log import get_logger

log = get_logger("fotoai.catalog.projection")

E = TypeVar("E", bound=Event)
Projection = Callable[[PhotoUnit, Any, str], Awaitable[None]]

#: The renditions `photo.enhanced.v1` sets: an ingest outcome, whenever it lands, keeps them.
ENHANCE_RENDITIONS = (ENHANCED, ENHANCED_THUMB, ENHANCED_THUMB_SMALL)


@dataclass(frozen=True)
class Registered:
    apply: Projection
    #: Takes the owner's lock first: the event can change the owner's duplicates.
    owner_wide: bool


#: Event type → how it changes a live photo (deletion and tombstones are handled around it).
PROJECTIONS: dict[type[Event], Registered] = {}


def projection(cls: type[E], *, owner_wide: bool = False) -> Callable[[Projection], Projection]:
    def register(fn: Projection) -> Projection:
        PROJECTIONS[cls] = Registered(fn, owner_wide)
        return fn

    return register


def _owner_wide(event: Event) -> bool:
    if isinstance(event, PhotoDeletedV1):
        return True
    if isinstance(event, PhotoStageFailedV1):
        return event.stage == "ingest"
    reg = PROJECTIONS.get(type(event))
    return reg is not None and reg.owner_wide


class ProjectEvents:
    """Apply events to the catalog, a batch per transaction."""

    def __init__(self, store: CatalogStore, objects: ObjectRemover, buckets: Buckets) -> None:
        self.store = store
        self.objects = objects
        self.buckets = buckets

    @property
    def handled(self) -> tuple[type[Event], ...]:
        return (*PROJECTIONS, PhotoDeletedV1)

    async def __call__(self, event: Event) -> bool:
        """Apply one event; False when it was already applied."""
        return (await self.batch([event]))[0]

    async def batch(self, events: Sequence[Event]) -> list[bool]:
        """Apply `events` in order in one transaction; per event, whether it was new.

        Raises OwnerMismatch (nothing is committed) for an event whose photo belongs to
        someone else: the bus parks it and applies the rest of the batch one by one."""
        for space in {(e.embedding.model_id, len(e.embedding.vector))
                      for e in events if isinstance(e, PhotoTaggedV1) and e.embedding is not None}:
            await self.store.ensure_space(*space)
        applied: list[bool] = []
        purges: set[tuple[str, str]] = set()
        async with self.store.transaction() as tx:
            await tx.claim([(e.event_id, e.photo_id, e.owner_id, e.TOPIC, e.occurred_at, _owner_wide(e))
                            for e in events])
            for event in events:
                fresh, purge = await self._project(tx, event)
                applied.append(fresh)
                if purge:
                    purges.add((event.owner_id, event.photo_id))
        for owner_id, photo_id in sorted(purges):
            await self.purge_objects(owner_id, photo_id)
        return applied

    async def _project(self, tx: CatalogTransaction, event: Event) -> tuple[bool, bool]:
        async with tx.unit(
            event_id=event.event_id, photo_id=event.photo_id, owner_id=event.owner_id,
            topic=event.TOPIC, at=event.occurred_at, owner_lock=_owner_wide(event),
        ) as unit:
            if unit is None:
                return False, False
            # A photo id never changes owner; an event that says otherwise is not trusted.
            check_owner(event, unit.row["owner_id"])
            if isinstance(event, PhotoDeletedV1):
                await _deleted(unit, event)
                return True, True
            if unit.row["deleted_at"] is not None:
                # Deletion wins over anything later; objects written since are removed too.
                return True, isinstance(event, (PhotoIngestedV1, PhotoEnhancedV1, PhotoUploadedV1))
            _created(unit, event)
            reg = PROJECTIONS.get(type(event))
            if reg is not None:
                await reg.apply(unit, event, outcome_version(RANK_EVENT, event.occurred_at, event.event_id))
        return True, False

    async def purge_objects(self, owner_id: str, photo_id: str) -> None:
        prefix = f"{owner_id}/{photo_id}/"
        await asyncio.gather(
            self.objects.delete_prefix(self.buckets.originals, prefix),
            self.objects.delete_prefix(self.buckets.renditions, prefix),
        )


def _created(unit: PhotoUnit, event: Event) -> None:
    # Until the upload is seen, the photo's creation time is the earliest fact about it.
    if isinstance(event, PhotoUploadedV1):
        if not unit.row["uploaded"] or unit.row["created_at"] != event.occurred_at:
            unit.set(uploaded=True, created_at=event.occurred_at)
    elif not unit.row["uploaded"] and event.occurred_at < unit.row["created_at"]:
        unit.set(created_at=event.occurred_at)


@projection(PhotoUploadedV1, owner_wide=True)
async def _uploaded(unit: PhotoUnit, e: PhotoUploadedV1, version: str) -> None:
    o = e.original
    unit.set(file_name=o.file_name, content_type=o.content_type, size=o.size,
             sha256=o.sha256, original_bucket=o.bucket, original_key=o.key)
    await unit.add_timeline("upload", "uploaded", e.occurred_at)
    unit.recompute_duplicates(o.sha256, unit.row["phash"])


@projection(PhotoIngestedV1, owner_wide=True)
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
            place=e.place.model_dump() if e.place else None,
        )
        renditions = [r.model_dump() for r in e.renditions if r.name not in ENHANCE_RENDITIONS]
        await unit.replace_renditions(renditions, keep=ENHANCE_RENDITIONS)
    if e.sha256 and not unit.row["sha256"]:
        unit.set(sha256=e.sha256)
    if newer(version, unit.row["ingest_version"]):
        unit.set(ingest_outcome=INGEST_DONE, ingest_version=version,
                 rejection_reason=None, rejection_message=None)
    await unit.add_timeline("ingest", "ingested", e.occurred_at)
    unit.recompute_duplicates(unit.row["sha256"], unit.row["phash"])


@projection(PhotoRejectedV1, owner_wide=True)
async def _rejected(unit: PhotoUnit, e: PhotoRejectedV1, version: str) -> None:
    if newer(version, unit.row["ingest_version"]):
        unit.set(ingest_outcome=INGEST_REJECTED, ingest_version=version,
                 rejection_reason=e.reason.value, rejection_message=e.message)
    await unit.add_timeline("ingest", "rejected", e.occurred_at)
    unit.recompute_duplicates(unit.row["sha256"], unit.row["phash"])


@projection(PhotoEnhancedV1)
async def _enhanced(unit: PhotoUnit, e: PhotoEnhancedV1, version: str) -> None:
    if newer(version, unit.row["enhance_version"]):
        unit.set(enhance_outcome="done", enhance_version=version, enhancement={
            "operations": [op.model_dump() for op in e.operations],
            "quality_before": dict(e.quality_before),
            "quality_after": dict(e.quality_after),
            "device": e.device, "duration_ms": e.duration_ms,
        })
        await unit.upsert_rendition({**e.rendition.model_dump(), "name": ENHANCED})
        if e.thumbnail is not None:
            await unit.upsert_rendition({**e.thumbnail.model_dump(), "name": ENHANCED_THUMB})
        else:
            # A newer result without a thumbnail (an older producer) must not show an older
            # result's: in any order the thumbnail is the one of the winning event, or none.
            await unit.remove_renditions([ENHANCED_THUMB])
        # The further thumbnails likewise: the winning event's, or none.
        smaller = {t.name: t for t in e.thumbnails if t.name == ENHANCED_THUMB_SMALL}
        for t in smaller.values():
            await unit.upsert_rendition(t.model_dump())
        if not smaller:
            await unit.remove_renditions([ENHANCED_THUMB_SMALL])
    await unit.add_timeline("enhance", "enhanced", e.occurred_at)


@projection(PhotoTaggedV1)
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


@projection(PhotoStageFailedV1)
async def _stage_failed(unit: PhotoUnit, e: PhotoStageFailedV1, version: str) -> None:
    """A stage gave up on the photo after its retries. A real outcome of the same stage always
    wins over a failure (RANK_FAILURE < RANK_EVENT): a re-run that succeeds makes it `done`."""
    failed = outcome_version(RANK_FAILURE, e.occurred_at, e.event_id)
    if e.stage == "ingest":
        if newer(failed, unit.row["ingest_version"]):
            unit.set(ingest_outcome=INGEST_FAILED, ingest_version=failed)
        unit.recompute_duplicates(unit.row["sha256"], unit.row["phash"])
    elif e.stage in STAGES and newer(failed, unit.row[f"{e.stage}_version"]):
        unit.set(**{f"{e.stage}_outcome": "failed", f"{e.stage}_version": failed})
    await unit.add_timeline(e.stage, "failed", e.occurred_at, {
        "error_type": e.error_type, "message": e.error_message[:500], "attempts": e.attempts,
        "failed_event": e.failed_event.event_id, "topic": e.failed_event.topic,
        "dead_letter_topic": e.dead_letter_topic,
    })


async def _deleted(unit: PhotoUnit, e: PhotoDeletedV1) -> None:
    version = outcome_version(RANK_EVENT, e.occurred_at, e.event_id)
    current = unit.row["deleted_version"]
    # The earliest deletion is the one on record, whichever arrives first.
    if current is None:
        await unit.tombstone(e.occurred_at, e.deleted_by, version)
    elif version < current:
        unit.set(deleted_at=e.occurred_at, deleted_by=e.deleted_by, deleted_version=version,
                 created_at=e.occurred_at)


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

    async def __call__(self, owner_id: str, q: str, limit: int, archived: bool = False) -> SearchResult:
        """`archived`: search the archive instead of the timeline."""
        text_task = asyncio.create_task(self.queries.text_search(owner_id, q, limit, archived=archived))
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
        semantic = await self.queries.semantic_search(owner_id, model_id, vec, limit, archived=archived)
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
