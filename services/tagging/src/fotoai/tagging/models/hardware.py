"""Choosing where and in which precision a model runs, and checking model paths up front.

Device choice and load errors are servicekit's shared ML runtime (`fotoai.servicekit.mlruntime`,
used by enhance too); this module only turns its answer into torch terms.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from fotoai.servicekit import mlruntime
from fotoai.servicekit.mlruntime import ModelLoadError

__all__ = ["ModelLoadError", "forbid_downloads", "model_id_from_path", "require_model_dir",
           "resolve_device", "resolve_dtype"]


def forbid_downloads() -> None:
    """Make every Hugging Face call in this process offline: weights come from disk only."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


def resolve_device(preference: str) -> torch.device:
    """`cpu`, `cuda` (must exist) or `auto` (cuda when available), as a torch device."""
    return torch.device(mlruntime.resolve_device(preference, cuda=torch.cuda.is_available))


def resolve_dtype(device: torch.device, preference: str) -> torch.dtype:
    """fp16/bf16 on a GPU; always fp32 on the CPU, where half precision is slower, not faster."""
    if device.type != "cuda":
        return torch.float32
    if preference == "bf16" and not torch.cuda.is_bf16_supported():
        raise ModelLoadError("dtype bf16 was configured but this GPU does not support it")
    return {"fp16": torch.float16, "bf16": torch.bfloat16, "fp32": torch.float32}[preference]


def require_model_dir(path: Path, what: str) -> Path:
    """`path` as a directory holding a config.json, or a clear start-up error."""
    path = Path(path).expanduser()
    if not path.exists():
        raise ModelLoadError(f"{what}: the configured model path {str(path)!r} does not exist")
    if not path.is_dir() or not (path / "config.json").is_file():
        raise ModelLoadError(
            f"{what}: {str(path)!r} is not a model directory (no config.json); point it at a "
            "save_pretrained() directory or a Hugging Face cache snapshot"
        )
    return path


def model_id_from_path(path: Path) -> str:
    """`org/name` for a Hugging Face cache snapshot (models--org--name/snapshots/<rev>), else the
    directory name."""
    for part in reversed(Path(path).parts):
        if part.startswith("models--"):
            return part.removeprefix("models--").replace("--", "/")
    return Path(path).name
