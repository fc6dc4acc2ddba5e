"""Settings of the text service (`FOTOAI_TEXT__*`)."""

from __future__ import annotations

from fotoai.servicekit.settings import ServiceSettings
from pydantic import BaseModel, Field


class TextOptions(BaseModel):
    tessdata_dir: str | None = Field(
        default=None,
        description="Tesseract's language data; None: $TESSDATA_PREFIX, else Debian's tesseract-ocr places",
    )
    languages: str = Field(default="eng", description="Tesseract languages, e.g. eng+por")
    ocr_max_side: int = Field(default=2000, ge=256, description="longest side OCR reads, in pixels")
    gate: bool = Field(default=True, description="skip OCR when the cheap gate sees no text-like lines")
    gate_min_lines: int = Field(default=1, ge=1, description="text-like line regions the gate needs")
    min_confidence: float = Field(default=55.0, ge=0, le=100, description="Tesseract word confidence kept")
    timeout_s: float = Field(default=60.0, gt=0)
    max_concurrency: int = Field(default=1, ge=1, description="OCR worker processes per replica")


class TextSettings(ServiceSettings):
    service_name: str = "text"
    text: TextOptions = Field(default_factory=TextOptions)
