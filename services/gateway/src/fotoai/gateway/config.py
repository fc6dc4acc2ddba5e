"""Gateway settings: JWT verification, the catalog's address, Redis, and the `gateway` options.

Read once in `main.py` from `FOTOAI_*` variables; nested options use `FOTOAI_GATEWAY__*`
(e.g. `FOTOAI_GATEWAY__MAX_UPLOAD_BYTES=1048576`, `FOTOAI_GATEWAY__CORS_ORIGINS='["http://x"]'`).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fotoai.gateway.library_config import LibraryOptions
from fotoai.servicekit.settings import ServiceSettings
from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import NoDecode


class RateLimitOptions(BaseModel):
    """Token-bucket budgets. A bucket refills at `rate` tokens/s up to `burst` tokens."""

    reads_per_s: float = Field(default=20.0, gt=0, description="per user, sustained")
    read_burst: int = Field(default=60, ge=1)
    #: Commands (deletes, edits, completing a direct upload) have a budget of their own, so a
    #: burst of them never starves the reads of the page that issued them, nor the reverse.
    writes_per_s: float = Field(default=10.0, gt=0, description="per user, sustained")
    write_burst: int = Field(default=100, ge=1)
    ip_per_s: float = Field(default=50.0, gt=0, description="per client IP, every route")
    ip_burst: int = Field(default=200, ge=1)
    #: Upload budgets protect the service, not punish the owner: one person imports a
    #: 20,000-photo library (about 200 GB of camera JPEGs) in one go, then the bucket refills
    #: over a day. The byte budget's burst is a whole day's worth.
    uploads_per_day: int = Field(default=25_000, ge=1, description="per user")
    upload_burst: int = Field(default=25_000, ge=1, description="uploads allowed back to back")
    upload_bytes_per_day: int = Field(default=250 * 1024**3, ge=1, description="per user")


class GatewayOptions(BaseModel):
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, ge=1)
    #: Uploads streamed through one replica at once (beyond: 503 + Retry-After, never a queue).
    max_uploads_in_flight: int = Field(default=256, ge=1)
    #: Uploads one user may stream at once (beyond: 429 + Retry-After).
    max_uploads_per_user: int = Field(default=16, ge=1)
    #: An upload that sends no byte for this long ends with 408 (and leaves nothing stored).
    upload_idle_timeout_s: float = Field(default=20.0, gt=0)
    #: An upload still running after this long ends with 408.
    upload_deadline_s: float = Field(default=900.0, gt=0)
    #: Form fields allowed before the `file` part of a multipart upload.
    max_form_fields: int = Field(default=8, ge=0)
    #: A direct upload not completed within `presign_put_ttl_s` plus this is removed.
    direct_upload_grace_s: int = Field(default=3600, ge=0)
    #: How often the reaper looks for direct uploads never completed.
    reap_interval_s: float = Field(default=600.0, gt=0)
    #: `POST /v1/dev/token` mints tokens: only ever in `local_mode`, without JWKS; this turns it
    #: off there too.
    dev_login: bool = True
    dev_token_ttl_s: int = Field(default=3600, ge=60)
    #: Comma-separated or a JSON list, e.g. `http://localhost:3000`.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    #: Peers (IPs or CIDRs) whose `X-Forwarded-For` is believed.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    rate_limits: RateLimitOptions = Field(default_factory=RateLimitOptions)
    rate_limits_enabled: bool = True
    idempotency_ttl_s: int = Field(default=24 * 3600, ge=1)
    presign_get_ttl_s: int = Field(default=600, ge=10)
    presign_put_ttl_s: int = Field(default=900, ge=10)
    library: LibraryOptions = Field(default_factory=LibraryOptions)

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        """Accept `a,b` as well as a JSON list (the launcher passes one plain origin)."""
        if isinstance(value, str):
            if value.lstrip().startswith("["):
                return json.loads(value)
            return [v.strip() for v in value.split(",") if v.strip()]
        return value


class GatewaySettings(ServiceSettings):
    service_name: str = "gateway"
    http_port: int = 8000

    jwt_secret: SecretStr | None = None
    jwt_issuer: str = "fotoai-local"
    jwt_audience: str = "fotoai"
    jwt_jwks_url: str | None = None
    jwt_jwks_file: str | None = None
    jwt_leeway_s: float = Field(default=30.0, ge=0)
    jwks_cache_s: float = Field(default=300.0, ge=1)

    redis_url: str | None = None
    catalog_url: str = "http://127.0.0.1:8001"
    catalog_timeout_s: float = Field(default=5.0, gt=0)

    gateway: GatewayOptions = Field(default_factory=GatewayOptions)

    @property
    def jwks_configured(self) -> bool:
        return bool(self.jwt_jwks_url or self.jwt_jwks_file)

    @property
    def dev_login_enabled(self) -> bool:
        """Dev sign-in is for the local stack only: never next to production keys."""
        wanted = self.gateway.dev_login and self.local_mode
        return wanted and not self.jwks_configured and self.jwt_secret is not None
