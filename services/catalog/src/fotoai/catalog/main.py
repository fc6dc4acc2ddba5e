"""The catalog's composition root: settings once, the lifespan builds the object graph
(servicekit's ConsumerRuntime for tracing, object store, event bus and readiness; the database
pool, migrations, projections and gauges on top) and the router serves it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fotoai.catalog.adapters.embedder import HttpTextEmbedder
from fotoai.catalog.adapters.lag import KafkaLagProbe
from fotoai.catalog.adapters.library_queries import PgLibraryQueries
from fotoai.catalog.adapters.library_store import PgLibraryStore
from fotoai.catalog.adapters.migrate import asyncpg_dsn, upgrade
from fotoai.catalog.adapters.queries import PgCatalogQueries
from fotoai.catalog.adapters.recognition_queries import PgRecognitionQueries
from fotoai.catalog.adapters.store import PgCatalogStore, create_pool
from fotoai.catalog.config import CatalogSettings
from fotoai.catalog.domain.status import PhotoStatus
from fotoai.catalog.entrypoints.http import build_router
from fotoai.catalog.entrypoints.kafka import OneByOne, register_handlers
from fotoai.catalog.entrypoints.library_http import build_library_router
from fotoai.catalog.entrypoints.recognition_http import build_recognition_router
from fotoai.catalog.library import ProjectLibrary
from fotoai.catalog.recognition import RECOGNITION_EVENT_TYPES, ProjectRecognition
from fotoai.catalog.use_cases import ProjectEvents, SearchPhotos
from fotoai.contracts import Buckets
from fotoai.contracts.library import ALBUM_EVENT_TYPES, PHOTO_LIBRARY_EVENT_TYPES
from fotoai.servicekit import metrics
from fotoai.servicekit.app import create_app, serve
from fotoai.servicekit.log import configure_logging, get_logger
from fotoai.servicekit.runtime import ConsumerRuntime

log = get_logger("fotoai.catalog")


class _LateQueries:
    """Routes are built before the lifespan opens the pool; this forwards to the real queries."""

    target: PgCatalogQueries | None = None

    def __getattr__(self, name: str):
        if self.target is None:
            raise RuntimeError("catalog is starting")
        return getattr(self.target, name)


async def refresh_gauges(queries: PgCatalogQueries, probe: KafkaLagProbe | None, groups: tuple[str, ...]) -> None:
    counts = await queries.count_by_status()
    for status in PhotoStatus:
        metrics.PHOTOS_BY_STATUS.labels(status.value).set(counts.get(status.value, 0))
    if probe is not None:
        for (group, topic, part), lag in (await probe.lag(groups)).items():
            metrics.CONSUMER_LAG.labels(group, topic, str(part)).set(lag)


async def _gauges_loop(queries: PgCatalogQueries, probe: KafkaLagProbe, settings: CatalogSettings) -> None:
    opts = settings.catalog
    started = False
    while True:
        try:
            if not started:
                await probe.start()
                started = True
            await refresh_gauges(queries, probe, opts.lag_groups)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 — a gauge refresh must never take the service down
            log.warning("gauge refresh failed", error=f"{type(exc).__name__}: {exc}")
        await asyncio.sleep(opts.gauges_interval_s)


def build_app(settings: CatalogSettings, topics: dict[str, str] | None = None) -> FastAPI:
    opts = settings.catalog
    late = _LateQueries()
    late_library = _LateQueries()
    late_recognition = _LateQueries()
    embedder = HttpTextEmbedder(settings.tagging_url, opts.embed_timeout_s) if settings.tagging_url else None
    search = SearchPhotos(late, embedder)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with ConsumerRuntime(app, settings, settings.service_name, settings.originals_bucket) as rt:
            if opts.migrate_on_start:
                await upgrade(settings.database_url)
            pool = await create_pool(asyncpg_dsn(settings.database_url), opts.db_pool_min, opts.db_pool_max)
            queries = PgCatalogQueries(pool)
            late.target = queries
            late_library.target = PgLibraryQueries(pool)  # type: ignore[assignment]
            buckets = Buckets(settings.originals_bucket, settings.renditions_bucket)
            project = ProjectEvents(PgCatalogStore(pool), rt.store, buckets)
            library = OneByOne((*PHOTO_LIBRARY_EVENT_TYPES, *ALBUM_EVENT_TYPES), ProjectLibrary(PgLibraryStore(pool)))
            late_recognition.target = PgRecognitionQueries(pool)  # type: ignore[assignment]
            recognition = OneByOne(RECOGNITION_EVENT_TYPES, ProjectRecognition(pool))
            register_handlers(rt.bus, [project, library, recognition], opts.consumer_group, topics,
                              opts.batch_max_events)

            async def database() -> bool:
                async with pool.acquire() as conn:
                    return await conn.fetchval("SELECT true")

            app.state.readiness.update(database=database)
            app.state.project = project
            probe = KafkaLagProbe(settings.kafka_bootstrap, **settings.kafka_options())
            gauges = asyncio.create_task(_gauges_loop(queries, probe, settings))
            await rt.start()
            try:
                yield
            finally:
                gauges.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await gauges
                await rt.bus.stop()
                await probe.stop()
                if embedder is not None:
                    await embedder.aclose()
                await pool.close()

    app = create_app(settings.service_name, lifespan=lifespan)
    app.include_router(build_router(late, search))
    app.include_router(build_library_router(late_library, late))  # type: ignore[arg-type]
    app.include_router(build_recognition_router(late_recognition))
    return app


def main() -> None:
    settings = CatalogSettings()
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    serve(build_app(settings), settings.http_host, settings.http_port)
