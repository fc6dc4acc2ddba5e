"""The settings every service shares, read from `FOTOAI_*` environment variables.

Services subclass `ServiceSettings` and nest their own options under their name, e.g.
`FOTOAI_INGEST__MAX_PIXELS=100000000` fills `IngestSettings.ingest.max_pixels`.
Settings are read once, in each service's `main.py`, and passed down.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FOTOAI_", env_nested_delimiter="__", extra="ignore", frozen=True
    )

    service_name: str = "fotoai"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    log_level: str = "INFO"
    log_json: bool = True

    kafka_bootstrap: str = "127.0.0.1:19092"
    #: Handler attempts before a message is parked on `dlq.<service>`.
    retry_attempts: int = Field(default=4, ge=1)
    retry_backoff_s: float = Field(default=0.5, ge=0)
    retry_backoff_max_s: float = Field(default=8.0, ge=0)
    #: Partitions of a topic processed concurrently by one replica.
    consumer_concurrency: int = Field(default=1, ge=1, le=12)

    s3_endpoint: str = "http://127.0.0.1:19000"
    s3_access_key: str = "fotoai"
    s3_secret_key: SecretStr = SecretStr("fotoai-secret")
    s3_region: str = "us-east-1"
    originals_bucket: str = "fotoai-originals"
    renditions_bucket: str = "fotoai-renditions"

    #: Endpoint put into presigned URLs, when clients reach the store by another address.
    s3_public_endpoint: str | None = None

    otlp_endpoint: str | None = None
    local_mode: bool = False
