"""Realistic event histories of photos, built from the real v1 event models: the inputs of the
catalog's property tests, its replay test and its projection benchmark (test data: it lives
with the tests, imported as `services.catalog.tests.scenarios`)."""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fotoai.contracts import (
    Colour,
    Embedding,
    Event,
    ExifSubset,
    Face,
    FailedEvent,
    GpsPosition,
    Operation,
    OriginalObject,
    PhotoDeletedV1,
    PhotoEnhancedV1,
    PhotoIngestedV1,
    PhotoRejectedV1,
    PhotoStageFailedV1,
    PhotoTaggedV1,
    PhotoUploadedV1,
    QualityFlags,
    RejectReason,
    Rendition,
    Tag,
    follow,
)

_NS = uuid.UUID("8b0e2d7c-51a4-4f3e-9c6d-7a2b1e0f3c4d")
LABELS = ("cat", "dog", "beach", "mountain", "car", "person", "sunset", "food", "tree", "city",
          "snow", "boat", "bird", "flower", "building", "night")
CAMERAS = (("Canon", "Canon EOS R5"), ("NIKON CORPORATION", "NIKON Z 6"), ("Apple", "iPhone 15"),
           ("FUJIFILM", "X-T5"))


def photo_story(
    owner_id: str,
    *,
    photo_id: str | None = None,
    t0: datetime | None = None,
    seed: int = 0,
    content: bytes | None = None,
    phash: int | None = None,
    reject: bool = False,
    tag_versions: tuple[str, ...] = ("1.0",),
    embedding_dim: int = 0,
    delete: bool = False,
    enhance_thumbnails: tuple[bool, ...] = (True,),
) -> list[Any]:
    """The events of one photo in their causal order: uploaded, then ingested (or rejected),
    one enhanced per entry of `enhance_thumbnails` (a re-run after the first; each with its
    enhanced_thumb rendition or, like an older producer's, without), one tagged per model
    version, and optionally deleted. Their types differ by position, so the list is of Any: a
    test reads the fields of the type it knows is there."""
    rnd = random.Random(seed)
    counter = iter(range(1000))

    def new_id() -> str:
        # Ids depend on the owner too, so two owners' libraries built from the same seeds
        # never share a photo or event id.
        return str(uuid.uuid5(_NS, f"{owner_id}/{seed}/{next(counter)}"))

    pid = photo_id or new_id()
    t0 = t0 or datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=rnd.randrange(10**7))
    content = content if content is not None else rnd.randbytes(32)
    sha = hashlib.sha256(content).hexdigest()
    tick = iter(range(1, 1000))

    def at() -> datetime:
        return t0 + timedelta(milliseconds=137 * next(tick))

    uploaded = PhotoUploadedV1(
        event_id=new_id(), occurred_at=t0,
        photo_id=pid, owner_id=owner_id,
        original=OriginalObject(bucket="fotoai-originals", key=f"{owner_id}/{pid}/original",
                                size=len(content) * 1000, sha256=sha, content_type="image/jpeg",
                                file_name=f"IMG_{rnd.randrange(10000):04d}.jpg"),
    )
    events: list[Event] = [uploaded]
    if reject:
        events.append(follow(uploaded, PhotoRejectedV1, occurred_at=at(),
                             reason=RejectReason.CORRUPT, message="truncated JPEG"))
    else:
        make, model = rnd.choice(CAMERAS)
        ph = phash if phash is not None else rnd.getrandbits(64)
        rend = [
            Rendition(name=n, bucket="fotoai-renditions", key=f"{owner_id}/{pid}/{n}.jpg",
                      width=w, height=w * 3 // 4, bytes=w * 100, mime="image/jpeg")
            for n, w in (("display", 4000), ("thumb_large", 1024), ("thumb_small", 256))
        ]
        ingested = follow(
            uploaded, PhotoIngestedV1, occurred_at=at(), format="jpeg", width=4000, height=3000,
            exif=ExifSubset(
                taken_at=t0 - timedelta(days=rnd.randrange(3000)), camera_make=make,
                camera_model=model, lens="24-70mm", exposure_time=1 / 250, f_number=2.8,
                iso=rnd.choice((100, 400, 1600)), focal_length=35.0,
                gps=GpsPosition(lat=rnd.uniform(-60, 60), lon=rnd.uniform(-170, 170), alt=12.0),
            ),
            sha256=sha, phash=f"{ph & 0xFFFFFFFFFFFFFFFF:016x}", renditions=rend,
        )
        events.append(ingested)
        for run, with_thumbnail in enumerate(enhance_thumbnails):
            # The first run's id is derived from the ingested event, as enhance does; a re-run
            # (a replay with a newer enhancer) is another event.
            events.append(follow(
                ingested, PhotoEnhancedV1, occurred_at=at(), qualifiers=(f"rerun-{run}",) if run else (),
                rendition=Rendition(name="enhanced", bucket="fotoai-renditions",
                                    key=f"{owner_id}/{pid}/enhanced.jpg", width=1920, height=1440,
                                    bytes=400000 + run, mime="image/jpeg"),
                thumbnail=Rendition(name="enhanced_thumb", bucket="fotoai-renditions",
                                    key=f"{owner_id}/{pid}/enhanced_thumb.jpg", width=1024, height=768,
                                    bytes=90000 + run, mime="image/jpeg") if with_thumbnail else None,
                operations=[Operation(name="exposure", params={"gain": 1.2 + run / 10}),
                            Operation(name="white_balance", params={"method": "gray_world"})],
                quality_before={"sharpness": 0.4}, quality_after={"sharpness": 0.6},
                device="cpu", duration_ms=120.0,
            ))
        for i, version in enumerate(tag_versions):
            labels = rnd.sample(LABELS, 4)
            vec = [rnd.uniform(-1, 1) for _ in range(embedding_dim)] if embedding_dim else None
            events.append(PhotoTaggedV1(
                event_id=new_id(),
                occurred_at=at(), photo_id=pid, owner_id=owner_id,
                tags=[Tag(label=f"{lab}", score=round(0.9 - 0.1 * j - 0.01 * i, 3), source="classifier")
                      for j, lab in enumerate(labels)],
                faces=[Face(box=(0.1, 0.2, 0.3, 0.4), score=0.9)] if i % 2 == 0 else [],
                quality=QualityFlags(blurry=bool(i % 2), dark=False),
                colors=[Colour(hex="#aa3300", fraction=0.5)],
                embedding=Embedding(model_id="clip-test", dimension=embedding_dim, vector=vec) if vec else None,
                model_id="classifier", model_version=version, device="cpu", duration_ms=40.0,
            ))
    if delete:
        events.append(PhotoDeletedV1(
            event_id=new_id(), occurred_at=at(),
            photo_id=pid, owner_id=owner_id, deleted_by=owner_id,
        ))
    return events


def stage_failed(cause: Event, stage: str, at: datetime, error: str = "gave up") -> PhotoStageFailedV1:
    """What the shared retry policy of `stage` publishes when it parks `cause`."""
    return PhotoStageFailedV1(
        event_id=str(uuid.uuid5(_NS, f"{cause.event_id}/{stage}/failed")), occurred_at=at,
        photo_id=cause.photo_id, owner_id=cause.owner_id, stage=stage, error_type="RuntimeError",
        error_message=error, attempts=4, dead_letter_topic=f"dlq.{stage}",
        failed_event=FailedEvent(topic=cause.TOPIC, event_id=cause.event_id, ce_type=cause.ce_type()),
    )
