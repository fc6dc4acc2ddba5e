"""The cheap gate: does a photo show anything that looks like lines of text?

Text lines are runs of strong, dense, horizontal edges: a morphological gradient, Otsu's
threshold, a horizontal closing that joins letters into lines, then connected regions that
are wide, not too tall, mostly edges, and crossed by many strokes (letters alternate stroke
and gap). A few milliseconds on a 640-pixel grey image, where
Tesseract costs a few hundred; photos without such regions skip OCR.

Photos that pass are read only around what the gate saw (`text_areas`): each region grown by
two line heights above and below (lines the gate missed next to ones it found) and a quarter of
its width to each side, overlapping areas merged, and the areas stacked into one picture for one
Tesseract pass. On a photo where two textures looked like lines, Tesseract reads two strips
instead of 3 MP (0.25 CPU-s -> a few hundredths); a page of text is read whole.
"""

from __future__ import annotations

import cv2
import numpy as np

GATE_SIDE = 640


def shrunk_size(width: int, height: int, side: int) -> tuple[int, int]:
    """(width, height) with the longest side at most `side`."""
    scale = side / max(height, width)
    if scale >= 1:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))


def shrink(grey: np.ndarray, side: int) -> np.ndarray:
    h, w = grey.shape[:2]
    size = shrunk_size(w, h, side)
    return grey if size == (w, h) else cv2.resize(grey, size, interpolation=cv2.INTER_AREA)


def text_line_regions(grey: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h) on a GATE_SIDE-pixel copy of `grey` that look like lines of text."""
    small = shrink(grey, GATE_SIDE)
    grad = cv2.morphologyEx(small, cv2.MORPH_GRADIENT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    _, binary = cv2.threshold(grad, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    joined = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 1)))
    contours, _ = cv2.findContours(joined, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    height = small.shape[0]
    found = []
    for c in contours:
        x, y, w, h = cv2.boundingRect(c)
        if w < 24 or h < 8 or h > height / 3 or w < 2 * h:
            continue
        fill = cv2.countNonZero(joined[y:y + h, x:x + w]) / float(w * h)
        if fill < 0.4:
            continue
        # Letters alternate stroke and gap along a line: count edge crossings on the middle rows.
        band = binary[y + h // 4:y + h - h // 4, x:x + w] > 0
        crossings = float(np.median(np.abs(np.diff(band.astype(np.int8), axis=1)).sum(axis=1))) / 2
        if crossings >= 8 and crossings * h / w >= 1.5:
            found.append((x, y, w, h))
    return found


def looks_like_text(grey: np.ndarray, min_lines: int = 1) -> bool:
    return len(text_line_regions(grey)) >= min_lines


#: Above this share of the picture, OCR reads the whole picture.
WHOLE_AREA = 0.5
#: White rows between two areas stacked for one OCR pass (Tesseract sees separate blocks).
AREA_GAP = 24

Box = tuple[float, float, float, float]


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def text_areas(regions: list[tuple[int, int, int, int]], gate_size: tuple[int, int]) -> list[Box]:
    """Where to read, as fractions (x0, y0, x1, y1) of the picture, top to bottom: each of the
    gate's `regions` (boxes on its `gate_size` = (width, height) copy) grown by two of its line
    heights above and below and a quarter of its width plus a line height to each side, and
    areas that overlap merged; the whole picture when there are none or they cover over half."""
    width, height = gate_size
    boxes: list[Box] = []
    for x, y, w, h in regions:
        grow_x = w / 4 + h
        boxes.append((
            max(0.0, (x - grow_x) / width), max(0.0, (y - 2 * h) / height),
            min(1.0, (x + w + grow_x) / width), min(1.0, (y + h + 2 * h) / height),
        ))
    merged = True
    while merged:
        merged = False
        for i, a in enumerate(boxes):
            for j in range(i + 1, len(boxes)):
                b = boxes[j]
                if _overlap(a, b):
                    boxes[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    if not boxes or sum((b[2] - b[0]) * (b[3] - b[1]) for b in boxes) > WHOLE_AREA:
        return [(0.0, 0.0, 1.0, 1.0)]
    return sorted(boxes, key=lambda b: (b[1], b[0]))


def stack_areas(crops: list[np.ndarray]) -> np.ndarray:
    """The crops one under the other on white, left-aligned, `AREA_GAP` rows apart: one picture,
    so one OCR pass (one Tesseract start) reads them all."""
    if len(crops) == 1:
        return crops[0]
    width = max(c.shape[1] for c in crops)
    height = sum(c.shape[0] for c in crops) + AREA_GAP * (len(crops) - 1)
    out = np.full((height, width), 255, np.uint8)
    top = 0
    for crop in crops:
        out[top:top + crop.shape[0], :crop.shape[1]] = crop
        top += crop.shape[0] + AREA_GAP
    return out


def ocr_input(grey: np.ndarray, min_lines: int = 1, gate: bool = True) -> np.ndarray | None:
    """What OCR should read of `grey`: None when the gate sees fewer than `min_lines` text-like
    lines, else the areas around them (`text_areas`) stacked into one picture; the whole
    picture when `gate` is off."""
    if not gate:
        return grey
    regions = text_line_regions(grey)
    if len(regions) < min_lines:
        return None
    height, width = grey.shape[:2]
    areas = text_areas(regions, shrunk_size(width, height, GATE_SIDE))
    if areas == [(0.0, 0.0, 1.0, 1.0)]:
        return grey
    return stack_areas([
        grey[round(y0 * height):round(y1 * height), round(x0 * width):round(x1 * width)]
        for x0, y0, x1, y1 in areas
    ])
