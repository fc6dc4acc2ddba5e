"""The zero-shot label vocabulary and prompt ensembling.

Each label has a category (scene, object, animal, food, people, event, activity, style); each
category has a few prompt templates. A label's text embedding is the mean of its prompts'
unit embeddings, re-normalised (prompt ensembling, as in the CLIP paper: it adds a few points of
zero-shot accuracy over a bare "a photo of a {}").
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from fotoai.tagging.domain.calibration import l2_normalise

TEMPLATES: dict[str, tuple[str, ...]] = {
    "scene": (
        "a photo of a {}.",
        "a photo taken at a {}.",
        "a landscape photo of a {}.",
        "a picture of the {}.",
    ),
    "object": (
        "a photo of a {}.",
        "a close-up photo of a {}.",
        "a photo of the {}.",
        "a picture with a {} in it.",
    ),
    "animal": (
        "a photo of a {}.",
        "a photo of a {}, a type of animal.",
        "a close-up photo of a {}.",
        "a blurry photo of a {}.",
    ),
    "food": (
        "a photo of {}, a type of food.",
        "a photo of {}.",
        "a close-up photo of {} on a table.",
    ),
    "people": (
        "a photo of a {}.",
        "a photo of {}.",
        "a candid photo of a {}.",
    ),
    "event": (
        "a photo of a {}.",
        "a photo taken at a {}.",
        "people at a {}.",
    ),
    "activity": (
        "a photo of someone {}.",
        "a photo of people {}.",
        "a photo of {}.",
    ),
    "style": (
        "a {} photo.",
        "a {} image.",
        "a photo in the style of {}.",
    ),
}
DEFAULT_TEMPLATES = ("a photo of a {}.", "a photo of the {}.", "a picture of a {}.")


@dataclass(frozen=True)
class VocabularyEntry:
    label: str
    category: str

    def prompts(self) -> tuple[str, ...]:
        return tuple(t.format(self.label) for t in TEMPLATES.get(self.category, DEFAULT_TEMPLATES))


def parse_vocabulary(text: str) -> list[VocabularyEntry]:
    """Entries from `label<TAB>category` lines; `#` comments and blank lines are skipped."""
    entries: list[VocabularyEntry] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        label, _, category = (part.strip() for part in line.partition("\t"))
        if not label:
            raise ValueError(f"vocabulary line {number}: empty label")
        if label in seen:
            raise ValueError(f"vocabulary line {number}: duplicate label {label!r}")
        seen.add(label)
        entries.append(VocabularyEntry(label=label, category=category or "object"))
    if not entries:
        raise ValueError("the vocabulary is empty")
    return entries


def load_vocabulary(path: Path | None = None) -> list[VocabularyEntry]:
    """The vocabulary at `path`, or the one shipped in `fotoai.tagging.data`."""
    if path is None:
        text = resources.files("fotoai.tagging.data").joinpath("vocabulary.tsv").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    return parse_vocabulary(text)


def flatten_prompts(entries: list[VocabularyEntry]) -> tuple[list[str], np.ndarray]:
    """All prompts in one list, and for each prompt the index of its entry."""
    prompts: list[str] = []
    owners: list[int] = []
    for index, entry in enumerate(entries):
        for prompt in entry.prompts():
            prompts.append(prompt)
            owners.append(index)
    return prompts, np.asarray(owners, dtype=np.int64)


def ensemble(prompt_embeddings: np.ndarray, owners: np.ndarray, n_labels: int) -> np.ndarray:
    """One unit vector per label: the re-normalised mean of its prompts' unit vectors."""
    unit = l2_normalise(np.asarray(prompt_embeddings, dtype=np.float32))
    sums = np.zeros((n_labels, unit.shape[1]), dtype=np.float32)
    np.add.at(sums, owners, unit)
    counts = np.bincount(owners, minlength=n_labels).astype(np.float32)
    if (counts == 0).any():
        raise ValueError("every label needs at least one prompt")
    return l2_normalise(sums / counts[:, None])
