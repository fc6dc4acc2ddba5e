"""CatalogSettings: the catalog's configuration (FOTOAI_* environment variables)."""

from __future__ import annotations

from fotoai.servicekit.settings import ServiceSettings
from pydantic import BaseModel, Field


class CatalogOptions(BaseModel):
    #: Consumer group of the projections; a new group replays every topic from offset zero.
    consumer_group: str = "catalog"
    db_pool_min: int = Field(default=2, ge=1)
    db_pool_max: int = Field(default=10, ge=1)
    embed_timeout_s: float = Field(default=2.0, gt=0)
    #: Most events applied in one transaction (one consumer poll); bigger batches commit less often.
    batch_max_events: int = Field(default=500, ge=1, le=10_000)
    #: How often the consumer-lag and photos-by-status gauges are refreshed.
    gauges_interval_s: float = Field(default=15.0, gt=0)
    #: Consumer groups whose lag is exported as fotoai_consumer_lag.
    lag_groups: tuple[str, ...] = ("ingest", "enhance", "tagging", "catalog")
    #: Run Alembic migrations at start (turn off when a deploy job migrates).
    migrate_on_start: bool = True


class CatalogSettings(ServiceSettings):
    service_name: str = "catalog"
    http_port: int = 8001
    #: Projections fail only when PostgreSQL does (they are idempotent upserts), and a parked
    #: event is a fact missing from the read model until a replay: wait out a database restart
    #: (~30 s of back-off) before parking.
    retry_attempts: int = Field(default=8, ge=1)
    database_url: str = "postgresql://postgres@127.0.0.1:15432/fotoai"
    tagging_url: str | None = None
    catalog: CatalogOptions = Field(default_factory=CatalogOptions)
