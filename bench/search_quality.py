"""Search quality: precision and recall of the catalog's text search on a query set with
expected hits, people's words (search_terms) vs the exact-word search it replaced.

    uv run python bench/search_quality.py            # table on stdout
    uv run python bench/search_quality.py --json     # the figures as JSON

The photos carry the tags the tagging service emits for such pictures (ImageNet classes, their
everyday groups, face and colour tags). Both matchers follow the catalog's SQL: the old one
required every word of the query as a substring of a tag, the file name or the camera; the new
one (adapters/queries.py `text_search`) matches each query term as a whole word or through
its labels (domain/search_terms.py) and ranks photos by how many terms they match. A result
list counts as the photos matching at least half of the query's terms (all of a one- or
two-term query), the way the first screen of results reads.
"""

from __future__ import annotations

import argparse
import json
import re
import sys

from fotoai.catalog.domain.search_terms import parse_query

# id: (file name, tags)
PHOTOS: dict[str, tuple[str, list[str]]] = {
    "astronaut1": ("IMG_0001.jpg", ["people", "portrait", "space shuttle", "football helmet"]),
    "astronaut2": ("IMG_0002.jpg", ["people", "group", "lab coat"]),
    "cat_sofa": ("IMG_0003.jpg", ["tabby", "cat", "studio couch", "pillow"]),
    "kitten": ("IMG_0004.jpg", ["egyptian cat", "cat", "carton"]),
    "dog_beach": ("IMG_0005.jpg", ["golden retriever", "dog", "seashore", "sandbar"]),
    "puppy": ("IMG_0006.jpg", ["labrador retriever", "dog", "lawn mower"]),
    "rocket": ("IMG_0007.jpg", ["missile", "projectile", "mosque"]),
    "coffee": ("IMG_0008.jpg", ["espresso", "coffee", "cup", "dark"]),
    "beach": ("IMG_0009.jpg", ["seashore", "landscape", "sandbar", "blue"]),
    "sunset": ("IMG_0010.jpg", ["lakeside", "landscape", "orange"]),
    "mountain": ("IMG_0011.jpg", ["alp", "landscape", "valley"]),
    "car": ("IMG_0012.jpg", ["sports car", "car", "grille", "red"]),
    "bike": ("IMG_0013.jpg", ["mountain bike", "bicycle-built-for-two"]),
    "birds": ("IMG_0014.jpg", ["goldfinch", "bird", "green"]),
    "flowers": ("IMG_0015.jpg", ["daisy", "flower", "pot"]),
    "pizza": ("IMG_0016.jpg", ["pizza", "food", "plate"]),
    "wedding": ("IMG_0017.jpg", ["groom", "people", "group", "suit"]),
    "diver": ("IMG_0018.jpg", ["scuba diver", "coral reef", "people"]),
    "elephant": ("IMG_0019.jpg", ["african elephant", "elephant", "tusker"]),
    "manhole": ("IMG_0020.jpg", ["manhole cover", "grey"]),
    "cattle": ("IMG_0021.jpg", ["ox", "cattle", "landscape"]),
    "catamaran": ("IMG_0022.jpg", ["catamaran", "seashore", "blue"]),
}

# query: photos a person expects to find
QUERIES: dict[str, set[str]] = {
    "cat": {"cat_sofa", "kitten"},
    "cats": {"cat_sofa", "kitten"},
    "kitten": {"cat_sofa", "kitten"},
    "tabby": {"cat_sofa"},
    "a cat sitting on a sofa": {"cat_sofa"},
    "dog": {"dog_beach", "puppy"},
    "puppies": {"dog_beach", "puppy"},
    "dogs on the beach": {"dog_beach"},
    "animal": {"cat_sofa", "kitten", "dog_beach", "puppy", "birds", "elephant", "cattle"},
    "animals": {"cat_sofa", "kitten", "dog_beach", "puppy", "birds", "elephant", "cattle"},
    "pets": {"cat_sofa", "kitten", "dog_beach", "puppy"},
    "person": {"astronaut1", "astronaut2", "wedding", "diver"},
    "people": {"astronaut1", "astronaut2", "wedding", "diver"},
    "man": {"astronaut1", "astronaut2", "wedding", "diver"},
    "face": {"astronaut1", "astronaut2", "wedding", "diver"},
    "rocket": {"rocket"},
    "coffee": {"coffee"},
    "beach": {"beach", "dog_beach", "catamaran"},
    "sea": {"beach", "dog_beach", "catamaran"},
    "mountains": {"mountain"},
    "car": {"car"},
    "vehicle": {"car", "bike", "catamaran"},
    "bird": {"birds"},
    "flowers": {"flowers"},
    "food": {"pizza", "coffee"},
    "furniture": {"cat_sofa"},
    "landscape": {"beach", "sunset", "mountain", "cattle"},
}


def old_search(q: str) -> set[str]:
    """The exact-word search: every word a substring of a tag, the file name or the camera."""
    words = q.lower().split()[:8]
    if not words:
        return set()
    return {pid for pid, (name, tags) in PHOTOS.items()
            if all(any(w in t for t in tags) or w in name.lower() for w in words)}


def new_search(q: str) -> set[str]:
    """The catalog's search now: terms matched as whole words, through their labels, or in the
    file name; photos matching at least half of the terms (all of one or two)."""
    terms = parse_query(q)
    if not terms:
        return set()
    need = len(terms) if len(terms) <= 2 else (len(terms) + 1) // 2
    found = set()
    for pid, (name, tags) in PHOTOS.items():
        matched = 0
        for term in terms:
            regex = re.compile(r"\b(" + "|".join(map(re.escape, term.forms)) + r")\b")
            if any(regex.search(t) or t in term.labels for t in tags) or term.word in name.lower():
                matched += 1
        if matched >= need:
            found.add(pid)
    return found


def score(search) -> dict[str, float]:
    tp = fp = fn = 0
    for q, expected in QUERIES.items():
        got = search(q)
        tp += len(got & expected)
        fp += len(got - expected)
        fn += len(expected - got)
    answered = sum(1 for q, expected in QUERIES.items() if search(q) & expected)
    return {"precision": tp / (tp + fp) if tp + fp else 0.0, "recall": tp / (tp + fn),
            "queries_answered": answered / len(QUERIES)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="per-query hits and misses")
    parser.add_argument("--quick", action="store_true", help="accepted for `make bench`; the run is always quick")
    args = parser.parse_args(argv)
    rows = {"exact words (before)": score(old_search), "people's words (search_terms)": score(new_search)}
    if args.verbose:
        for q, expected in QUERIES.items():
            got = new_search(q)
            print(f"{q!r}: missed {sorted(expected - got)} extra {sorted(got - expected)}")
    if args.json:
        print(json.dumps({"queries": len(QUERIES), "photos": len(PHOTOS), **rows}, indent=2))
        return 0
    print(f"{len(QUERIES)} queries over {len(PHOTOS)} photos (micro-averaged)")
    print(f"{'search':32} {'precision':>9} {'recall':>7} {'answered':>9}")
    for name, r in rows.items():
        print(f"{name:32} {r['precision']:9.2f} {r['recall']:7.2f} {r['queries_answered']:9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
