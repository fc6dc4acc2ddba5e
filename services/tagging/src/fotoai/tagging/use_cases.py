"""The tagging use cases: `TagPhoto` (photo.ingested.v1 → photo.tagged.v1) and `EmbedQuery`
(search text → a vector in the image embedding space).

Both depend on ports only. Decoding, face detection, quality and colour analysis run on a
worker thread; model inference goes through the runner's batcher; the event loop only waits.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from fotoai.contracts import (
    Colour,
    Embedding,
    Face,
    PhotoIngestedV1,
    PhotoTaggedV1,
    QualityFlags,
    Rendition,
    Tag,
    derived_event_id,
)
from fotoai.tagging.config import TaggingOptions
from fotoai.tagging.domain.calibration import ScoredLabel
from fotoai.tagging.domain.colours import DominantColour, colour_name, dominant_colours
from fotoai.tagging.domain.imaging import UndecodableImage, decode_image
from fotoai.tagging.domain.quality import QualityReport, assess_quality
from fotoai.tagging.domain.scene import FaceBox, orientation_tag, people_tags
from fotoai.tagging.ports import (
    ObjectMissing,
    ObjectStore,
    ObjectTooLarge,
    TaggingModel,
    TextEncoder,
)

# Renditions to try, best first: the large thumbnail is plenty for every analysis here. Only
# renditions ingest encoded itself from decoded pixels: never `display`, which may be the uploaded
# bytes as they came (only ingest's sandbox decodes those).
RENDITION_PREFERENCE = ("thumb_large", "preview")
# A dominant colour covering this much of the picture becomes a searchable colour tag.
COLOUR_TAG_FRACTION = 0.25


class NothingToTag(Exception):
    """The event names no usable rendition, or none of them is in the store: a permanent error
    the entrypoint parks on the dead-letter topic."""


@dataclass(frozen=True)
class PixelAnalysis:
    """Everything worked out on the CPU before the model sees the picture."""

    model_input: np.ndarray
    faces: list[FaceBox]
    quality: QualityReport
    colours: list[DominantColour]


def pick_renditions(renditions: list[Rendition]) -> list[Rendition]:
    by_name = {r.name: r for r in renditions}
    return [by_name[name] for name in RENDITION_PREFERENCE if name in by_name]


def merge_tags(*groups: list[ScoredLabel]) -> list[Tag]:
    """One tag per label (the best score wins), best first."""
    best: dict[str, ScoredLabel] = {}
    for group in groups:
        for tag in group:
            if tag.label not in best or tag.score > best[tag.label].score:
                best[tag.label] = tag
    ordered = sorted(best.values(), key=lambda t: -t.score)
    return [Tag(label=t.label, score=round(t.score, 4), source=t.source) for t in ordered]


def quality_tags(report: QualityReport) -> list[ScoredLabel]:
    flags = {
        "blurry": report.blurry,
        "dark": report.dark,
        "overexposed": report.overexposed,
        "low resolution": report.low_resolution,
    }
    return [
        ScoredLabel(label=name, score=1.0, source="quality") for name, on in flags.items() if on
    ]


def colour_tags(colours: list[DominantColour]) -> list[ScoredLabel]:
    return [
        ScoredLabel(label=colour_name(c.rgb), score=c.fraction, source="colour")
        for c in colours
        if c.fraction >= COLOUR_TAG_FRACTION
    ]


def tagged_event_id(event: PhotoIngestedV1, model_id: str, model_version: str) -> str:
    """The same ingested event tagged by the same model always yields the same event id, so a
    redelivery or a replay is recognisable downstream; a new model version yields a new one."""
    return derived_event_id(event, PhotoTaggedV1.TOPIC, model_id, model_version)


class TagPhoto:
    """Tag one ingested photo: fetch its thumbnail, analyse it, and describe it as an event."""

    def __init__(
        self,
        store: ObjectStore,
        runner: TaggingModel,
        options: TaggingOptions,
        clock: Callable[[], float] = time.perf_counter,
    ):
        self._store = store
        self._runner = runner
        self._options = options
        self._clock = clock

    async def __call__(self, event: PhotoIngestedV1) -> PhotoTaggedV1:
        started = self._clock()
        data = await self._fetch(event)
        analysis = await asyncio.to_thread(self._analyse, data, event.width, event.height)
        result = await self._runner.infer(analysis.model_input)
        vector = np.asarray(result.embedding, dtype=np.float32)
        tags = merge_tags(
            result.tags,
            people_tags(analysis.faces),
            [orientation_tag(event.width, event.height)],
            quality_tags(analysis.quality),
            colour_tags(analysis.colours),
        )
        return PhotoTaggedV1(
            event_id=tagged_event_id(event, self._runner.model_id, self._options.model_version),
            photo_id=event.photo_id,
            owner_id=event.owner_id,
            tags=tags,
            faces=[
                Face(
                    box=(round(f.x, 5), round(f.y, 5), round(f.w, 5), round(f.h, 5)),
                    score=round(f.score, 4),
                )
                for f in analysis.faces
            ],
            quality=QualityFlags(
                blurry=analysis.quality.blurry,
                dark=analysis.quality.dark,
                overexposed=analysis.quality.overexposed,
                low_resolution=analysis.quality.low_resolution,
                measures=analysis.quality.measures,
            ),
            colors=[Colour(hex=c.hex, fraction=round(c.fraction, 4)) for c in analysis.colours],
            embedding=Embedding(
                model_id=self._runner.model_id,
                dimension=int(vector.shape[0]),
                vector=[float(v) for v in vector],
            ),
            model_id=self._runner.model_id,
            model_version=self._options.model_version,
            device=self._runner.device,
            duration_ms=round((self._clock() - started) * 1000.0, 3),
        )

    async def _fetch(self, event: PhotoIngestedV1) -> bytes:
        candidates = pick_renditions(event.renditions)
        if not candidates:
            raise NothingToTag(f"photo {event.photo_id} has no {' or '.join(RENDITION_PREFERENCE)} rendition")
        for rendition in candidates:
            try:
                return await self._store.get_bytes(
                    rendition.bucket, rendition.key, max_bytes=self._options.max_image_bytes
                )
            # Missing (deleted, not written yet) or absurdly large: try the next one.
            except (ObjectMissing, ObjectTooLarge):
                continue
        raise NothingToTag(
            f"none of the renditions of photo {event.photo_id} is in the store within the limit: "
            + ", ".join(f"{r.bucket}/{r.key}" for r in candidates)
        )

    def _analyse(self, data: bytes, width: int, height: int) -> PixelAnalysis:
        try:
            decoded = decode_image(data)
        except UndecodableImage as exc:
            raise NothingToTag(f"the rendition is not a readable picture: {exc}") from exc
        rgb = decoded.rgb
        return PixelAnalysis(
            model_input=self._runner.prepare(rgb),
            faces=self._runner.detect_faces(rgb),
            quality=assess_quality(rgb, width, height),
            colours=dominant_colours(rgb),
        )


# Bounds on one embedding request: search queries are short and come one or a few at a time.
MAX_TEXTS = 64
MAX_TEXT_CHARS = 1000


@dataclass(frozen=True)
class QueryEmbedding:
    """One text's unit vector, comparable (cosine / inner product) with the `embedding.vector`
    of photo.tagged.v1 events that carry the same `model_id`."""

    model_id: str
    dimension: int
    vector: list[float]


class EmbedQuery:
    """Search text → a vector in the image embedding space. Raises TextEmbeddingUnavailable
    without a CLIP-family model, ValueError for empty or oversized input."""

    def __init__(self, encoder: TextEncoder):
        self._encoder = encoder

    async def __call__(self, text: str) -> QueryEmbedding:
        [answer] = await self.many([text])
        return answer

    async def many(self, texts: list[str]) -> list[QueryEmbedding]:
        """Several texts in one pass through the text encoder."""
        cleaned = [" ".join(text.split()) for text in texts]
        if not cleaned or any(not text for text in cleaned):
            raise ValueError("nothing to embed: give one or more non-empty texts")
        if len(cleaned) > MAX_TEXTS or any(len(text) > MAX_TEXT_CHARS for text in cleaned):
            raise ValueError(f"at most {MAX_TEXTS} texts of {MAX_TEXT_CHARS} characters each")
        vectors = await asyncio.to_thread(self._encoder.embed_text, cleaned)
        model_id = self._encoder.model_id
        return [QueryEmbedding(model_id=model_id, dimension=len(v), vector=v) for v in vectors]
