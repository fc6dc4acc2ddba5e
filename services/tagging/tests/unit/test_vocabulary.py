"""The shipped vocabulary, its parser and prompt ensembling."""

from __future__ import annotations

import numpy as np
import pytest
from fotoai.tagging.domain.vocabulary import (
    TEMPLATES,
    VocabularyEntry,
    ensemble,
    flatten_prompts,
    load_vocabulary,
    parse_vocabulary,
)


def test_the_shipped_vocabulary_has_a_few_hundred_labels_in_known_categories() -> None:
    entries = load_vocabulary()
    assert 300 <= len(entries) <= 1000
    assert {e.category for e in entries} <= set(TEMPLATES)
    assert {"scene", "object", "animal", "food", "event", "style"} <= {e.category for e in entries}
    labels = [e.label for e in entries]
    assert len(labels) == len(set(labels))
    assert {"beach", "dog", "pizza", "wedding", "sunset", "black and white"} <= set(labels)


def test_parser_skips_comments_and_rejects_duplicates(tmp_path) -> None:
    assert parse_vocabulary("# c\n\nbeach\tscene\nkite\n") == [
        VocabularyEntry("beach", "scene"),
        VocabularyEntry("kite", "object"),
    ]
    with pytest.raises(ValueError, match="duplicate"):
        parse_vocabulary("dog\tanimal\ndog\tanimal\n")
    with pytest.raises(ValueError, match="empty"):
        parse_vocabulary("# nothing\n")
    path = tmp_path / "v.tsv"
    path.write_text("lake\tscene\n")
    assert load_vocabulary(path) == [VocabularyEntry("lake", "scene")]


def test_prompts_use_the_category_templates() -> None:
    prompts = VocabularyEntry("pizza", "food").prompts()
    assert "a photo of pizza, a type of food." in prompts
    assert len(prompts) == len(TEMPLATES["food"])


def test_ensemble_averages_unit_prompt_vectors_per_label() -> None:
    entries = [VocabularyEntry("a", "scene"), VocabularyEntry("b", "food")]
    prompts, owners = flatten_prompts(entries)
    assert len(prompts) == len(TEMPLATES["scene"]) + len(TEMPLATES["food"])
    rng = np.random.default_rng(0)
    embeddings = rng.normal(size=(len(prompts), 8)) * rng.uniform(0.5, 5, size=(len(prompts), 1))
    labels = ensemble(embeddings, owners, 2)
    assert np.linalg.norm(labels, axis=1) == pytest.approx([1.0, 1.0])
    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    expected = unit[owners == 0].mean(axis=0)
    assert labels[0] == pytest.approx(expected / np.linalg.norm(expected), abs=1e-6)
