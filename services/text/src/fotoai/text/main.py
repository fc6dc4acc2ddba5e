"""Composition root of the text service: settings once, the object graph in the lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fotoai.servicekit.app import create_app, serve
from fotoai.servicekit.log import configure_logging
from fotoai.servicekit.runtime import ConsumerRuntime
from fotoai.text.adapters.tesseract import TesseractOcr
from fotoai.text.config import TextSettings
from fotoai.text.entrypoints.kafka import register_handlers
from fotoai.text.use_cases import RecognizeText


def build_app(settings: TextSettings) -> FastAPI:
    opts = settings.text

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with ConsumerRuntime(app, settings, "text", settings.renditions_bucket) as rt:
            ocr = await asyncio.to_thread(
                TesseractOcr, opts.languages, opts.timeout_s, opts.max_concurrency, opts.tessdata_dir
            )
            try:
                register_handlers(rt.bus, RecognizeText(rt.store, ocr, opts),
                                  concurrency=max(settings.consumer_concurrency, opts.max_concurrency))
                await rt.start()
                yield
            finally:
                ocr.close()

    return create_app("text", lifespan=lifespan)


def main() -> None:
    settings = TextSettings()
    configure_logging("text", settings.log_level, settings.log_json)
    serve(build_app(settings), settings.http_host, settings.http_port)
