"""BlazeFace's output decoding, windows and merging, on numbers alone (no network)."""

from __future__ import annotations

import numpy as np
import pytest
from fotoai.tagging.domain.blazeface import BACK_CAMERA, Detection, Window, decode, merge, windows


def test_the_back_camera_layout_has_one_anchor_per_network_output_row() -> None:
    anchors = BACK_CAMERA.centres()
    assert anchors.shape == (896, 2)
    # 16x16 cells with 2 anchors each, then 8x8 cells with 6.
    assert anchors[0] == pytest.approx([1 / 32, 1 / 32])
    assert anchors[1] == pytest.approx([1 / 32, 1 / 32])
    assert anchors[2] == pytest.approx([3 / 32, 1 / 32])
    assert anchors[512] == pytest.approx([1 / 16, 1 / 16])
    assert anchors[-1] == pytest.approx([15 / 16, 15 / 16])


def test_decode_keeps_confident_anchors_and_offsets_their_box() -> None:
    anchors = np.array([[0.25, 0.25], [0.75, 0.5]], np.float32)
    logits = np.array([[[4.0], [-4.0]]], np.float32)  # sigmoid: 0.982, 0.018
    regressors = np.zeros((1, 2, 16), np.float32)
    regressors[0, 0, :4] = [12.8, -25.6, 64.0, 32.0]  # in 256-pixel input units
    [det] = decode(logits, regressors, anchors, 256, min_score=0.5)
    assert det.score == pytest.approx(0.982, abs=1e-3)
    assert (det.x0, det.y0, det.x1, det.y1) == pytest.approx((0.175, 0.0875, 0.425, 0.2125))
    assert decode(logits, regressors, anchors, 256, min_score=0.99) == []


def test_windows_are_the_whole_picture_then_an_overlapping_grid_that_covers_it() -> None:
    ws = windows(1024, 768, grid=2, overlap=0.25)
    assert ws[0] == Window(0, 0, 1024, 768)
    tiles = ws[1:]
    assert len(tiles) == 4
    assert {(w.x, w.y) for w in tiles} == {(0, 0), (439, 0), (0, 329), (439, 329)}
    assert all(w.x + w.width == 1024 or w.x == 0 for w in tiles)
    assert max(w.x + w.width for w in tiles) == 1024 and max(w.y + w.height for w in tiles) == 768
    # Neighbours share a quarter of a window's side.
    assert tiles[0].width - tiles[1].x == pytest.approx(tiles[0].width / 4, abs=1)
    assert windows(640, 480, grid=1) == [Window(0, 0, 640, 480)]


def test_a_box_found_in_a_letterboxed_window_maps_back_to_the_picture() -> None:
    # A 400x200 window at (100, 50) of an 800x400 picture, letterboxed into a 400-px square:
    # 100 px of padding above and below.
    window = Window(100, 50, 400, 200)
    box = Detection(0.25, 0.25, 0.5, 0.5, 0.9)  # 100..200 px of the square on both axes
    mapped = window.to_picture(box, 400, (800, 400))
    assert (mapped.x0, mapped.y0, mapped.x1, mapped.y1) == pytest.approx(
        ((100 + 100) / 800, (50 + 0) / 400, (100 + 200) / 800, (50 + 100) / 400)
    )
    assert mapped.score == 0.9


def test_merge_keeps_the_best_box_of_each_face() -> None:
    face = Detection(0.40, 0.40, 0.50, 0.52, 0.95)
    same_face_other_window = Detection(0.41, 0.41, 0.51, 0.53, 0.90)
    cut_at_a_window_edge = Detection(0.40, 0.40, 0.45, 0.52, 0.85)
    another_face = Detection(0.10, 0.10, 0.20, 0.22, 0.88)
    kept = merge([same_face_other_window, cut_at_a_window_edge, another_face, face])
    assert kept == [face, another_face]
