"""Faces → persons, per owner, with dlib's 128-d face descriptors (Euclidean distance).

Incremental: a new face joins the person with the nearest member face when that distance is
under the threshold, else it starts a new person. Nearest-member (single linkage) is what
dlib's own clustering uses, and it lets a person gather faces at different ages and angles.

`recluster` regroups all of an owner's faces from scratch (connected components of the
"closer than the threshold" graph, as dlib's chinese_whispers would on a complete graph), and
`carry_names` maps the new groups onto the old persons so names the user gave survive:
each new group takes the id of the old person most of its faces came from, named persons first.
What the user vouched for (a named person, a person others were merged into) is never split.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Match:
    person_id: str | None
    distance: float


def nearest_person(face: np.ndarray, members: np.ndarray, owners: list[str], threshold: float) -> Match:
    """`members` holds one known face per row, `owners[i]` the person of row i."""
    if len(owners) == 0:
        return Match(None, float("inf"))
    distances = np.linalg.norm(members - face[None, :], axis=1)
    i = int(np.argmin(distances))
    d = float(distances[i])
    return Match(owners[i] if d < threshold else None, d)


def recluster(faces: np.ndarray, threshold: float, keep: list[str | None] | None = None) -> list[int]:
    """A group number per face: faces closer than `threshold`, transitively, share a group.

    `keep[i]`, when given, labels faces the user has vouched for (a person they named or merged
    into): faces with the same label stay together whatever their distances. Groups are
    numbered in the order of their first face, so the same input gives the same output.
    """
    n = len(faces)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, label in enumerate(keep or []):
        if label is not None:
            a, b = root(first.setdefault(label, i)), root(i)
            if a != b:
                parent[max(a, b)] = min(a, b)
    for i in range(n):
        d = np.linalg.norm(faces[i + 1:] - faces[i][None, :], axis=1)
        for j in np.nonzero(d < threshold)[0]:
            a, b = root(i), root(i + 1 + int(j))
            if a != b:
                parent[max(a, b)] = min(a, b)
    roots: dict[int, int] = {}
    return [roots.setdefault(root(i), len(roots)) for i in range(n)]


def carry_names(groups: list[int], previous: list[str | None], named: set[str]) -> dict[int, str | None]:
    """For each new group, the old person id it keeps (None: a new person).

    Named persons choose first, then by how many of their faces a group holds; an old id is
    given to one group only.
    """
    votes: dict[int, Counter[str]] = {}
    for g, old in zip(groups, previous, strict=True):
        if old is not None:
            votes.setdefault(g, Counter())[old] += 1
    candidates = sorted(
        ((old not in named, -count, g, old) for g, c in votes.items() for old, count in c.items()),
    )
    taken: set[str] = set()
    result: dict[int, str | None] = {g: None for g in set(groups)}
    for _, _, g, old in candidates:
        if result[g] is None and old not in taken:
            result[g] = old
            taken.add(old)
    return result
