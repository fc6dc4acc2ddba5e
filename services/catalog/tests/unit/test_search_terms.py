"""What search words mean in tag labels (domain/search_terms.py and its WordNet-derived table)."""

from __future__ import annotations

import re

from fotoai.catalog.domain.search_terms import base_forms, default_table, parse_query, word_pattern
from hypothesis import given
from hypothesis import strategies as st


def labels(q: str) -> list[set[str]]:
    return [set(t.labels) for t in parse_query(q)]


def test_plurals_and_word_endings_reduce_to_base_forms() -> None:
    assert "cat" in base_forms("cats")
    assert "puppy" in base_forms("puppies")
    assert "box" in base_forms("boxes")
    assert "wolf" in base_forms("wolves")
    assert "man" in base_forms("men")
    assert "sit" in base_forms("sitting")
    assert "smile" in base_forms("smiling")
    assert base_forms("glass")[0] == "glass" and "glas" not in base_forms("glass")


def test_categories_above_a_label_come_from_wordnet() -> None:
    (cat,) = labels("cat")
    assert {"tabby", "tiger cat", "persian cat", "siamese cat", "egyptian cat"} <= cat
    (animal,) = labels("animals")
    assert {"tabby", "golden retriever", "goldfish", "bald eagle"} <= animal
    assert "space shuttle" not in animal
    (person,) = labels("person")
    assert {"scuba diver", "groom", "ballplayer", "people", "portrait"} <= person
    # An ImageNet class is an animal before it is a person: "badger" is not a Wisconsinite.
    assert "badger" not in person and "badger" in animal
    (furniture,) = labels("sofa")
    assert "studio couch" in furniture


def test_synonyms_reach_the_taggers_words() -> None:
    for word in ("man", "woman", "face", "people", "human"):
        assert "people" in labels(word)[0], word
    assert "tabby" in labels("kitten")[0]
    assert "golden retriever" in labels("puppies")[0]


def test_a_sentence_keeps_its_subjects_and_known_phrases() -> None:
    terms = parse_query("a cat sitting on a sofa")
    assert [t.word for t in terms] == ["cat", "sitting", "sofa"]
    terms = parse_query("Photos of golden retrievers at the beach")
    assert [t.word for t in terms] == ["golden retrievers", "beach"]
    assert terms[0].labels == {"golden retriever"}
    assert parse_query("the of a") == []
    assert parse_query("") == []


def test_word_patterns_are_safe_regular_expressions() -> None:
    (term,) = parse_query("cats")
    assert word_pattern(term) == r"\m(cats|cat)\M"


@given(st.text(max_size=300))
def test_any_text_parses_to_bounded_safe_terms(q: str) -> None:
    terms = parse_query(q)
    assert len(terms) <= 8
    for term in terms:
        for form in term.forms:
            assert re.fullmatch(r"[^\W_]+( [^\W_]+)*", form), form


def test_the_table_covers_every_imagenet_label() -> None:
    table = default_table()
    assert len(table.labels_for) > 1000
    assert table.knows("tabby") and table.knows("animal") and table.knows("person")
