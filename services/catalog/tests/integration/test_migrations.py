"""The Alembic migrations, applied to an empty database, give exactly the SQLModel schema."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fotoai.catalog.adapters.migrate import sqlalchemy_url, upgrade
from fotoai.catalog.adapters.schema import metadata
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.ext.asyncio import create_async_engine

pytestmark = pytest.mark.integration

# Reflection must know pgvector's type to compare the embeddings column.
ischema_names.setdefault("vector", Vector)


def _diff(sync_conn) -> list:
    ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True})
    return compare_metadata(ctx, metadata)


async def test_migrations_on_an_empty_database_match_the_models(databases) -> None:
    url = await databases.create(migrate=False)
    await upgrade(url)
    engine = create_async_engine(sqlalchemy_url(url))
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(_diff)
            tables = await conn.run_sync(
                lambda c: set(c.dialect.get_table_names(c))
            )
    finally:
        await engine.dispose()
    assert diff == []
    assert {"photos", "renditions", "tags", "faces", "tagging_runs", "embeddings",
            "embedding_spaces", "timeline", "processed_events", "alembic_version"} <= tables


async def test_migrating_twice_is_a_no_op(databases) -> None:
    url = await databases.create()
    await upgrade(url)  # second run: already at head, must not fail
