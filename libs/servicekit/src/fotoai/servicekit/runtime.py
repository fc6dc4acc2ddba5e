"""The wiring every consumer service repeats, written once: tracing, object store, event bus,
readiness checks, and an orderly start and stop (plus the GPU memory gauge when asked).

    async with ConsumerRuntime(app, settings, "enhance", settings.renditions_bucket) as rt:
        register_handlers(rt.bus, EnhancePhoto(PortStore(rt.store, …), …))
        await rt.start()
        yield
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

from fastapi import FastAPI
from fotoai.servicekit import metrics
from fotoai.servicekit.bus import EventBus
from fotoai.servicekit.settings import ServiceSettings
from fotoai.servicekit.storage import ObjectStore, store_from_settings
from fotoai.servicekit.telemetry import install, make_tracer_provider


class ConsumerRuntime:
    def __init__(
        self, app: FastAPI, settings: ServiceSettings, service: str, bucket: str, report_gpu: bool = False
    ) -> None:
        provider = make_tracer_provider(service, settings.otlp_endpoint)
        install(provider)
        self.service = service
        self.store: ObjectStore = store_from_settings(settings)
        self.bus = EventBus(settings, service, provider)
        self._report_gpu = report_gpu
        self._gpu_task: asyncio.Task[None] | None = None
        store = self.store
        app.state.readiness.update(kafka=self.bus.ping, object_store=lambda: store.ping(bucket))

    async def __aenter__(self) -> Self:
        return self

    async def start(self) -> None:
        """Start consuming: call once every handler is subscribed."""
        await self.bus.start()
        if self._report_gpu:
            self._gpu_task = asyncio.create_task(metrics.report_gpu_memory(self.service))

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._gpu_task is not None:
            self._gpu_task.cancel()
        await self.bus.stop()
