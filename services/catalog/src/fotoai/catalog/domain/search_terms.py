"""What a search text means in tag labels: plurals and word endings, synonyms, and categories
above a label ("tabby" is a cat is an animal, "scuba diver" a person).

Pure: the label → category table is data shipped with the package (search_terms.tsv, derived
from WordNet 3.1 by services/catalog/scripts/build_search_terms.py). A query becomes a list of
`QueryTerm`s; a photo matches a term when one of its tags contains one of the term's word forms
or is one of the term's labels, and photos are ranked by how many terms they match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

MAX_TERMS = 8
MAX_PHRASE = 4
_TOKEN = re.compile(r"[^\W_]+")

# Words that carry no subject in a photo search ("a photo of cats on the sofa").
STOP_WORDS = frozenset(
    ["a", "an", "the", "of", "on", "in", "at", "to", "with", "without", "and", "or", "for", "by", "from", "into", "onto", "over", "under", "near", "next", "my", "our", "your", "his", "her", "their", "its", "this", "that", "these", "those", "some", "any", "me", "us", "them", "it", "is", "are", "was", "were", "be", "being", "been", "has", "have", "having", "who", "what", "which", "where", "when", "show", "find", "me", "all", "photo", "photos", "picture", "pictures", "pic", "pics", "image", "images", "shot", "shots"]
)

# Everyday words → the words the tagger and WordNet use. Applied after base forms.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "person": ("people",),
    "people": ("person",),
    "human": ("person", "people"),
    "man": ("person", "people"),
    "woman": ("person", "people"),
    "guy": ("person", "people"),
    "girl": ("person", "people", "child"),
    "boy": ("person", "people", "child"),
    "kid": ("child", "people"),
    "child": ("people",),
    "face": ("people", "portrait"),
    "selfie": ("portrait", "people"),
    "crowd": ("group", "people"),
    "kitten": ("cat",),
    "kitty": ("cat",),
    "puppy": ("dog",),
    "pup": ("dog",),
    "doggy": ("dog",),
    "doggie": ("dog",),
    "pet": ("cat", "dog"),
    "automobile": ("car",),
    "auto": ("car",),
    "bike": ("bicycle",),
    "couch": ("sofa",),
    "settee": ("sofa",),
    "sea": ("seashore", "beach", "ocean"),
    "ocean": ("seashore", "beach", "sea"),
    "coast": ("seashore", "beach"),
    "shore": ("seashore", "beach"),
    "sundown": ("sunset",),
    "dusk": ("sunset",),
    "sunrise": ("dawn",),
    "mountain": ("alp", "mountain"),
    "mountains": ("alp",),
    "rocket": ("missile", "projectile", "space shuttle"),
    "spaceship": ("space shuttle", "spacecraft"),
    "astronaut": ("people", "space shuttle"),
    "beach": ("seashore", "sandbar"),
    "cafe": ("coffee", "restaurant"),
    "coffee": ("espresso", "cup"),
    "meal": ("food",),
    "dish": ("food",),
    "plant": ("flower", "pot"),
    "tree": ("forest",),
    "woods": ("forest",),
    "snowy": ("snow",),
    "sunny": ("sun",),
}

_IRREGULAR = {
    "men": "man", "women": "woman", "children": "child", "people": "person", "mice": "mouse",
    "geese": "goose", "feet": "foot", "teeth": "tooth", "oxen": "ox", "leaves": "leaf",
    "wolves": "wolf", "knives": "knife", "wives": "wife", "loaves": "loaf", "calves": "calf",
    "shelves": "shelf", "halves": "half", "lives": "life", "scarves": "scarf", "dice": "die",
    "cacti": "cactus", "fungi": "fungus",
}


@dataclass(frozen=True)
class QueryTerm:
    """One thing a search asks for."""

    word: str
    """The word or phrase as typed (lower case)."""
    forms: tuple[str, ...]
    """The word and its base forms: matched as whole words inside labels."""
    labels: frozenset[str]
    """Labels this word names, is a synonym of, or is a category above."""


class TermTable:
    """label → the words that name it or a category above it, and the inverse."""

    def __init__(self, rows: dict[str, frozenset[str]]) -> None:
        self.labels_for: dict[str, set[str]] = {}
        for label, terms in rows.items():
            self.labels_for.setdefault(label, set()).add(label)
            for term in terms:
                self.labels_for.setdefault(term, set()).add(label)

    @classmethod
    def parse(cls, text: str) -> TermTable:
        rows: dict[str, frozenset[str]] = {}
        for line in text.splitlines():
            if not line or line.startswith("#"):
                continue
            label, _, terms = line.partition("\t")
            rows[label] = frozenset(t for t in terms.split("|") if t)
        return cls(rows)

    def knows(self, term: str) -> bool:
        return term in self.labels_for

    def labels(self, term: str) -> set[str]:
        return self.labels_for.get(term, set())


@cache
def default_table() -> TermTable:
    text = resources.files("fotoai.catalog.domain").joinpath("search_terms.tsv").read_text("utf-8")
    return TermTable.parse(text)


def base_forms(word: str) -> tuple[str, ...]:
    """The word and what it may be a plural or -ing/-ed form of, most likely first."""
    forms = [word]

    def add(form: str) -> None:
        if len(form) >= 2 and form not in forms:
            forms.append(form)

    if word in _IRREGULAR:
        add(_IRREGULAR[word])
    if len(word) > 3 and word.endswith("ies"):
        add(word[:-3] + "y")
    if len(word) > 3 and word.endswith("ves"):
        add(word[:-3] + "f")
        add(word[:-3] + "fe")
    if len(word) > 3 and word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh", "o")):
        add(word[:-2])
    if len(word) > 2 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        add(word[:-1])
    for suffix in ("ing", "ed"):
        stem = word[: -len(suffix)]
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "aeiouls":
                add(stem[:-1])  # sitting → sit
            else:
                add(stem)  # walking → walk
                add(stem + "e")  # smiling → smile
    return tuple(forms)


def parse_query(q: str, table: TermTable | None = None) -> list[QueryTerm]:
    """The terms of a search text: stop words dropped, known phrases kept together
    ("space shuttle", "golden retrievers"), each term with its forms and labels."""
    table = table or default_table()
    words = [w for w in _TOKEN.findall(q.lower()) if w not in STOP_WORDS]
    terms: list[QueryTerm] = []
    i = 0
    while i < len(words) and len(terms) < MAX_TERMS:
        taken = 1
        for n in range(min(MAX_PHRASE, len(words) - i), 1, -1):
            head, last = " ".join(words[i: i + n - 1]), words[i + n - 1]
            phrase_forms = [f"{head} {f}" for f in base_forms(last)]
            if any(table.knows(p) for p in phrase_forms):
                terms.append(_term(" ".join(words[i: i + n]), tuple(phrase_forms), table))
                taken = n
                break
        else:
            terms.append(_term(words[i], base_forms(words[i]), table))
        i += taken
    return _unique(terms)


def _term(word: str, forms: tuple[str, ...], table: TermTable) -> QueryTerm:
    names = list(forms)
    for form in forms:
        names.extend(SYNONYMS.get(form, ()))
    labels: set[str] = set()
    for name in names:
        labels |= table.labels(name)
    return QueryTerm(word=word, forms=forms, labels=frozenset(labels))


def _unique(terms: list[QueryTerm]) -> list[QueryTerm]:
    seen: set[str] = set()
    out = []
    for term in terms:
        if term.word not in seen:
            seen.add(term.word)
            out.append(term)
    return out


def word_pattern(term: QueryTerm) -> str:
    """A PostgreSQL regular expression matching any of the term's forms as whole words.
    Forms are letters and digits only (see `_TOKEN`), so nothing needs escaping."""
    return r"\m(" + "|".join(term.forms) + r")\M"
