"""One upload is one trace: W3C context crosses Kafka from producer to every consumer.

Four buses (gateway, ingest, enhance, tagging) share one tracer provider with an in-memory
exporter and talk through the real Kafka; the test checks the span tree.
"""

import asyncio
import uuid

import pytest
from fotoai.contracts import (
    OriginalObject,
    PhotoEnhancedV1,
    PhotoIngestedV1,
    PhotoTaggedV1,
    PhotoUploadedV1,
    Rendition,
    follow,
)
from fotoai.servicekit.bus import EventBus
from fotoai.servicekit.settings import ServiceSettings
from fotoai.servicekit.telemetry import make_tracer_provider
from fotoai.servicekit.testing import kafka_settings
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

pytestmark = pytest.mark.integration


async def test_span_tree_of_one_upload(stack_env):
    exporter = InMemorySpanExporter()
    provider = make_tracer_provider("test", extra=SimpleSpanProcessor(exporter))
    settings = ServiceSettings(**kafka_settings(stack_env))
    run = uuid.uuid4().hex[:8]
    photo_id = f"trace-{run}"
    done = asyncio.Event()
    seen: set[str] = set()

    gateway = EventBus(settings, "gateway", provider)
    ingest = EventBus(settings, "ingest", provider)
    enhance = EventBus(settings, "enhance", provider)
    tagging = EventBus(settings, "tagging", provider)
    # Real-looking references: every consumer refuses objects outside the event's own photo.
    rendition = Rendition(bucket=settings.renditions_bucket, key=f"u/{photo_id}/display.jpg", name="display",
                          width=1, height=1, bytes=1, mime="image/jpeg")

    async def on_uploaded(ev: PhotoUploadedV1):
        if ev.photo_id == photo_id:
            return follow(ev, PhotoIngestedV1, format="jpeg", width=1, height=1, renditions=[rendition])
        return None

    async def on_ingested_enhance(ev: PhotoIngestedV1):
        if ev.photo_id == photo_id:
            return follow(ev, PhotoEnhancedV1, rendition=rendition.model_copy(update={"name": "enhanced", "key": f"u/{photo_id}/enhanced.jpg"}), duration_ms=1)
        return None

    async def on_ingested_tagging(ev: PhotoIngestedV1):
        if ev.photo_id == photo_id:
            return follow(ev, PhotoTaggedV1, model_id="m", model_version="1", duration_ms=1)
        return None

    async def on_final(ev):
        if ev.photo_id == photo_id:
            seen.add(ev.TOPIC)
            if len(seen) == 2:
                done.set()

    ingest.subscribe(PhotoUploadedV1, on_uploaded, group=f"ingest-{run}")
    enhance.subscribe(PhotoIngestedV1, on_ingested_enhance, group=f"enhance-{run}")
    tagging.subscribe(PhotoIngestedV1, on_ingested_tagging, group=f"tagging-{run}")
    gateway.subscribe(PhotoEnhancedV1, on_final, group=f"catalog-e-{run}")
    gateway.subscribe(PhotoTaggedV1, on_final, group=f"catalog-t-{run}")
    buses = (gateway, ingest, enhance, tagging)
    for b in buses:
        await b.start()
    try:
        await asyncio.sleep(2)  # let the groups settle on their partitions
        # The gateway's request span is the root of the upload's trace.
        with provider.get_tracer("test").start_as_current_span("POST /v1/photos") as root:
            trace_id = root.get_span_context().trace_id
            await gateway.publish(PhotoUploadedV1(
                photo_id=photo_id, owner_id="u",
                original=OriginalObject(bucket=settings.originals_bucket, key=f"u/{photo_id}/original", size=1,
                                        sha256="0" * 64),
            ))
        await asyncio.wait_for(done.wait(), 90)
    finally:
        for b in buses:
            await b.stop()

    spans = [s for s in exporter.get_finished_spans()]
    by_id = {s.context.span_id: s for s in spans}
    trace = [s for s in spans if s.context.trace_id == trace_id]
    names = {s.name.split(" ")[0] for s in trace}
    assert {"photo.uploaded.v1", "photo.ingested.v1", "photo.enhanced.v1", "photo.tagged.v1"} <= names

    def ancestors(span):
        out = []
        while span.parent is not None and span.parent.span_id in by_id:
            span = by_id[span.parent.span_id]
            out.append(span.name.split(" ")[0])
        return out

    tagged_process = [s for s in trace if s.name.startswith("photo.tagged.v1") and s.kind.name == "CONSUMER"]
    assert tagged_process, [(s.name, s.kind.name) for s in trace]
    chain = ancestors(tagged_process[0])
    # tagged ← ingested ← uploaded: each consumer span descends from its producer's span.
    assert "photo.ingested.v1" in chain and "photo.uploaded.v1" in chain, chain
