"""Turning raw model logits into calibrated per-label scores, and choosing the tags to keep.

Two calibrations, picked by how the model was trained:

* CLIP (contrastive softmax training): `softmax(cos / T)` over the whole vocabulary. The
  temperature defaults to the model's own learned one (T = 1 / logit_scale), which is what its
  training loss calibrated; a score is "how much more this label fits than the rest of the
  vocabulary", so several true labels share the mass and the threshold is set low (0.1).
* SigLIP (pairwise sigmoid training): `sigmoid(cos * logit_scale + logit_bias)` per label: an
  independent probability for each label, natively multi-label.
* ImageNet classifiers: softmax over their classes, then summed over groups (see imagenet.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ScoredLabel:
    label: str
    score: float
    source: str


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of `logits / temperature`, numerically stable."""
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    scaled -= scaled.max(axis=-1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=-1, keepdims=True)


def sigmoid(logits: np.ndarray) -> np.ndarray:
    """Element-wise logistic function, stable for large magnitudes."""
    x = np.asarray(logits, dtype=np.float64)
    return np.where(
        x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x)))
    )


def select_labels(
    scores: np.ndarray, labels: list[str], threshold: float, top_k: int, source: str
) -> list[ScoredLabel]:
    """The `top_k` best labels whose score reaches `threshold`, best first."""
    if len(scores) != len(labels):
        raise ValueError(f"{len(scores)} scores for {len(labels)} labels")
    order = np.argsort(-scores, kind="stable")[:top_k]
    return [
        ScoredLabel(label=labels[i], score=float(min(1.0, max(0.0, scores[i]))), source=source)
        for i in order
        if scores[i] >= threshold
    ]


def l2_normalise(vectors: np.ndarray, axis: int = -1) -> np.ndarray:
    """Unit-length vectors along `axis` (zero vectors stay zero)."""
    norms = np.linalg.norm(vectors, axis=axis, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)
