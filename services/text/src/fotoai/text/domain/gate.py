"""The cheap gate: does a photo show anything that looks like lines of text?

Text lines are runs of strong, dense, horizontal edges: a morphological gradient, Otsu's
threshold, a horizontal closing that joins letters into lines, then connected regions that
are wide, not too tall, mostly edges, and crossed by many strokes (letters alternate stroke
and gap). A few milliseconds on a 640-pixel grey image, where
Tesseract costs a few hundred; photos without such regions skip OCR.

Photos that pass are read only around what the gate saw (`text_area`): the regions' bounding box
grown by two line heights above and below (lines the gate missed next to ones it found) and a
quarter of its width to each side. On a photo where one texture looked like a line, Tesseract
reads a strip instead of 3 MP (0.27 CPU-s -> a few hundredths); a page of text is read whole.
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


#: Above this share of the picture, the text area is the whole picture.
WHOLE_AREA = 0.5


def text_area(
    regions: list[tuple[int, int, int, int]], gate_size: tuple[int, int]
) -> tuple[float, float, float, float]:
    """Where to read, as fractions (x0, y0, x1, y1) of the picture, from the gate's `regions`
    (boxes on its `gate_size` = (width, height) copy); the whole picture when there are none."""
    if not regions:
        return 0.0, 0.0, 1.0, 1.0
    width, height = gate_size
    x0 = min(x for x, _, _, _ in regions)
    y0 = min(y for _, y, _, _ in regions)
    x1 = max(x + w for x, _, w, _ in regions)
    y1 = max(y + h for _, y, _, h in regions)
    line = max(h for _, _, _, h in regions)
    grow_x = (x1 - x0) / 4 + line
    box = (
        max(0.0, (x0 - grow_x) / width),
        max(0.0, (y0 - 2 * line) / height),
        min(1.0, (x1 + grow_x) / width),
        min(1.0, (y1 + 2 * line) / height),
    )
    if (box[2] - box[0]) * (box[3] - box[1]) > WHOLE_AREA:
        return 0.0, 0.0, 1.0, 1.0
    return box


def ocr_input(grey: np.ndarray, min_lines: int = 1, gate: bool = True) -> np.ndarray | None:
    """What OCR should read of `grey`: None when the gate sees fewer than `min_lines` text-like
    lines, else the area around them (`text_area`); the whole picture when `gate` is off."""
    if not gate:
        return grey
    regions = text_line_regions(grey)
    if len(regions) < min_lines:
        return None
    height, width = grey.shape[:2]
    x0, y0, x1, y1 = text_area(regions, shrunk_size(width, height, GATE_SIDE))
    return grey[round(y0 * height):round(y1 * height), round(x0 * width):round(x1 * width)]
