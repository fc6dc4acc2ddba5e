"""Face detection with the Haar cascade OpenCV ships inside its wheel (no downloaded weights).

`haarcascade_frontalface_alt2` finds frontal faces with few false positives. The cascade gives
no probability, only the summed weight of its last stage (`levelWeights`: about 56 for the
clear faces of scikit-image's astronaut and matplotlib's Grace Hopper); `w / (w + 10)` maps it
into [0, 1) with 0.5 at a weight of 10. Each thread gets its own classifier: OpenCV's cascade keeps
per-call scratch state, so one instance is not shared between threads.

The cascade runs on a copy of at most `DETECT_SIDE` pixels: its 20-pixel window still covers the
smallest face asked for (4% of the short side is 19 px at 640×480), and it costs about a
third of the 1024-pixel thumbnail's time. Boxes are fractions, so they do not change.
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
from fotoai.tagging.domain.quality import luminance
from fotoai.tagging.domain.scene import FaceBox, faces_from_pixels
from fotoai.tagging.models.hardware import ModelLoadError

CASCADE = "haarcascade_frontalface_alt2.xml"
# Level weight that scores 0.5; clear faces on real photographs weigh several times more.
WEIGHT_HALF = 10.0
DETECT_SIDE = 640


def _cascade_path() -> Path:
    data = getattr(cv2, "data", None)
    if data is None:
        raise ModelLoadError(
            "this OpenCV build has no bundled cascades (opencv 5 dropped them: pin <5)"
        )
    return Path(data.haarcascades) / CASCADE


class HaarFaceDetector:
    """Frontal faces on an RGB picture, as fractional boxes with a score."""

    model_id = "opencv-haar-frontalface-alt2"

    def __init__(
        self, min_face_fraction: float = 0.04, min_score: float = 0.3, detect_side: int = DETECT_SIDE
    ):
        self._path = _cascade_path()
        self._detect_side = detect_side
        self._min_face_fraction = min_face_fraction
        self._min_score = min_score
        self._local = threading.local()

    def load(self) -> None:
        self._classifier()

    def _classifier(self) -> cv2.CascadeClassifier:
        classifier = getattr(self._local, "classifier", None)
        if classifier is None:
            if not hasattr(cv2, "CascadeClassifier") or not self._path.is_file():
                raise ModelLoadError(f"OpenCV's face cascade {str(self._path)!r} is missing")
            classifier = cv2.CascadeClassifier(str(self._path))
            if classifier.empty():
                raise ModelLoadError(f"OpenCV could not read the face cascade {str(self._path)!r}")
            self._local.classifier = classifier
        return classifier

    def detect(self, rgb: np.ndarray) -> list[FaceBox]:
        height, width = rgb.shape[:2]
        if max(width, height) > self._detect_side:
            scale = self._detect_side / max(width, height)
            width, height = max(1, round(width * scale)), max(1, round(height * scale))
            rgb = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)
        grey = cv2.equalizeHist(np.clip(luminance(rgb) * 255 + 0.5, 0, 255).astype(np.uint8))
        side = max(20, int(min(width, height) * self._min_face_fraction))
        boxes, _, weights = self._classifier().detectMultiScale3(
            grey, scaleFactor=1.1, minNeighbors=5, minSize=(side, side), outputRejectLevels=True
        )
        if len(boxes) == 0:
            return []
        scores = [
            max(0.0, float(w)) / (max(0.0, float(w)) + WEIGHT_HALF)
            for w in np.asarray(weights).reshape(-1)
        ]
        pixel_boxes = [(int(b[0]), int(b[1]), int(b[2]), int(b[3])) for b in boxes]
        faces = faces_from_pixels(pixel_boxes, scores, width, height)
        return [face for face in faces if face.score >= self._min_score]
