"""`IngestPhoto`: `photo.uploaded.v1` → fetch → sandboxed decode → renditions → ingested or rejected.

The use case turns every way a file can be bad into a `PhotoRejectedV1` with its reason code, and
lets transient failures (storage errors) propagate to the retry policy. Its output depends only on
the upload event and the bytes, so a redelivered upload rewrites the same keys with the same bytes
and yields the same event (the same `event_id` too, derived from the upload's).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from typing import Self

from fotoai.contracts import (
    ExifSubset,
    GpsPosition,
    PhotoIngestedV1,
    PhotoRejectedV1,
    PhotoUploadedV1,
    RejectReason,
    Rendition,
    derived_event_id,
)
from fotoai.contracts.events import Place
from fotoai.ingest.config import IngestOptions
from fotoai.ingest.domain.decode import DecodeLimits
from fotoai.ingest.domain.metadata import PhotoMetadata
from fotoai.ingest.domain.pipeline import PhotoJob, ProcessedPhoto, process_photo
from fotoai.ingest.domain.places import load_trees, locate
from fotoai.ingest.domain.rejections import ImageRejected
from fotoai.ingest.domain.renditions import THUMBNAIL_FILTER, Encoding, RenditionSpec
from fotoai.ingest.ports import ObjectMissing, ObjectStore, ObjectTooLarge
from fotoai.ingest.sandbox import DecodeSandbox, DecodeTimeout, WorkerCrashed

DISPLAY, PREVIEW, THUMB_LARGE, THUMB_SMALL = "display", "preview", "thumb_large", "thumb_small"


def job_from_options(options: IngestOptions) -> PhotoJob:
    thumbs = Encoding(options.thumb_encoding)
    return PhotoJob(
        limits=DecodeLimits(
            max_pixels=options.max_pixels, raw_preview_min_fraction=options.raw_preview_min_fraction
        ),
        renditions=(
            RenditionSpec(
                DISPLAY, None, Encoding(options.display_encoding), options.display_quality
            ),
            RenditionSpec(
                PREVIEW,
                options.preview_side,
                Encoding.JPEG,
                options.preview_quality,
                keep_up_to=options.preview_keep_up_to,
            ),
            RenditionSpec(
                THUMB_LARGE,
                options.thumb_large_side,
                thumbs,
                options.thumb_quality,
                resample=THUMBNAIL_FILTER,
                optimize=True,
            ),
            RenditionSpec(
                THUMB_SMALL,
                options.thumb_small_side,
                thumbs,
                options.thumb_quality,
                resample=THUMBNAIL_FILTER,
                optimize=True,
            ),
        ),
        reuse_jpeg_max_quality=options.reuse_jpeg_max_quality
        if options.display_encoding == "jpeg"
        else None,
    )


def sandbox_from_options(options: IngestOptions) -> DecodeSandbox:
    limit = options.worker_memory_limit_mb
    return DecodeSandbox(
        workers=options.decode_workers,
        timeout_s=options.decode_timeout_s,
        memory_limit_bytes=limit * 1024 * 1024 if limit else None,
        max_tasks=options.worker_max_tasks,
    )


class IngestPhoto:
    """Call with a `PhotoUploadedV1`; returns the event to publish.

    Owns its decode sandbox unless one is given: call `start()` at start-up (optional, it warms the
    workers) and `aclose()` at shutdown, or use it as an async context manager.
    """

    def __init__(
        self, store: ObjectStore, options: IngestOptions, sandbox: DecodeSandbox | None = None
    ) -> None:
        self._store = store
        self._options = options
        self._job = job_from_options(options)
        self._sandbox = sandbox or sandbox_from_options(options)

    async def start(self) -> None:
        await self._sandbox.start()

    async def aclose(self) -> None:
        await self._sandbox.aclose()

    async def load_places(self) -> None:
        """Load the reverse-geocoding trees (the service starts it in the background at start-up:
        otherwise the first photos with a position pay ~4 CPU-s and wait for it)."""
        await asyncio.to_thread(load_trees)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def sandbox_restarts(self) -> int:
        return self._sandbox.restarts

    async def __call__(self, event: PhotoUploadedV1) -> PhotoIngestedV1 | PhotoRejectedV1:
        original = event.original
        limit = self._options.max_bytes
        if original.size > limit:
            return _rejected(
                event, RejectReason.TOO_LARGE, f"{original.size} bytes exceeds the limit of {limit}"
            )
        try:
            data = await self._store.get_bytes(original.bucket, original.key, max_bytes=limit)
        except ObjectMissing:
            return _rejected(
                event,
                RejectReason.MISSING_OBJECT,
                f"{original.bucket}/{original.key} does not exist",
            )
        except ObjectTooLarge:
            return _rejected(
                event,
                RejectReason.TOO_LARGE,
                f"the stored object exceeds the limit of {limit} bytes",
            )
        if len(data) > limit:
            return _rejected(
                event, RejectReason.TOO_LARGE, f"{len(data)} bytes exceeds the limit of {limit}"
            )
        if not data:
            return _rejected(event, RejectReason.EMPTY, "the file is empty")
        if self._options.verify_sha256:
            digest = await asyncio.to_thread(lambda: hashlib.sha256(data).hexdigest())
            if digest != original.sha256:
                return _rejected(
                    event,
                    RejectReason.CORRUPT,
                    f"stored bytes hash to {digest}, the upload declared {original.sha256}",
                )

        try:
            processed = await self._sandbox.run(process_photo, data, self._job)
        except ImageRejected as rejection:
            return _rejected(event, RejectReason(rejection.reason.value), rejection.message)
        except DecodeTimeout as exc:
            return _rejected(event, RejectReason.DECODE_TIMEOUT, str(exc))
        except WorkerCrashed as exc:
            return _rejected(
                event, RejectReason.CORRUPT, f"the decoder crashed on this file: {exc}"
            )
        except MemoryError:
            return _rejected(
                event, RejectReason.TOO_MANY_PIXELS, "decoding needs more memory than allowed"
            )

        renditions = await self._store_renditions(event, processed)
        return PhotoIngestedV1(
            event_id=derived_event_id(event, PhotoIngestedV1.TOPIC),
            photo_id=event.photo_id,
            owner_id=event.owner_id,
            format=processed.format.value,
            width=processed.width,
            height=processed.height,
            orientation=processed.orientation,
            exif=_exif_subset(processed.metadata),
            sha256=original.sha256,
            phash=processed.phash,
            renditions=renditions,
            decode_path=processed.decode_path,
            place=await _place(processed.metadata),
        )

    async def _store_renditions(
        self, event: PhotoUploadedV1, processed: ProcessedPhoto
    ) -> list[Rendition]:
        bucket = self._options.renditions_bucket
        renditions = [
            Rendition(
                name=r.name,
                bucket=bucket,
                key=rendition_key(event.owner_id, event.photo_id, r.name, r.encoding.extension),
                width=r.width,
                height=r.height,
                bytes=len(r.data),
                mime=r.encoding.mime,
            )
            for r in processed.renditions
        ]
        await asyncio.gather(
            *(
                self._store.put_bytes(meta.bucket, meta.key, r.data, meta.mime)
                for meta, r in zip(renditions, processed.renditions, strict=True)
            )
        )
        return renditions


def rendition_key(owner_id: str, photo_id: str, name: str, extension: str) -> str:
    """docs/architecture.md (storage): `{owner_id}/{photo_id}/{rendition}.{ext}` in the renditions bucket."""
    return f"{owner_id}/{photo_id}/{name}.{extension}"


def _rejected(event: PhotoUploadedV1, reason: RejectReason, message: str) -> PhotoRejectedV1:
    return PhotoRejectedV1(
        event_id=derived_event_id(event, PhotoRejectedV1.TOPIC),
        photo_id=event.photo_id,
        owner_id=event.owner_id,
        reason=reason,
        message=message[:500],
    )


async def _place(meta: PhotoMetadata) -> Place | None:
    """Reverse-geocoded offline (domain/places.py), off the event loop: the first look-up loads
    the place trees."""
    if meta.gps is None:
        return None
    found = await asyncio.to_thread(locate, meta.gps.lat, meta.gps.lon)
    return Place(**dataclasses.asdict(found)) if found else None


def _exif_subset(meta: PhotoMetadata) -> ExifSubset:
    gps = GpsPosition(lat=meta.gps.lat, lon=meta.gps.lon, alt=meta.gps.alt) if meta.gps else None
    return ExifSubset(
        taken_at=meta.taken_at,
        camera_make=meta.camera_make,
        camera_model=meta.camera_model,
        lens=meta.lens,
        exposure_time=meta.exposure_time,
        f_number=meta.f_number,
        iso=meta.iso,
        focal_length=meta.focal_length,
        gps=gps,
    )
