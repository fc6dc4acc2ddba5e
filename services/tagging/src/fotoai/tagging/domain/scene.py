"""Tags that follow from geometry and detections rather than from a classifier.

Picture orientation from the photo's own size, and people/portrait/group tags from the face
boxes a detector found.
"""

from __future__ import annotations

from dataclasses import dataclass

from fotoai.tagging.domain.calibration import ScoredLabel

PANORAMA_ASPECT = 2.0
SQUARE_TOLERANCE = 0.05
# A single face that takes this share of the picture's area makes it a portrait.
PORTRAIT_FACE_AREA = 0.02
GROUP_FACES = 3


@dataclass(frozen=True)
class FaceBox:
    """A detected face: box as fractions of the picture (x, y, w, h) and a score in [0, 1]."""

    x: float
    y: float
    w: float
    h: float
    score: float

    @property
    def area(self) -> float:
        return self.w * self.h


def orientation_tag(width: int, height: int) -> ScoredLabel:
    """horizontal, vertical, square or panorama, from the photo's size after orientation."""
    aspect = width / height
    if abs(aspect - 1) <= SQUARE_TOLERANCE:
        label = "square"
    elif max(aspect, 1 / aspect) >= PANORAMA_ASPECT:
        label = "panorama"
    elif aspect > 1:
        label = "horizontal"
    else:
        label = "vertical"
    return ScoredLabel(label=label, score=1.0, source="orientation")


def people_tags(faces: list[FaceBox]) -> list[ScoredLabel]:
    """`people` when any face was found; `portrait` for one prominent face; `group` for many."""
    if not faces:
        return []
    best = max(face.score for face in faces)
    tags = [ScoredLabel(label="people", score=best, source="faces")]
    if len(faces) == 1 and faces[0].area >= PORTRAIT_FACE_AREA:
        tags.append(ScoredLabel(label="portrait", score=faces[0].score, source="faces"))
    if len(faces) >= GROUP_FACES:
        tags.append(ScoredLabel(label="group", score=best, source="faces"))
    return tags


def faces_from_pixels(
    boxes: list[tuple[int, int, int, int]], scores: list[float], width: int, height: int
) -> list[FaceBox]:
    """Pixel boxes on a `width` x `height` picture → fractional boxes, clipped to the picture."""
    faces = []
    for (x, y, w, h), score in zip(boxes, scores, strict=True):
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(width, x + w), min(height, y + h)
        if x1 <= x0 or y1 <= y0:
            continue
        faces.append(
            FaceBox(
                x=x0 / width,
                y=y0 / height,
                w=(x1 - x0) / width,
                h=(y1 - y0) / height,
                score=float(min(1.0, max(0.0, score))),
            )
        )
    return sorted(faces, key=lambda f: -f.score)
