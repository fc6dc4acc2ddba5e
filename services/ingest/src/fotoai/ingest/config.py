"""Settings values the ingest use case needs (`IngestOptions`), embedded by the service settings."""

from __future__ import annotations

from typing import Literal

from fotoai.servicekit.settings import ServiceSettings
from pydantic import BaseModel, Field

MiB = 1024 * 1024


class IngestOptions(BaseModel):
    """Limits, sandbox sizing and rendition parameters for `IngestPhoto`."""

    renditions_bucket: str = "fotoai-renditions"
    max_bytes: int = Field(default=200 * MiB, ge=1, description="largest original accepted")
    max_pixels: int = Field(
        default=120_000_000, ge=1, description="checked from the header, before decoding"
    )
    decode_timeout_s: float = Field(
        default=60.0, gt=0, description="per photo: decode + renditions"
    )
    decode_workers: int = Field(
        default=2, ge=1, description="decoder processes (≈ CPU cores to spare)"
    )
    worker_memory_limit_mb: int | None = Field(
        default=6144, ge=256, description="address-space limit per decoder process; None: unlimited"
    )
    worker_max_tasks: int = Field(
        default=500, ge=1, description="recycle a decoder process after this many photos"
    )
    verify_sha256: bool = Field(
        default=True, description="refuse bytes that do not match the uploaded hash"
    )
    display_encoding: Literal["jpeg", "webp"] = "jpeg"
    reuse_jpeg_max_quality: int | None = Field(
        default=92,
        ge=1,
        le=100,
        description="an upright sRGB JPEG up to this quality becomes the display as is (metadata stripped); None: always re-encode",
    )
    display_quality: int = Field(default=88, ge=1, le=100)
    thumb_encoding: Literal["jpeg", "webp"] = "jpeg"
    thumb_quality: int = Field(default=82, ge=1, le=100)
    preview_side: int = Field(
        default=1920,
        ge=16,
        description="longest side of the `preview` rendition: always encoded here from decoded "
        "pixels (never the uploaded bytes), so enhance and tagging start from it; at 1920 a "
        "12 MP JPEG (4000 or 4032 wide) decodes at half size by DCT scaling, measured ~1.8x "
        "less CPU than 2048, which needs the full decode",
    )
    preview_keep_up_to: int = Field(
        default=2048,
        ge=16,
        description="a decoded picture whose longest side is at most this becomes the preview "
        "as it is: the half-size DCT decode of a 12 MP JPEG (2000 or 2016 px) is not resampled "
        "to preview_side, which cost more than the decode itself",
    )
    preview_quality: int = Field(default=85, ge=1, le=100)
    thumb_large_side: int = Field(default=1024, ge=16)
    thumb_small_side: int = Field(default=256, ge=16)
    raw_preview_min_fraction: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="use a RAW's embedded preview when at least this fraction of the sensor",
    )


class IngestSettings(ServiceSettings):
    """The ingest service's settings: shared infrastructure plus `FOTOAI_INGEST__*` options."""

    service_name: str = "ingest"
    http_port: int = 8002
    ingest: IngestOptions = IngestOptions()
