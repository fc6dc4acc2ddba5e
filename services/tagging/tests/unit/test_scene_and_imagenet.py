"""Orientation and people tags, and ImageNet grouping."""

from __future__ import annotations

import numpy as np
import pytest
from fotoai.tagging.domain.imagenet import ImageNetTagger, build_groups, load_imagenet_labels
from fotoai.tagging.domain.scene import FaceBox, faces_from_pixels, orientation_tag, people_tags


@pytest.mark.parametrize(
    ("size", "label"),
    [
        ((4000, 3000), "horizontal"),
        ((3000, 4000), "vertical"),
        ((1000, 1020), "square"),
        ((6000, 2000), "panorama"),
        ((1000, 3000), "panorama"),
    ],
)
def test_orientation(size, label) -> None:
    assert orientation_tag(*size).label == label


def test_people_portrait_and_group_tags() -> None:
    big = FaceBox(0.3, 0.2, 0.3, 0.3, 0.9)
    small = FaceBox(0.1, 0.1, 0.05, 0.05, 0.6)
    assert people_tags([]) == []
    assert [t.label for t in people_tags([big])] == ["people", "portrait"]
    assert [t.label for t in people_tags([small])] == ["people"]
    assert [t.label for t in people_tags([small, small, big])] == ["people", "group"]
    assert people_tags([small, big])[0].score == 0.9


def test_pixel_boxes_become_clipped_fractions() -> None:
    faces = faces_from_pixels([(50, 20, 100, 100), (-10, 150, 40, 100)], [0.5, 0.8], 200, 200)
    assert [(f.x, f.y, f.w, f.h, f.score) for f in faces] == [
        (0.0, 0.75, 0.15, 0.25, 0.8),
        (0.25, 0.1, 0.5, 0.5, 0.5),
    ]


def test_imagenet_groups_sum_their_classes() -> None:
    labels = load_imagenet_labels()
    groups = build_groups(labels)
    assert len(groups["dog"]) == 118
    assert labels.index("golden retriever") in groups["dog"]
    assert labels.index("tabby") in groups["cat"]
    probs = np.zeros(1000)
    for name, p in [
        ("golden retriever", 0.3),
        ("Labrador retriever", 0.25),
        ("beagle", 0.2),
        ("tennis ball", 0.1),
    ]:
        probs[labels.index(name)] = p
    tags = ImageNetTagger(labels, threshold=0.15, top_k=5, source="efficientnet").tags(probs)
    assert [(t.label, round(t.score, 3)) for t in tags] == [
        ("dog", 0.75),
        ("golden retriever", 0.3),
        ("labrador retriever", 0.25),
        ("beagle", 0.2),
    ]
