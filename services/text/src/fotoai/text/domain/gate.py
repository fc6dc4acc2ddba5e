"""The cheap gate: does a photo show anything that looks like lines of text?

Text lines are runs of strong, dense, horizontal edges: a morphological gradient, Otsu's
threshold, a horizontal closing that joins letters into lines, then connected regions that
are wide, not too tall, mostly edges, and crossed by many strokes (letters alternate stroke
and gap). A few milliseconds on a 640-pixel grey image, where
Tesseract costs a few hundred; photos without such regions skip OCR.
"""

from __future__ import annotations

import cv2
import numpy as np

GATE_SIDE = 640


def shrink(grey: np.ndarray, side: int) -> np.ndarray:
    h, w = grey.shape[:2]
    scale = side / max(h, w)
    if scale >= 1:
        return grey
    return cv2.resize(grey, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


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
