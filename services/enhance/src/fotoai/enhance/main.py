"""Composition root of the enhance service: settings once, the object graph in the lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fotoai.enhance.adapters.backends import build_enhancer
from fotoai.enhance.config import EnhanceSettings
from fotoai.enhance.entrypoints.kafka import register_handlers
from fotoai.enhance.ports import ObjectMissing, ObjectTooLarge
from fotoai.enhance.use_cases import EnhancePhoto
from fotoai.servicekit import metrics
from fotoai.servicekit.app import create_app, serve
from fotoai.servicekit.bus import EventBus
from fotoai.servicekit.log import configure_logging
from fotoai.servicekit.storage import PortStore, store_from_settings
from fotoai.servicekit.telemetry import install, make_tracer_provider


def build_app(settings: EnhanceSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        provider = make_tracer_provider("enhance", settings.otlp_endpoint)
        install(provider)
        store = store_from_settings(settings)
        # Building the enhancer may import torch and load a model: keep it off the event loop.
        enhancer = await asyncio.to_thread(build_enhancer, settings.enhance)
        enhance_photo = EnhancePhoto(
            PortStore(store, ObjectMissing, ObjectTooLarge), enhancer, settings.enhance
        )
        bus = EventBus(settings, "enhance", provider)
        register_handlers(
            bus,
            enhance_photo,
            concurrency=max(settings.consumer_concurrency, settings.enhance.max_concurrency),
        )
        app.state.readiness.update(
            kafka=bus.ping, object_store=lambda: store.ping(settings.renditions_bucket)
        )
        await bus.start()
        gpu_reporter = asyncio.create_task(metrics.report_gpu_memory("enhance"))
        try:
            yield
        finally:
            gpu_reporter.cancel()
            await bus.stop()

    return create_app("enhance", lifespan=lifespan)


def main() -> None:
    settings = EnhanceSettings()
    configure_logging("enhance", settings.log_level, settings.log_json)
    serve(build_app(settings), settings.http_host, settings.http_port)
