"""dlib's face descriptor (ResNet, 128-d) with its 5-point aligner, from the
`face-recognition-models` package (no download at run time).

The model paths are read from the package's directory without importing it: its `__init__`
imports `pkg_resources`, which recent setuptools no longer ship.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import dlib
import numpy as np

MODEL_ID = "dlib-resnet-v1"


def _models_dir() -> Path:
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the face-recognition-models package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


class DlibFaceEmbedder:
    model_id = MODEL_ID

    def __init__(self, jitters: int = 1) -> None:
        models = _models_dir()
        self._shape = dlib.shape_predictor(str(models / "shape_predictor_5_face_landmarks.dat"))
        self._net = dlib.face_recognition_model_v1(str(models / "dlib_face_recognition_resnet_model_v1.dat"))
        self._jitters = jitters
        # dlib's networks keep scratch state per instance: one caller at a time.
        self._lock = threading.Lock()

    def embed(self, rgb: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> list[np.ndarray]:
        rgb = np.ascontiguousarray(rgb)
        with self._lock:
            return [
                np.asarray(
                    self._net.compute_face_descriptor(rgb, self._shape(rgb, dlib.rectangle(*box)), self._jitters),
                    dtype=np.float32,
                )
                for box in boxes
            ]
