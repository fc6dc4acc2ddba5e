"""BlazeFace's raw output turned into face boxes: anchors, decoding, the windows a picture is read
in, and merging what overlapping windows found twice. Numbers only: the network runs elsewhere.

BlazeFace (MediaPipe) predicts, for each anchor of a fixed grid over its square input, a logit and
a box offset in input pixels (centre x, centre y, width, height, then six key points). A photo is
letterboxed into that square; a face under about 14 input pixels is lost, so besides the whole
picture the detector reads overlapping windows of it (`windows`), each scaled up relative to the
whole, and `merge` keeps the best box of each face.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AnchorLayout:
    """The square input side and, per feature map, its stride and anchors per cell."""

    input_side: int
    layers: tuple[tuple[int, int], ...]

    def centres(self) -> np.ndarray:
        """(N, 2) anchor centres as fractions of the input, in the network's output order."""
        out = []
        for stride, per_cell in self.layers:
            cells = self.input_side // stride
            ys, xs = np.mgrid[0:cells, 0:cells]
            grid = np.stack([(xs + 0.5) / cells, (ys + 0.5) / cells], axis=-1).reshape(-1, 1, 2)
            out.append(np.repeat(grid, per_cell, axis=1).reshape(-1, 2))
        return np.concatenate(out).astype(np.float32)


#: MediaPipe's "back camera" BlazeFace: 256 px input, 16×16×2 + 8×8×6 = 896 anchors; made for
#: faces farther from the camera than the selfie ("short range") model.
BACK_CAMERA = AnchorLayout(256, ((16, 2), (32, 6)))


@dataclass(frozen=True)
class Detection:
    """A face as fractions of the picture read: x0, y0, x1, y1, and a probability."""

    x0: float
    y0: float
    x1: float
    y1: float
    score: float

    @property
    def area(self) -> float:
        return max(0.0, self.x1 - self.x0) * max(0.0, self.y1 - self.y0)


def decode(
    logits: np.ndarray, regressors: np.ndarray, anchors: np.ndarray, input_side: int, min_score: float
) -> list[Detection]:
    """The anchors scoring at least `min_score`, as boxes in fractions of the square input."""
    scores = 1.0 / (1.0 + np.exp(-np.clip(logits.reshape(-1), -80.0, 80.0)))
    keep = np.flatnonzero(scores >= min_score)
    if keep.size == 0:
        return []
    reg = regressors.reshape(len(scores), -1)[keep, :4] / input_side
    cx = anchors[keep, 0] + reg[:, 0]
    cy = anchors[keep, 1] + reg[:, 1]
    half_w, half_h = reg[:, 2] / 2, reg[:, 3] / 2
    return [
        Detection(float(x - w), float(y - h), float(x + w), float(y + h), float(s))
        for x, y, w, h, s in zip(cx, cy, half_w, half_h, scores[keep], strict=True)
    ]


@dataclass(frozen=True)
class Window:
    """A rectangle of the picture in pixels, read as its own square input."""

    x: int
    y: int
    width: int
    height: int

    def to_picture(self, box: Detection, letterbox_side: int, picture: tuple[int, int]) -> Detection:
        """A box found in this window's letterboxed square, as fractions of the whole picture."""
        pw, ph = picture
        pad_x = (letterbox_side - self.width) / 2
        pad_y = (letterbox_side - self.height) / 2

        def px(v: float, pad: float, origin: int) -> float:
            return v * letterbox_side - pad + origin

        return Detection(
            px(box.x0, pad_x, self.x) / pw,
            px(box.y0, pad_y, self.y) / ph,
            px(box.x1, pad_x, self.x) / pw,
            px(box.y1, pad_y, self.y) / ph,
            box.score,
        )


def windows(width: int, height: int, grid: int = 2, overlap: float = 0.25) -> list[Window]:
    """The whole picture, then a `grid`×`grid` of windows that overlap by `overlap` of their side
    (a face on a seam is whole in one of them)."""
    out = [Window(0, 0, width, height)]
    if grid <= 1:
        return out
    tile_w = round(width / (grid - (grid - 1) * overlap))
    tile_h = round(height / (grid - (grid - 1) * overlap))
    for row in range(grid):
        for col in range(grid):
            x = round(col * (width - tile_w) / (grid - 1))
            y = round(row * (height - tile_h) / (grid - 1))
            out.append(Window(x, y, tile_w, tile_h))
    return out


def _overlap_of_smaller(a: Detection, b: Detection) -> float:
    ix = max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0))
    iy = max(0.0, min(a.y1, b.y1) - max(a.y0, b.y0))
    smaller = min(a.area, b.area)
    return ix * iy / smaller if smaller > 0 else 0.0


def merge(detections: list[Detection], same_face: float = 0.5) -> list[Detection]:
    """One box per face: the best-scoring first; a box that covers `same_face` of a kept box or is
    half covered by it (the same face cut at a window's edge, or found at two scales) is dropped."""
    kept: list[Detection] = []
    for det in sorted(detections, key=lambda d: d.score, reverse=True):
        if all(_overlap_of_smaller(det, k) < same_face for k in kept):
            kept.append(det)
    return kept


def clip_to_picture(det: Detection) -> Detection:
    """The box cut at the picture's edges (key points may lie outside; the face box should not)."""
    return Detection(
        min(max(det.x0, 0.0), 1.0),
        min(max(det.y0, 0.0), 1.0),
        min(max(det.x1, 0.0), 1.0),
        min(max(det.y1, 0.0), 1.0),
        det.score,
    )
