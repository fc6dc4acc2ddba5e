"""Projections against the real PostgreSQL: idempotency, status, versions, deletion,
duplicates and dead-lettered stages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fotoai.catalog.adapters.store import snapshot
from fotoai.catalog.domain.duplicates import Candidate, duplicate_of, phash_to_int
from fotoai.contracts import (
    OwnerMismatch,
    PhotoDeletedV1,
    PhotoEnhancedV1,
    PhotoTaggedV1,
    Rendition,
    Tag,
)

from services.catalog.tests.scenarios import photo_story, stage_failed

pytestmark = pytest.mark.integration


async def apply_all(project, events) -> None:
    for e in events:
        await project(e)


async def test_a_photo_goes_processing_then_ready(project, queries, owner) -> None:
    uploaded, ingested, enhanced, tagged = photo_story(owner, seed=1)
    await project(uploaded)
    d = await queries.detail(owner, uploaded.photo_id)
    assert d["status"] == "processing"
    assert d["stages"] == {"ingest": "pending", "enhance": "pending", "tagging": "pending"}
    await project(ingested)
    await project(enhanced)
    d = await queries.detail(owner, uploaded.photo_id)
    assert d["status"] == "processing" and d["stages"]["ingest"] == "done"
    await project(tagged)
    d = await queries.detail(owner, uploaded.photo_id)
    assert d["status"] == "ready"
    assert d["stages"] == {"ingest": "done", "enhance": "done", "tagging": "done"}
    assert d["width"] == 4000 and d["format"] == "jpeg"
    assert d["metadata"]["camera_model"] == ingested.exif.camera_model
    assert d["metadata"]["gps"]["lat"] == pytest.approx(ingested.exif.gps.lat)
    assert {r["name"] for r in d["renditions"]} == {"display", "thumb_large", "thumb_small", "enhanced",
                                                    "enhanced_thumb"}
    # The enhancement changed the picture: its thumbnail is the one shown, the original's stays known.
    assert d["thumb"]["key"].endswith("enhanced_thumb.jpg") and d["enhanced_thumb"] == d["thumb"]
    assert d["original_thumb"]["key"].endswith("thumb_small.jpg")
    assert [t["event"] for t in d["timeline"]] == ["uploaded", "ingested", "enhanced", "tagged"]
    assert d["enhancement"]["operations"][0]["name"] == "exposure"
    assert d["faces"][0]["box"] == pytest.approx([0.1, 0.2, 0.3, 0.4])
    assert d["colors"] == [{"hex": "#aa3300", "fraction": 0.5}]
    assert len(d["tags"]) == 4


async def test_the_enhanced_thumbnail_outlives_a_late_ingest_and_shows_only_where_something_changed(
    project, queries, owner
) -> None:
    uploaded, ingested, enhanced, tagged = photo_story(owner, seed=6)
    # Enhance answered before the ingest outcome was projected: the ingest's renditions replace
    # the photo's own, never enhance's.
    await apply_all(project, [uploaded, enhanced, ingested, tagged])
    d = await queries.detail(owner, uploaded.photo_id)
    thumbs = {r["name"]: r for r in d["renditions"]}
    assert thumbs["enhanced_thumb"]["key"] == enhanced.thumbnail.key
    assert (thumbs["enhanced_thumb"]["width"], thumbs["enhanced_thumb"]["height"]) == (1024, 768)
    assert d["thumb"]["key"] == enhanced.thumbnail.key
    [listed], _ = await queries.list_photos(owner, 10, None, _no_filters())
    assert listed["thumb"] == listed["enhanced_thumb"] == {"bucket": "fotoai-renditions", "key": enhanced.thumbnail.key}
    assert listed["original_thumb"]["key"].endswith("thumb_small.jpg")

    # "No change needed": the enhanced thumbnail is the original again, so the original's is shown.
    same = photo_story(owner, seed=7)
    unchanged = same[2].model_copy(update={"operations": []})
    await apply_all(project, [same[0], same[1], unchanged, same[3]])
    d = await queries.detail(owner, same[0].photo_id)
    assert "enhanced_thumb" in {r["name"] for r in d["renditions"]}
    assert d["enhanced_thumb"] is None and d["thumb"] == d["original_thumb"]
    assert d["thumb"]["key"].endswith("thumb_small.jpg")


async def test_a_newer_enhancement_without_a_thumbnail_hides_the_older_one(project, queries, owner) -> None:
    """A re-run by an enhancer that predates `thumbnail` wins: the older run's thumbnail would
    show a picture that is no longer FotoAI's version. In either order."""
    first = photo_story(owner, seed=8, enhance_thumbnails=(True, False))
    second = photo_story(owner, seed=9, enhance_thumbnails=(True, False))
    await apply_all(project, first)
    await apply_all(project, [second[0], second[1], second[3], second[2], second[4]])  # newer run first
    for story in (first, second):
        d = await queries.detail(owner, story[0].photo_id)
        assert "enhanced_thumb" not in {r["name"] for r in d["renditions"]}
        assert d["thumb"] == d["original_thumb"] and d["enhanced_thumb"] is None
        assert next(r for r in d["renditions"] if r["name"] == "enhanced")["bytes"] == 400001


async def test_a_redelivered_event_changes_nothing(project, pool, owner) -> None:
    events = photo_story(owner, seed=2)
    await apply_all(project, events)
    before = await snapshot(pool, owner)
    results = [await project(e) for e in events]
    assert results == [False] * len(events)
    assert await snapshot(pool, owner) == before


async def test_rejected_photo(project, queries, owner) -> None:
    uploaded, rejected = photo_story(owner, seed=3, reject=True)
    await apply_all(project, [rejected, uploaded])
    d = await queries.detail(owner, uploaded.photo_id)
    assert d["status"] == "rejected"
    assert d["rejection"] == {"reason": "corrupt", "message": "truncated JPEG"}
    assert d["stages"]["ingest"] == "failed"


async def test_newer_model_version_replaces_tags_never_the_reverse(project, queries, owner) -> None:
    events = photo_story(owner, seed=4, tag_versions=("1.9", "1.10"))
    old, new = events[-2], events[-1]
    assert isinstance(old, PhotoTaggedV1) and isinstance(new, PhotoTaggedV1)
    await apply_all(project, events[:-2])
    await project(new)
    await project(old)  # arrives late (a replay of the old model's run)
    d = await queries.detail(owner, new.photo_id)
    assert {t["label"] for t in d["tags"]} == {t.label for t in new.tags}
    # …and a later event of an *older* version does not win either, whatever its time.
    older = PhotoTaggedV1(photo_id=new.photo_id, owner_id=owner, tags=[Tag(label="zebra", score=1, source="c")],
                          model_id="classifier", model_version="1.2", duration_ms=1,
                          occurred_at=new.occurred_at + timedelta(hours=1))
    await project(older)
    d = await queries.detail(owner, new.photo_id)
    assert "zebra" not in {t["label"] for t in d["tags"]}


async def test_deletion_wins_over_later_events_and_purges_objects(project, queries, remover, pool, owner) -> None:
    events = photo_story(owner, seed=5, delete=True)
    deleted = events[-1]
    assert isinstance(deleted, PhotoDeletedV1)
    await apply_all(project, events[:2])
    await project(deleted)
    assert await queries.detail(owner, deleted.photo_id) is None
    assert (await queries.list_photos(owner, 10, None, _no_filters()))[0] == []
    prefix = f"{owner}/{deleted.photo_id}/"
    assert ("fotoai-originals", prefix) in remover.deleted
    assert ("fotoai-renditions", prefix) in remover.deleted
    remover.deleted.clear()
    await apply_all(project, events[2:-1])  # enhanced, tagged arrive after the delete
    assert await queries.detail(owner, deleted.photo_id) is None
    assert ("fotoai-renditions", prefix) in remover.deleted  # the late rendition is removed too
    snap = await snapshot(pool, owner)
    assert snap["tags"] == [] and snap["renditions"] == [] and snap["timeline"] == []
    assert len(snap["photos"]) == 1  # the tombstone


async def test_exact_and_near_duplicates_point_at_the_earliest(project, queries, owner) -> None:
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    base = 0x0F0F_F0F0_1234_5678
    first = photo_story(owner, seed=10, t0=t0, content=b"same bytes", phash=base)
    exact = photo_story(owner, seed=11, t0=t0 + timedelta(minutes=1), content=b"same bytes", phash=base ^ 0xFFFF)
    near = photo_story(owner, seed=12, t0=t0 + timedelta(minutes=2), content=b"other", phash=base ^ 0b111111)
    far = photo_story(owner, seed=13, t0=t0 + timedelta(minutes=3), content=b"third", phash=base ^ 0b1111111)
    # Later photos first: the earliest one arrives last and still becomes the reference.
    for story in (far, near, exact, first):
        await apply_all(project, story)
    dup = {s[0].photo_id: (await queries.detail(owner, s[0].photo_id))["duplicate_of"]
           for s in (first, exact, near, far)}
    assert dup[first[0].photo_id] is None
    assert dup[exact[0].photo_id] == first[0].photo_id
    assert dup[near[0].photo_id] == first[0].photo_id  # 6 bits away
    # `far` is 7 bits from `first` and 9 from `exact`, but 1 bit from `near`, which is earlier.
    assert dup[far[0].photo_id] == near[0].photo_id
    # The SQL agrees with the domain's reference rule.
    cands = [
        Candidate(s[0].photo_id, s[0].occurred_at, s[0].original.sha256, phash_to_int(s[1].phash))
        for s in (first, exact, near, far)
    ]
    assert dup == {c.id: duplicate_of(c, cands) for c in cands}


async def test_deleting_the_reference_moves_duplicates_to_the_next_earliest(project, queries, owner) -> None:
    t0 = datetime(2026, 4, 1, tzinfo=UTC)
    a = photo_story(owner, seed=20, t0=t0, content=b"x")
    b = photo_story(owner, seed=21, t0=t0 + timedelta(minutes=1), content=b"x")
    c = photo_story(owner, seed=22, t0=t0 + timedelta(minutes=2), content=b"x")
    for s in (a, b, c):
        await apply_all(project, s)
    assert (await queries.detail(owner, c[0].photo_id))["duplicate_of"] == a[0].photo_id
    await project(PhotoDeletedV1(photo_id=a[0].photo_id, owner_id=owner, deleted_by=owner))
    assert (await queries.detail(owner, b[0].photo_id))["duplicate_of"] is None
    assert (await queries.detail(owner, c[0].photo_id))["duplicate_of"] == b[0].photo_id


async def test_failed_stages_make_a_photo_degraded_until_a_rerun_succeeds(project, queries, owner) -> None:
    uploaded, ingested, enhanced, tagged = photo_story(owner, seed=30)
    at = ingested.occurred_at + timedelta(seconds=1)
    await apply_all(project, [uploaded, ingested, tagged])
    await project(stage_failed(ingested, "enhance", at, "boom"))
    d = await queries.detail(owner, uploaded.photo_id)
    assert d["stages"]["enhance"] == "failed" and d["status"] == "degraded"
    assert d["failed_stages"] == ["enhance"]
    assert d["failures"][0]["stage"] == "enhance" and d["failures"][0]["message"] == "boom"
    assert d["failures"][0]["failed_event"] == ingested.event_id and d["failures"][0]["attempts"] == 4
    listed, _ = await queries.list_photos(owner, 50, None, _no_filters(status="degraded"))
    assert [p["id"] for p in listed] == [uploaded.photo_id] and listed[0]["failed_stages"] == ["enhance"]
    await project(enhanced)  # re-run later: a real result beats the failure
    d = await queries.detail(owner, uploaded.photo_id)
    assert d["stages"]["enhance"] == "done" and d["status"] == "ready" and d["failed_stages"] == []
    assert d["failures"] == []

    other = photo_story(owner, seed=31)
    await project(other[0])
    report = stage_failed(other[0], "ingest", at, "OOM")
    await project(report)
    d = await queries.detail(owner, other[0].photo_id)
    assert d["status"] == "degraded" and d["failed_stages"] == ["ingest"] and d["rejection"] is None
    assert await project(report) is False  # the same report again changes nothing
    await apply_all(project, other[1:])  # the operator re-ran ingest: everything follows
    assert (await queries.detail(owner, other[0].photo_id))["status"] == "ready"


async def test_an_event_of_another_owners_photo_is_refused_and_changes_nothing(project, queries, owner) -> None:
    """The issue's forgery: Mallory's photo.enhanced.v1 for Alice's photo (an id she learned
    from the topic) — the references are Mallory's own, so only the owner check catches it."""
    alice = photo_story(owner, seed=40)
    await apply_all(project, alice)
    before = await queries.detail(owner, alice[0].photo_id)
    mallory = "mallory-" + owner
    forged = PhotoEnhancedV1(
        photo_id=alice[0].photo_id, owner_id=mallory, duration_ms=1,
        rendition=Rendition(bucket="fotoai-renditions", key=f"{mallory}/{alice[0].photo_id}/enhanced.jpg",
                            name="enhanced", width=4, height=3, bytes=10, mime="image/jpeg"),
    )
    with pytest.raises(OwnerMismatch):
        await project(forged)
    with pytest.raises(OwnerMismatch):
        await project.batch([*photo_story(owner, seed=41), forged])  # nothing of the batch lands
    assert await queries.detail(owner, alice[0].photo_id) == before
    assert await queries.detail(owner, photo_story(owner, seed=41)[0].photo_id) is None


def _no_filters(**kw):
    from fotoai.catalog.domain.filters import ListFilters

    return ListFilters(**kw)


def test_scenarios_are_deterministic() -> None:
    assert photo_story("o", seed=7) == photo_story("o", seed=7)


async def test_duplicates_found_within_one_batch_point_at_the_earliest(project, queries, owner) -> None:
    """The batch recomputes every changed photo's duplicates in one statement, against the
    batch's final rows: copies uploaded together, the earliest last, still find it."""
    t0 = datetime(2026, 3, 2, tzinfo=UTC)
    base = 0x0F0F_F0F0_1234_5678
    first = photo_story(owner, seed=40, t0=t0, content=b"same", phash=base)
    exact = photo_story(owner, seed=41, t0=t0 + timedelta(minutes=1), content=b"same", phash=base ^ 0xFFFF)
    near = photo_story(owner, seed=42, t0=t0 + timedelta(minutes=2), content=b"other", phash=base ^ 0b111111)
    far = photo_story(owner, seed=43, t0=t0 + timedelta(minutes=3), content=b"third", phash=base ^ 0b1111111)
    await project.batch([e for story in (far, near, exact, first) for e in story])
    dup = {s[0].photo_id: (await queries.detail(owner, s[0].photo_id))["duplicate_of"]
           for s in (first, exact, near, far)}
    assert dup == {first[0].photo_id: None, exact[0].photo_id: first[0].photo_id,
                   near[0].photo_id: first[0].photo_id, far[0].photo_id: near[0].photo_id}


async def test_child_rows_written_at_the_end_of_a_batch_are_the_last_events(project, queries, pool, owner) -> None:
    """Renditions, tags and runs of a batch are written once when it ends: a retag and a
    re-run of enhance inside the batch leave only the winners, and a deletion in the same
    batch leaves none of its photo's."""
    kept = photo_story(owner, seed=50, tag_versions=("1.0", "2.0"), enhance_thumbnails=(True, False),
                       embedding_dim=4)
    gone = photo_story(owner, seed=51, tag_versions=("1.0",))
    deletion = PhotoDeletedV1(photo_id=gone[0].photo_id, owner_id=owner, deleted_by=owner,
                              occurred_at=gone[-1].occurred_at + timedelta(seconds=1))
    assert await project.batch([*kept, *gone, deletion]) == [True] * (len(kept) + len(gone) + 1)
    d = await queries.detail(owner, kept[0].photo_id)
    tagged = [e for e in kept if isinstance(e, PhotoTaggedV1)]
    assert {t["label"] for t in d["tags"]} == {t.label for t in tagged[-1].tags}
    snap = await snapshot(pool, owner)
    runs = [r for r in snap["tagging_runs"] if r[0] == kept[0].photo_id]
    assert len(runs) == 1 and runs[0][2] == "2.0"
    names = {r[1] for r in snap["renditions"] if r[0] == kept[0].photo_id}
    # The second enhance run has no thumbnail: the first run's is gone with it.
    assert "enhanced" in names and "enhanced_thumb" not in names and "thumb_small" in names
    assert [r[0] for r in snap["embeddings"]] == [kept[0].photo_id]
    assert not [r for r in snap["renditions"] + snap["tags"] + snap["faces"] if r[0] == gone[0].photo_id]
    assert not [r for r in snap["timeline"] if r[1] == gone[0].photo_id]
    # The same batch again: every event is a repeat and nothing changes.
    assert await project.batch([*kept, *gone, deletion]) == [False] * (len(kept) + len(gone) + 1)
    assert await snapshot(pool, owner) == snap
