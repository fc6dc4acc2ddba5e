"""The whole CPU-bound job for one photo, as one picklable call for the decode sandbox.

`process_photo(data, job)` decodes, makes the renditions and the perceptual hash, and returns
plain data (`ProcessedPhoto`). It runs in a worker process; it must stay free of I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from fotoai.ingest.domain.decode import DecodeLimits, decode_photo
from fotoai.ingest.domain.formats import ImageFormat, RawKind, detect_format
from fotoai.ingest.domain.jpeg_reuse import can_reuse, strip_metadata
from fotoai.ingest.domain.metadata import PhotoMetadata
from fotoai.ingest.domain.phash import perceptual_hash
from fotoai.ingest.domain.renditions import (
    EncodedRendition,
    Encoding,
    RenditionSpec,
    make_renditions,
)


@dataclass(frozen=True, slots=True)
class PhotoJob:
    limits: DecodeLimits
    renditions: tuple[RenditionSpec, ...]
    # Serve an upright sRGB JPEG of at most this quality as its own display rendition (metadata
    # stripped) instead of re-encoding it; None always re-encodes.
    reuse_jpeg_max_quality: int | None = None


@dataclass(frozen=True, slots=True)
class ProcessedPhoto:
    format: ImageFormat
    raw_kind: RawKind | None
    width: int  # full resolution of the photo, after orientation
    height: int
    orientation: int
    metadata: PhotoMetadata
    phash: str
    decode_path: str
    renditions: tuple[EncodedRendition, ...]


def process_photo(data: bytes, job: PhotoJob) -> ProcessedPhoto:
    """Decode `data` and produce every rendition of `job`; raises `ImageRejected`."""
    if not job.renditions:
        raise ValueError("a job needs at least one rendition")
    reused = _reusable_display(data, job)
    to_encode = [s for s in job.renditions if reused is None or s.name != reused[0].name]
    sides = [s.max_side for s in to_encode]
    # Only when no rendition to encode is full-size may the decoder shrink on load.
    wanted = None if None in sides or not sides else max(s for s in sides if s is not None)
    decoded = decode_photo(data, job.limits, target_side=wanted)
    encoded, smallest = make_renditions(decoded.image, to_encode)
    width, height = decoded.source_size
    by_name = {r.name: r for r in encoded}
    if reused is not None:
        spec, display = reused
        by_name[spec.name] = EncodedRendition(spec.name, display, width, height, Encoding.JPEG)
    return ProcessedPhoto(
        format=decoded.format,
        raw_kind=decoded.raw_kind,
        width=width,
        height=height,
        orientation=decoded.orientation,
        metadata=decoded.metadata,
        phash=perceptual_hash(smallest),
        decode_path=decoded.decode_path,
        renditions=tuple(by_name[s.name] for s in job.renditions),
    )


def _reusable_display(data: bytes, job: PhotoJob) -> tuple[RenditionSpec, bytes] | None:
    if job.reuse_jpeg_max_quality is None:
        return None
    display = next(
        (s for s in job.renditions if s.max_side is None and s.encoding is Encoding.JPEG), None
    )
    detected = detect_format(data)
    if display is None or detected is None or detected.format is not ImageFormat.JPEG:
        return None
    if not can_reuse(data, job.reuse_jpeg_max_quality):
        return None
    try:
        return display, strip_metadata(data)
    except ValueError:
        return None  # segment structure too odd to cut safely: re-encode instead
