"""Fixtures of the catalog's integration tests: a fresh PostgreSQL database of the running
stack, migrated, per test session (dropped afterwards)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from fotoai.catalog.adapters.migrate import asyncpg_dsn, upgrade
from fotoai.catalog.adapters.queries import PgCatalogQueries
from fotoai.catalog.adapters.store import PgCatalogStore, create_pool
from fotoai.catalog.use_cases import Buckets, ProjectEvents


def _server_dsn(stack_env: dict[str, str]) -> str:
    return asyncpg_dsn(stack_env["FOTOAI_DATABASE_URL"])


def _with_db(dsn: str, name: str) -> str:
    return dsn.rsplit("/", 1)[0] + "/" + name


class FreshDatabases:
    """Creates uniquely named databases on the stack's server and drops them at the end."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.names: list[str] = []

    async def create(self, migrate: bool = True) -> str:
        name = f"catalog_t_{uuid.uuid4().hex[:10]}"
        conn = await asyncpg.connect(self.dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        self.names.append(name)
        url = _with_db(self.dsn, name)
        if migrate:
            await upgrade(url)
        return url

    async def drop_all(self) -> None:
        conn = await asyncpg.connect(self.dsn)
        try:
            for name in self.names:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@pytest.fixture(scope="session")
async def databases(stack_env: dict[str, str]) -> AsyncIterator[FreshDatabases]:
    dbs = FreshDatabases(_server_dsn(stack_env))
    yield dbs
    await dbs.drop_all()


@pytest.fixture(scope="session")
async def catalog_url(databases: FreshDatabases) -> str:
    return await databases.create()


@pytest.fixture(scope="session")
async def pool(catalog_url: str) -> AsyncIterator[asyncpg.Pool]:
    p = await create_pool(catalog_url, 1, 8)
    yield p
    await p.close()


class RecordingRemover:
    """An ObjectRemover that remembers what it was asked to delete."""

    def __init__(self) -> None:
        self.deleted: list[tuple[str, str]] = []

    async def delete_prefix(self, bucket: str, prefix: str) -> int:
        self.deleted.append((bucket, prefix))
        return 0


@pytest.fixture
def remover() -> RecordingRemover:
    return RecordingRemover()


@pytest.fixture
def project(pool: asyncpg.Pool, remover: RecordingRemover) -> ProjectEvents:
    return ProjectEvents(PgCatalogStore(pool), remover, Buckets("fotoai-originals", "fotoai-renditions"))


@pytest.fixture
def queries(pool: asyncpg.Pool) -> PgCatalogQueries:
    return PgCatalogQueries(pool)


@pytest.fixture
def owner() -> str:
    return f"user-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
async def second_pool(databases: FreshDatabases) -> AsyncIterator[asyncpg.Pool]:
    """Another fresh database of the same schema, per module: the order-tolerance properties
    project the same events in another order there and compare the two catalogs."""
    p = await create_pool(await databases.create(), 1, 4)
    yield p
    await p.close()
