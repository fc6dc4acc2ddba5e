"""The base class of every image model runner."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import torch
from fotoai.tagging.domain.calibration import ScoredLabel
from fotoai.tagging.domain.results import ImageResult

__all__ = ["ImageResult", "InferenceModel"]


class InferenceModel(ABC):
    """Load once, warm up once, then `predict` batches prepared by `prepare` (any thread)."""

    model_id: str
    source: str  # the tag source name its tags carry
    device: torch.device
    dtype: torch.dtype
    input_size: int

    def __init__(self) -> None:
        self._loaded = False

    @property
    def loaded(self) -> bool:
        return self._loaded

    def load(self) -> None:
        if not self._loaded:
            self._load()
            self._loaded = True

    @abstractmethod
    def _load(self) -> None: ...

    @abstractmethod
    def prepare(self, rgb: np.ndarray) -> np.ndarray:
        """HWC uint8 RGB → the CHW float32 input of this model (pure CPU work, thread-safe)."""

    @abstractmethod
    def _forward(self, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Batch on the device → (per-image scores as float32 probabilities, embeddings)."""

    @abstractmethod
    def _tags(self, scores: np.ndarray) -> list[ScoredLabel]: ...

    @property
    @abstractmethod
    def embedding_dim(self) -> int: ...

    def to_device(self, batch: list[np.ndarray]) -> torch.Tensor:
        stacked = torch.from_numpy(np.stack(batch))
        if self.device.type == "cuda":
            stacked = stacked.pin_memory()
        return stacked.to(self.device, dtype=self.dtype, non_blocking=True)

    def predict(self, batch: list[np.ndarray]) -> list[ImageResult]:
        """Run the model on prepared inputs; one result per input, in order."""
        if not self._loaded:
            raise RuntimeError(f"{type(self).__name__}.predict() before load()")
        with torch.inference_mode():
            scores, embeddings = self._forward(self.to_device(batch))
            scores_np = scores.float().cpu().numpy()
            emb = torch.nn.functional.normalize(embeddings.float(), dim=-1).cpu().numpy()
        return [
            ImageResult(tags=self._tags(s), embedding=e)
            for s, e in zip(scores_np, emb, strict=True)
        ]

    def predict_tensor(self, pixels: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """Model-only pass on a batch already on the device: scores and unit embeddings back on
        the host, without stacking, copying in or turning scores into tags (benchmarks)."""
        with torch.inference_mode():
            scores, embeddings = self._forward(pixels)
            emb = torch.nn.functional.normalize(embeddings.float(), dim=-1)
            return scores.float().cpu().numpy(), emb.cpu().numpy()

    def warmup(self, batch_size: int = 1) -> None:
        """One pass on a grey picture so the first real photo pays no lazy initialisation."""
        grey = np.full((self.input_size, self.input_size, 3), 128, dtype=np.uint8)
        self.predict([self.prepare(grey)] * batch_size)
