"""Composition root of the people service: settings once, the object graph in the lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fotoai.people.adapters.dlib_faces import DlibFaceEmbedder
from fotoai.people.adapters.store import PgPeopleStore, create_pool, ensure_database
from fotoai.people.config import PeopleSettings
from fotoai.people.entrypoints.kafka import register_handlers
from fotoai.people.use_cases import RecognizeFaces
from fotoai.servicekit.app import create_app, serve
from fotoai.servicekit.log import configure_logging
from fotoai.servicekit.runtime import ConsumerRuntime


def build_app(settings: PeopleSettings) -> FastAPI:
    opts = settings.people

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database_url = settings.people_database_url()
        await ensure_database(database_url)
        pool = await create_pool(database_url, opts.db_pool_max)
        try:
            async with ConsumerRuntime(app, settings, "people", settings.renditions_bucket) as rt:

                async def database() -> bool:
                    async with pool.acquire() as conn:
                        return await conn.fetchval("SELECT true")

                app.state.readiness.update(database=database)
                embedder = await asyncio.to_thread(DlibFaceEmbedder, opts.jitters)
                people = RecognizeFaces(PgPeopleStore(pool), rt.store, embedder, opts)
                register_handlers(rt.bus, people, concurrency=max(settings.consumer_concurrency, opts.max_concurrency))
                await rt.start()
                yield
        finally:
            await pool.close()

    return create_app("people", lifespan=lifespan)


def main() -> None:
    settings = PeopleSettings()
    configure_logging("people", settings.log_level, settings.log_json)
    serve(build_app(settings), settings.http_host, settings.http_port)
