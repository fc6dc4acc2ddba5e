"""The runner the use case talks to: one image model behind a dynamic batcher, plus the face
detector, built and warmed up once at start-up by `load_runner(options)`."""

from __future__ import annotations

import logging

import cv2
import numpy as np
import torch
from fotoai.servicekit.mlruntime import Batcher, BatchObserver
from fotoai.tagging.config import TaggingOptions
from fotoai.tagging.domain.results import ImageResult
from fotoai.tagging.domain.scene import FaceBox
from fotoai.tagging.domain.vocabulary import load_vocabulary
from fotoai.tagging.models.clip import ClipTagger
from fotoai.tagging.models.efficientnet import EfficientNetLite0
from fotoai.tagging.models.faces import BlazeFaceDetector
from fotoai.tagging.models.hardware import resolve_device, resolve_dtype
from fotoai.tagging.models.image_model import InferenceModel
from fotoai.tagging.ports import TextEmbeddingUnavailable

log = logging.getLogger(__name__)


class TaggingRunner:
    """Image model + batcher + face detector; satisfies `ports.TaggingModel`."""

    def __init__(
        self,
        model: InferenceModel,
        faces: BlazeFaceDetector,
        batch_size: int,
        batch_timeout_ms: float,
        on_batch: BatchObserver | None = None,
    ):
        self.model = model
        self.faces = faces
        self.batcher: Batcher[np.ndarray, ImageResult] = Batcher(
            model.predict,
            batch_size,
            batch_timeout_ms,
            on_batch=on_batch,
            thread_name="tagging-infer",
        )

    @property
    def model_id(self) -> str:
        return self.model.model_id

    @property
    def device(self) -> str:
        return self.model.device.type

    @property
    def embedding_dim(self) -> int:
        return self.model.embedding_dim

    def prepare(self, rgb: np.ndarray) -> np.ndarray:
        return self.model.prepare(rgb)

    def detect_faces(self, rgb: np.ndarray) -> list[FaceBox]:
        return self.faces.detect(rgb)

    async def infer(self, prepared: np.ndarray) -> ImageResult:
        return await self.batcher.submit(prepared)

    @property
    def can_embed_text(self) -> bool:
        return isinstance(self.model, ClipTagger)

    def embed_text(self, texts: list[str]) -> list[list[float]]:
        if not isinstance(self.model, ClipTagger):
            raise TextEmbeddingUnavailable(
                f"{self.model.model_id} has no text encoder: "
                "configure a CLIP path for semantic search"
            )
        return self.model.embed_text(texts)

    async def aclose(self) -> None:
        await self.batcher.aclose()


def set_inference_threads(options: TaggingOptions) -> None:
    """torch's intra-op threads, and OpenCV's (resizing): as configured, else
    one on the CPU (see `inference_threads`).

    Inter-op threads go to one as well on the CPU: the batcher already runs inference on a thread
    of its own, and torch only accepts the setting before its first parallel work."""
    threads = options.inference_threads
    if threads is None and resolve_device(options.device).type == "cpu":
        threads = 1
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:  # already set, or parallel work already ran in this process
            pass
    if threads is not None:
        torch.set_num_threads(threads)
        cv2.setNumThreads(threads)


def build_model(options: TaggingOptions) -> InferenceModel:
    """The configured image model, not yet loaded (raises ModelLoadError for a bad path)."""
    device = resolve_device(options.device)
    dtype = resolve_dtype(device, options.dtype)
    if options.clip_path is None:
        return EfficientNetLite0(device, dtype, options.threshold, options.top_k)
    return ClipTagger(
        options.clip_path,
        load_vocabulary(options.vocabulary_path),
        device,
        dtype,
        options.threshold,
        options.top_k,
        options.clip_temperature,
        options.clip_model_id,
    )


def load_runner(options: TaggingOptions, on_batch: BatchObserver | None = None) -> TaggingRunner:
    """Load every model, warm each up once, and return the runner (blocking: call it at start-up,
    e.g. with `await asyncio.to_thread(load_runner, options)` in the lifespan)."""
    set_inference_threads(options)
    model = build_model(options)
    model.load()
    model.warmup()
    if model.device.type == "cuda":
        # A full batch too: kernels for that shape get picked, and an out-of-memory shows at
        # start-up instead of on the first busy minute.
        model.warmup(options.batch_size)
    faces = BlazeFaceDetector(
        min_face_fraction=options.face_min_fraction, threads=options.inference_threads or 1
    )
    faces.load()
    log.info(
        "tagging model %s loaded on %s (%s), embedding %d-d",
        model.model_id,
        model.device,
        model.dtype,
        model.embedding_dim,
    )
    return TaggingRunner(model, faces, options.batch_size, options.batch_timeout_ms, on_batch)
