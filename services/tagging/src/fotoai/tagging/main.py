"""Composition root of the tagging service: settings once, models loaded and warmed at start."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fotoai.servicekit import metrics
from fotoai.servicekit.app import create_app, serve
from fotoai.servicekit.log import configure_logging, get_logger
from fotoai.servicekit.runtime import ConsumerRuntime
from fotoai.servicekit.storage import PortStore
from fotoai.tagging.config import TaggingSettings
from fotoai.tagging.entrypoints.http import build_router
from fotoai.tagging.entrypoints.kafka import register_handlers
from fotoai.tagging.models.runner import load_runner
from fotoai.tagging.ports import ObjectMissing, ObjectTooLarge
from fotoai.tagging.use_cases import EmbedQuery, TagPhoto

log = get_logger("fotoai.tagging")


def _observe_batch(size: int, _seconds: float) -> None:
    metrics.BATCH_SIZE.labels("tagging").observe(size)


def build_app(settings: TaggingSettings) -> FastAPI:
    state: dict[str, object] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with ConsumerRuntime(app, settings, "tagging", settings.renditions_bucket, report_gpu=True) as rt:
            # Loading fails loudly at start (missing model path) rather than on the first photo.
            runner = await asyncio.to_thread(load_runner, settings.tagging, _observe_batch)
            try:
                state["embed"] = EmbedQuery(runner)
                tag_photo = TagPhoto(PortStore(rt.store, ObjectMissing, ObjectTooLarge), runner, settings.tagging)
                register_handlers(rt.bus, tag_photo, concurrency=max(settings.consumer_concurrency, 4),
                                  group=settings.consumer_group)
                await rt.start()
                yield
            finally:
                await runner.aclose()

    app = create_app("tagging", lifespan=lifespan)

    class _LateEmbed:
        """The router is built before the model loads; it resolves the use case per call."""

        async def __call__(self, text: str):
            return await state["embed"](text)  # type: ignore[operator]

        async def many(self, texts: list[str]):
            return await state["embed"].many(texts)  # type: ignore[attr-defined]

    app.include_router(build_router(_LateEmbed()))  # type: ignore[arg-type]
    return app


def main() -> None:
    settings = TaggingSettings()
    configure_logging("tagging", settings.log_level, settings.log_json)
    serve(build_app(settings), settings.http_host, settings.http_port)
