"""Composition root of the ingest service: settings once, the object graph in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fotoai.ingest.config import IngestSettings
from fotoai.ingest.entrypoints.kafka import register_handlers
from fotoai.ingest.ports import ObjectMissing, ObjectTooBig
from fotoai.ingest.use_cases import IngestPhoto
from fotoai.servicekit.app import create_app, serve
from fotoai.servicekit.bus import EventBus
from fotoai.servicekit.log import configure_logging
from fotoai.servicekit.storage import PortStore, store_from_settings
from fotoai.servicekit.telemetry import install, make_tracer_provider


def build_app(settings: IngestSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        provider = make_tracer_provider("ingest", settings.otlp_endpoint)
        install(provider)
        store = store_from_settings(settings)
        ingest_photo = IngestPhoto(PortStore(store, ObjectMissing, ObjectTooBig), settings.ingest)
        await ingest_photo.start()
        bus = EventBus(settings, "ingest", provider)
        register_handlers(bus, ingest_photo)
        app.state.readiness.update(
            kafka=bus.ping, object_store=lambda: store.ping(settings.originals_bucket)
        )
        await bus.start()
        try:
            yield
        finally:
            await bus.stop()
            await ingest_photo.aclose()

    return create_app("ingest", lifespan=lifespan)


def main() -> None:
    settings = IngestSettings()
    configure_logging("ingest", settings.log_level, settings.log_json)
    serve(build_app(settings), settings.http_host, settings.http_port)
