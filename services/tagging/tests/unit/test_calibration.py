"""Score calibration, tag selection, normalisation."""

from __future__ import annotations

import numpy as np
import pytest
from fotoai.tagging.domain.calibration import l2_normalise, select_labels, sigmoid, softmax


def test_softmax_rows_sum_to_one_and_temperature_sharpens() -> None:
    logits = np.array([[1.0, 2.0, 3.0]])
    warm = softmax(logits, temperature=10.0)
    cold = softmax(logits, temperature=0.1)
    assert warm.sum() == pytest.approx(1.0) and cold.sum() == pytest.approx(1.0)
    assert cold[0, 2] > 0.99 > warm[0, 2]
    assert softmax(np.array([1000.0, 1001.0])).sum() == pytest.approx(1.0)  # no overflow


def test_sigmoid_is_stable_and_monotonic() -> None:
    values = sigmoid(np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0]))
    assert values.tolist() == pytest.approx([0.0, 0.26894142, 0.5, 0.73105858, 1.0])


def test_select_labels_applies_threshold_and_top_k_best_first() -> None:
    scores = np.array([0.05, 0.4, 0.2, 0.3, 0.01])
    labels = ["a", "b", "c", "d", "e"]
    picked = select_labels(scores, labels, threshold=0.1, top_k=2, source="clip")
    assert [(t.label, t.score, t.source) for t in picked] == [
        ("b", 0.4, "clip"),
        ("d", 0.3, "clip"),
    ]
    assert select_labels(scores, labels, threshold=0.5, top_k=5, source="clip") == []
    with pytest.raises(ValueError):
        select_labels(scores, labels[:3], 0.1, 2, "clip")


def test_l2_normalise_keeps_zero_vectors() -> None:
    out = l2_normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert out.tolist() == [[0.6, 0.8], [0.0, 0.0]]
