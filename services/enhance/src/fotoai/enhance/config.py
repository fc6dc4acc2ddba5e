"""`EnhanceOptions`: the settings the enhance use case needs, embedded by the service settings."""

from __future__ import annotations

from typing import Literal

from fotoai.servicekit.settings import ServiceSettings
from pydantic import BaseModel, Field


class EnhanceOptions(BaseModel):
    """Values of `FOTOAI_ENHANCE__*`; defaults suit a small CPU-only replica."""

    device: Literal["cpu", "cuda", "auto"] = Field(
        default="auto",
        description="cpu: numpy/OpenCV, no torch import; cuda: torch on the GPU; "
        "auto: torch on the GPU when one is visible, else the cpu path",
    )
    torch_on_cpu: bool = Field(
        default=False, description="with device=cpu, run the torch path on the CPU"
    )
    max_concurrency: int = Field(
        default=2, ge=1, description="photos processed at once by one replica"
    )
    batch_size: int = Field(default=4, ge=1, description="images per torch batch")
    batch_window_ms: float = Field(
        default=0.0,
        ge=0.0,
        description="> 0: photos arriving within this window are enhanced as one batch "
        "(worth it on a GPU; batches never exceed max_concurrency or batch_size)",
    )
    jpeg_quality: int = Field(default=90, ge=50, le=100)
    thumb_quality: int = Field(
        default=82,
        ge=50,
        le=100,
        description="JPEG quality of the enhanced_thumb rendition (the enhanced picture at the "
        "size of the original's thumb_large, for galleries); ingest's thumbnails default to 82",
    )
    output_bucket: str = "fotoai-renditions"
    max_input_bytes: int = Field(default=200 * 1024 * 1024, ge=1)
    max_pixels: int = Field(
        default=100_000_000, ge=1, description="larger display renditions are refused"
    )
    strip_rows: int = Field(
        default=256, ge=16, description="rows per strip of the cpu path (memory bound)"
    )
    overview_side: int = Field(
        default=640,
        ge=64,
        description="most pixels on the longest side of the analysis overview (the picture is "
        "halved until it fits, so it ends between half this and this)",
    )
    detail_side: int = Field(
        default=768, ge=32, description="side of the full-resolution noise/sharpness crop"
    )
    model_path: str | None = Field(
        default=None,
        description="optional learned refiner: a torch.export .pt2 file, or a directory with "
        "config.json + weights.pt (ResidualEnhanceNet); off when unset",
    )
    model_tile: int = Field(default=1024, ge=64, description="tile side for the learned refiner")


class EnhanceSettings(ServiceSettings):
    """The enhance service's settings: shared infrastructure plus `FOTOAI_ENHANCE__*` options."""

    service_name: str = "enhance"
    http_port: int = 8003
    enhance: EnhanceOptions = EnhanceOptions()
