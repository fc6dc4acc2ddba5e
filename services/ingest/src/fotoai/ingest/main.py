"""Composition root of the ingest service: settings once, the object graph in the lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fotoai.ingest.config import IngestSettings
from fotoai.ingest.entrypoints.kafka import register_handlers
from fotoai.ingest.ports import ObjectMissing, ObjectTooLarge
from fotoai.ingest.use_cases import IngestPhoto
from fotoai.servicekit.app import create_app, serve
from fotoai.servicekit.log import configure_logging
from fotoai.servicekit.runtime import ConsumerRuntime
from fotoai.servicekit.storage import PortStore


def build_app(settings: IngestSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with ConsumerRuntime(app, settings, "ingest", settings.originals_bucket) as rt:
            ingest_photo = IngestPhoto(PortStore(rt.store, ObjectMissing, ObjectTooLarge), settings.ingest)
            await ingest_photo.start()
            places = asyncio.create_task(ingest_photo.load_places())
            try:
                register_handlers(rt.bus, ingest_photo)
                await rt.start()
                yield
            finally:
                await asyncio.gather(places, return_exceptions=True)
                await ingest_photo.aclose()

    return create_app("ingest", lifespan=lifespan)


def main() -> None:
    settings = IngestSettings()
    configure_logging("ingest", settings.log_level, settings.log_json)
    serve(build_app(settings), settings.http_host, settings.http_port)
