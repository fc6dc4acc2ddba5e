"""Fixtures for the tagging unit tests: real photographs from scikit-image, JPEG bytes, an
in-memory object store, and a tiny random-weight CLIP saved to disk with its own tokenizer."""

from __future__ import annotations

import io
import json
import string
from pathlib import Path

import numpy as np
import pytest
from fotoai.tagging.ports import ObjectMissing, ObjectTooLarge
from PIL import Image
from skimage import data as skdata


def jpeg_bytes(rgb: np.ndarray, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def upscale(rgb: np.ndarray, longest: int) -> np.ndarray:
    """A thumb_large-sized copy (longest side `longest`), as ingest would publish it."""
    height, width = rgb.shape[:2]
    scale = longest / max(height, width)
    return np.asarray(
        Image.fromarray(rgb).resize(
            (round(width * scale), round(height * scale)), Image.Resampling.BICUBIC
        )
    )


class MemoryStore:
    """The ObjectStore port over a dict; counts reads so tests can see fallbacks."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}
        self.reads: list[tuple[str, str]] = []

    def put(self, bucket: str, key: str, data: bytes) -> None:
        self.objects[(bucket, key)] = data

    async def get_bytes(self, bucket: str, key: str, max_bytes: int | None = None) -> bytes:
        self.reads.append((bucket, key))
        try:
            data = self.objects[(bucket, key)]
        except KeyError:
            raise ObjectMissing(f"{bucket}/{key}") from None
        if max_bytes is not None and len(data) > max_bytes:
            raise ObjectTooLarge(f"{bucket}/{key} is {len(data)} bytes")
        return data


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    return skdata.astronaut()


@pytest.fixture(scope="session")
def coffee() -> np.ndarray:
    return skdata.coffee()


@pytest.fixture(scope="session")
def chelsea() -> np.ndarray:
    return skdata.chelsea()


def _write_tiny_clip(directory: Path, family: str) -> Path:
    from transformers import CLIPConfig, CLIPModel, CLIPTokenizer, SiglipConfig, SiglipModel

    # A character-level BPE vocabulary (no merges): every word is spelled out letter by letter,
    # enough to give each label a distinct token sequence.
    symbols = list(string.ascii_lowercase + string.digits + ".,'&-/")
    vocab: dict[str, int] = {}
    for symbol in symbols:
        vocab[symbol] = len(vocab)
    for symbol in symbols:
        vocab[symbol + "</w>"] = len(vocab)
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)  # the highest id, as in OpenAI's CLIP
    tokenizer = CLIPTokenizer(vocab=vocab, merges=[], model_max_length=32)
    text = {
        "vocab_size": len(vocab),
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "max_position_embeddings": 32,
    }
    vision = {
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "image_size": 32,
        "patch_size": 8,
    }
    if family == "clip":
        text.update(
            bos_token_id=vocab["<|startoftext|>"],
            eos_token_id=vocab["<|endoftext|>"],
            pad_token_id=vocab["<|endoftext|>"],
        )
        model = CLIPModel(CLIPConfig(text_config=text, vision_config=vision, projection_dim=24))
    else:
        model = SiglipModel(SiglipConfig(text_config=text, vision_config=vision))
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    (directory / "preprocessor_config.json").write_text(
        json.dumps(
            {
                "image_mean": [0.48145466, 0.4578275, 0.40821073],
                "image_std": [0.26862954, 0.26130258, 0.27577711],
            }
            if family == "clip"
            else {"image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}
        )
    )
    return directory


@pytest.fixture(scope="session")
def tiny_clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch

    torch.manual_seed(0)
    return _write_tiny_clip(tmp_path_factory.mktemp("tiny-clip"), "clip")


@pytest.fixture(scope="session")
def tiny_siglip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch

    torch.manual_seed(1)
    return _write_tiny_clip(tmp_path_factory.mktemp("tiny-siglip"), "siglip")
