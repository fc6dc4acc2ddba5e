"""ImageNet-1k class labels turned into tags people search with.

A classifier's 1000 classes are very specific (118 dog breeds, no "dog"). Each class keeps its
own name and, where it belongs to an everyday group, also feeds that group: the group's score
is the sum of its classes' probabilities, which is the probability that the picture shows any
of them ("dog" at 0.9 when the mass is spread over five terriers).
"""

from __future__ import annotations

from importlib import resources

import numpy as np
from fotoai.tagging.domain.calibration import ScoredLabel, select_labels

# Inclusive index ranges of ImageNet-1k (torchvision order) and the everyday word for them.
GROUP_RANGES: tuple[tuple[int, int, str], ...] = (
    (0, 6, "fish"),
    (389, 397, "fish"),
    (7, 24, "bird"),
    (80, 100, "bird"),
    (127, 146, "bird"),
    (25, 32, "amphibian"),
    (33, 37, "turtle"),
    (38, 48, "lizard"),
    (49, 50, "crocodile"),
    (52, 68, "snake"),
    (72, 77, "spider"),
    (118, 125, "crustacean"),
    (147, 148, "whale"),
    (151, 268, "dog"),
    (269, 280, "wild dog"),
    (281, 285, "cat"),
    (286, 293, "big cat"),
    (294, 297, "bear"),
    (300, 320, "insect"),
    (321, 326, "butterfly"),
    (330, 332, "rabbit"),
    (333, 338, "rodent"),
    (341, 343, "pig"),
    (345, 347, "cattle"),
    (348, 350, "sheep"),
    (351, 353, "antelope"),
    (365, 384, "monkey"),
    (385, 386, "elephant"),
    (387, 388, "panda"),
    (924, 935, "food"),
    (959, 965, "food"),
    (936, 946, "vegetable"),
    (948, 957, "fruit"),
    (966, 967, "drink"),
    (969, 969, "drink"),
    (970, 970, "landscape"),
    (972, 980, "landscape"),
    (985, 986, "flower"),
    (991, 997, "mushroom"),
)

GROUP_NAMES: dict[str, str] = {
    **{
        name: "car"
        for name in (
            "sports car",
            "convertible",
            "cab",
            "jeep",
            "limousine",
            "minivan",
            "Model T",
            "racer",
            "beach wagon",
            "police van",
            "ambulance",
            "pickup",
            "car wheel",
            "grille",
        )
    },
    **{
        name: "truck"
        for name in (
            "fire engine",
            "garbage truck",
            "tow truck",
            "trailer truck",
            "moving van",
            "tractor",
        )
    },
    **{name: "bus" for name in ("school bus", "trolleybus", "minibus")},
    **{
        name: "boat"
        for name in (
            "canoe",
            "speedboat",
            "yawl",
            "catamaran",
            "trimaran",
            "schooner",
            "container ship",
            "liner",
            "fireboat",
            "gondola",
            "lifeboat",
            "pirate",
            "submarine",
            "aircraft carrier",
            "wreck",
            "paddlewheel",
        )
    },
    **{name: "aircraft" for name in ("airliner", "warplane", "airship", "space shuttle")},
    **{
        name: "train"
        for name in (
            "bullet train",
            "electric locomotive",
            "steam locomotive",
            "passenger car",
            "freight car",
            "streetcar",
        )
    },
    **{
        name: "bicycle"
        for name in ("mountain bike", "bicycle-built-for-two", "tricycle", "unicycle")
    },
    **{name: "motorcycle" for name in ("moped", "motor scooter")},
    **{
        name: "computer"
        for name in (
            "laptop",
            "notebook",
            "desktop computer",
            "computer keyboard",
            "mouse",
            "monitor",
            "screen",
        )
    },
    **{name: "phone" for name in ("cellular telephone", "dial telephone", "pay-phone")},
    **{
        name: "musical instrument"
        for name in (
            "acoustic guitar",
            "electric guitar",
            "grand piano",
            "upright",
            "violin",
            "cello",
            "banjo",
            "drum",
            "accordion",
            "harmonica",
            "sax",
            "trombone",
            "French horn",
            "cornet",
            "flute",
            "oboe",
            "harp",
            "marimba",
            "chime",
            "gong",
            "steel drum",
            "maraca",
        )
    },
    **{
        name: "building"
        for name in (
            "church",
            "mosque",
            "palace",
            "castle",
            "monastery",
            "boathouse",
            "barn",
            "cinema",
            "library",
            "planetarium",
            "prison",
            "restaurant",
            "greenhouse",
            "triumphal arch",
            "stupa",
            "dome",
            "bell cote",
        )
    },
    **{name: "coffee" for name in ("espresso", "coffee mug", "coffeepot", "espresso maker")},
}


def load_imagenet_labels() -> list[str]:
    """The 1000 class names in torchvision order, from the file shipped with this package."""
    text = resources.files("fotoai.tagging.data").joinpath("imagenet_labels.txt").read_text("utf-8")
    labels = [line.strip() for line in text.splitlines() if line.strip()]
    if len(labels) != 1000:
        raise ValueError(f"expected 1000 ImageNet labels, found {len(labels)}")
    return labels


def build_groups(labels: list[str]) -> dict[str, np.ndarray]:
    """Group word → the class indices it sums."""
    members: dict[str, list[int]] = {}
    for first, last, group in GROUP_RANGES:
        members.setdefault(group, []).extend(range(first, last + 1))
    for index, name in enumerate(labels):
        named = GROUP_NAMES.get(name)
        if named is not None:
            members.setdefault(named, []).append(index)
    return {group: np.asarray(sorted(set(idx)), dtype=np.int64) for group, idx in members.items()}


class ImageNetTagger:
    """Class probabilities → specific and group tags, calibrated as probabilities."""

    def __init__(self, labels: list[str], threshold: float, top_k: int, source: str):
        self._labels = [label.lower() for label in labels]
        self._groups = build_groups(labels)
        self._group_names = list(self._groups)
        self._threshold = threshold
        self._top_k = top_k
        self._source = source

    def tags(self, probabilities: np.ndarray) -> list[ScoredLabel]:
        """Tags for one picture from its softmax over the 1000 classes."""
        probs = np.asarray(probabilities, dtype=np.float64)
        group_scores = np.asarray([probs[idx].sum() for idx in self._groups.values()])
        scores = np.concatenate([probs, group_scores])
        names = self._labels + self._group_names
        # A group and one of its own classes can carry the same word ("panda"): keep the best.
        chosen: dict[str, ScoredLabel] = {}
        for tag in select_labels(scores, names, self._threshold, self._top_k * 2, self._source):
            if tag.label not in chosen:
                chosen[tag.label] = tag
        return list(chosen.values())[: self._top_k]
