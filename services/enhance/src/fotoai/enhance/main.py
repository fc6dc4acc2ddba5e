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
from fotoai.servicekit.app import create_app, serve
from fotoai.servicekit.log import configure_logging
from fotoai.servicekit.runtime import ConsumerRuntime
from fotoai.servicekit.storage import PortStore


def build_app(settings: EnhanceSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with ConsumerRuntime(app, settings, "enhance", settings.renditions_bucket, report_gpu=True) as rt:
            # Building the enhancer may import torch and load a model: keep it off the event loop.
            enhancer = await asyncio.to_thread(build_enhancer, settings.enhance)
            enhance_photo = EnhancePhoto(
                PortStore(rt.store, ObjectMissing, ObjectTooLarge), enhancer, settings.enhance
            )
            register_handlers(
                rt.bus,
                enhance_photo,
                concurrency=max(settings.consumer_concurrency, settings.enhance.max_concurrency),
            )
            try:
                await rt.start()
                yield
            finally:
                await enhance_photo.aclose()

    return create_app("enhance", lifespan=lifespan)


def main() -> None:
    settings = EnhanceSettings()
    configure_logging("enhance", settings.log_level, settings.log_json)
    serve(build_app(settings), settings.http_host, settings.http_port)
