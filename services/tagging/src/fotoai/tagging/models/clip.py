"""CLIP-family zero-shot tagger and text encoder (transformers CLIPModel or SiglipModel).

Loaded from a local directory only. The vocabulary's prompt-ensembled text embeddings are
computed once at load; a picture's tags are its calibrated similarities to them (CLIP: softmax
with the model's temperature over the vocabulary; SigLIP: its own per-label sigmoid — see
domain/calibration.py), and its image embedding is published for semantic search. `embed_text`
puts search queries in the same space.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from fotoai.tagging.domain.calibration import ScoredLabel, select_labels
from fotoai.tagging.domain.imaging import resize, square_model_input, to_chw_float
from fotoai.tagging.domain.vocabulary import VocabularyEntry, ensemble, flatten_prompts
from fotoai.tagging.models.hardware import (
    ModelLoadError,
    forbid_downloads,
    model_id_from_path,
    require_model_dir,
)
from fotoai.tagging.models.image_model import InferenceModel

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
SIGLIP_MEAN = (0.5, 0.5, 0.5)
SIGLIP_STD = (0.5, 0.5, 0.5)
TEXT_BATCH = 256


def _features(output: object) -> torch.Tensor:
    """transformers 4.x returns the projected features as a tensor; 5.x wraps them in an output
    object's pooler_output."""
    if isinstance(output, torch.Tensor):
        return output
    pooled = getattr(output, "pooler_output", None)
    if pooled is None:
        raise ModelLoadError(f"unexpected feature output {type(output).__name__}")
    return pooled


class ClipTagger(InferenceModel):
    source = "clip"

    def __init__(
        self,
        path: Path,
        vocabulary: list[VocabularyEntry],
        device: torch.device,
        dtype: torch.dtype,
        threshold: float,
        top_k: int,
        temperature: float | None = None,
        model_id: str | None = None,
    ):
        super().__init__()
        self.path = require_model_dir(path, "CLIP")
        self.model_id = model_id or model_id_from_path(self.path)
        self.device = device
        self.dtype = dtype
        self._vocabulary = vocabulary
        self._labels = [entry.label for entry in vocabulary]
        self._threshold = threshold
        self._top_k = top_k
        self._temperature = temperature
        self._model: torch.nn.Module | None = None
        self._tokenizer = None
        self._family = ""
        self._text_matrix: torch.Tensor | None = None
        self._logit_scale = 1.0
        self._logit_bias = 0.0
        self._mean = CLIP_MEAN
        self._std = CLIP_STD
        self._crop = True
        self.input_size = 224

    # -- loading -------------------------------------------------------------------------
    def _load(self) -> None:
        forbid_downloads()
        from transformers import AutoConfig, AutoTokenizer, CLIPModel, SiglipModel

        try:
            config = AutoConfig.from_pretrained(self.path, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelLoadError(
                f"CLIP: cannot read the config in {str(self.path)!r}: {exc}"
            ) from exc
        families = {"clip": CLIPModel, "siglip": SiglipModel}
        if config.model_type not in families:
            raise ModelLoadError(
                f"CLIP: model type {config.model_type!r} in {str(self.path)!r} is not supported "
                f"(use one of {sorted(families)})"
            )
        self._family = config.model_type
        try:
            model = families[self._family].from_pretrained(self.path, local_files_only=True)
            self._tokenizer = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
        except OSError as exc:
            raise ModelLoadError(
                f"CLIP: cannot load the weights or tokenizer in {str(self.path)!r}: {exc}"
            ) from exc
        self._model = model.eval().to(self.device, dtype=self.dtype)
        self._read_image_settings(config)
        self._logit_scale = float(model.logit_scale.detach().float().exp())
        bias = getattr(model, "logit_bias", None)
        self._logit_bias = float(bias.detach().float()) if bias is not None else 0.0
        self._text_matrix = self._vocabulary_matrix()

    def _read_image_settings(self, config: object) -> None:
        vision = getattr(config, "vision_config", None)
        self.input_size = int(getattr(vision, "image_size", 224))
        if self._family == "siglip":
            # SigLIP squashes the whole picture to a square instead of cropping its centre.
            self._mean, self._std, self._crop = SIGLIP_MEAN, SIGLIP_STD, False
        settings_file = self.path / "preprocessor_config.json"
        if settings_file.is_file():
            settings = json.loads(settings_file.read_text("utf-8"))
            self._mean = tuple(settings.get("image_mean", self._mean))
            self._std = tuple(settings.get("image_std", self._std))

    def _vocabulary_matrix(self) -> torch.Tensor:
        prompts, owners = flatten_prompts(self._vocabulary)
        prompt_embeddings = np.concatenate(
            [
                self._encode_text(prompts[i : i + TEXT_BATCH])
                for i in range(0, len(prompts), TEXT_BATCH)
            ]
        )
        labels = ensemble(prompt_embeddings, owners, len(self._vocabulary))
        return torch.from_numpy(labels).to(self.device, dtype=torch.float32)

    # -- text ----------------------------------------------------------------------------
    def _encode_text(self, texts: list[str]) -> np.ndarray:
        assert self._model is not None and self._tokenizer is not None
        # SigLIP was trained on max-length padded text; CLIP pools at the end-of-text token.
        padding = "max_length" if self._family == "siglip" else True
        max_length = min(
            int(getattr(self._tokenizer, "model_max_length", 77) or 77),
            int(self._model.config.text_config.max_position_embeddings),
        )
        tokens = self._tokenizer(
            texts, padding=padding, truncation=True, max_length=max_length, return_tensors="pt"
        )
        tokens = {
            k: v.to(self.device) for k, v in tokens.items() if k in ("input_ids", "attention_mask")
        }
        if self._family == "siglip":
            tokens.pop("attention_mask", None)
        with torch.inference_mode():
            features = _features(self._model.get_text_features(**tokens))
            return torch.nn.functional.normalize(features.float(), dim=-1).cpu().numpy()

    def embed_text(self, texts: list[str]) -> list[list[float]]:
        """Unit-length text embeddings in the image embeddings' space (for semantic search)."""
        if not self._loaded:
            raise RuntimeError("embed_text() before load()")
        if not texts:
            return []
        return [row.tolist() for row in self._encode_text(list(texts))]

    # -- images --------------------------------------------------------------------------
    @property
    def embedding_dim(self) -> int:
        assert self._text_matrix is not None
        return int(self._text_matrix.shape[1])

    @property
    def labels(self) -> list[str]:
        return list(self._labels)

    def prepare(self, rgb: np.ndarray) -> np.ndarray:
        if self._crop:
            return square_model_input(rgb, self.input_size, self._mean, self._std)
        return to_chw_float(resize(rgb, self.input_size, self.input_size), self._mean, self._std)

    def _forward(self, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        assert self._model is not None and self._text_matrix is not None
        image = _features(self._model.get_image_features(pixel_values=pixels)).float()
        cosine = torch.nn.functional.normalize(image, dim=-1) @ self._text_matrix.T
        if self._family == "siglip":
            scores = torch.sigmoid(cosine * self._logit_scale + self._logit_bias)
        else:
            scale = 1.0 / self._temperature if self._temperature else self._logit_scale
            scores = torch.softmax(cosine * scale, dim=-1)
        return scores, image

    def _tags(self, scores: np.ndarray) -> list[ScoredLabel]:
        return select_labels(scores, self._labels, self._threshold, self._top_k, self.source)

    def similarities(self, embedding: np.ndarray) -> np.ndarray:
        """Cosine similarity of one unit image embedding to every vocabulary label."""
        assert self._text_matrix is not None
        return self._text_matrix.cpu().numpy() @ embedding
