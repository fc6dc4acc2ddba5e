"""Schema migrations at start-up: Alembic, driven programmatically over asyncpg.

The service calls `await upgrade(database_url)` in its lifespan before consuming; several
replicas starting together serialise on a PostgreSQL advisory lock, so only one migrates.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

_HERE = Path(__file__).parent / "migrations"
_LOCK_KEY = 0x0CA7A109  # advisory lock id shared by every catalog replica


def sqlalchemy_url(database_url: str) -> str:
    """`postgresql://…` (the stack's form) → the asyncpg dialect URL SQLAlchemy wants."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if database_url.startswith(prefix):
            return "postgresql+asyncpg://" + database_url[len(prefix):]
    raise ValueError(f"not a PostgreSQL URL: {database_url!r}")


def asyncpg_dsn(database_url: str) -> str:
    return "postgresql://" + sqlalchemy_url(database_url)[len("postgresql+asyncpg://"):]


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(database_url))
    return cfg


async def upgrade(database_url: str, revision: str = "head") -> None:
    engine = create_async_engine(sqlalchemy_url(database_url))
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK_KEY})
            try:
                def run(sync_conn) -> None:
                    cfg = alembic_config(database_url)
                    cfg.attributes["connection"] = sync_conn
                    command.upgrade(cfg, revision)

                await conn.run_sync(run)
                await conn.commit()
            finally:
                await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
                await conn.commit()
    finally:
        await engine.dispose()


def upgrade_sync(database_url: str) -> None:
    asyncio.run(upgrade(database_url))
