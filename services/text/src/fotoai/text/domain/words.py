"""Tesseract's TSV output → the text worth keeping: confident words, grouped into lines.

On photographs Tesseract also "reads" texture as short runs of punctuation; a word is kept
when Tesseract is confident of it and it holds at least two letters or digits (or is a number:
"PLATFORM 9").
"""

from __future__ import annotations

import re

_ALNUM = re.compile(r"[^\W_]", re.UNICODE)


def keep_word(word: str, confidence: float, min_confidence: float) -> bool:
    alnum = _ALNUM.findall(word)
    return confidence >= min_confidence and (len(alnum) >= 2 or any(c.isdigit() for c in alnum))


def lines_from_tsv(tsv: str, min_confidence: float) -> list[str]:
    lines: dict[tuple[str, str, str, str], list[str]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        word = cols[11].strip()
        try:
            conf = float(cols[10])
        except ValueError:
            continue
        if keep_word(word, conf, min_confidence):
            lines.setdefault((cols[1], cols[2], cols[3], cols[4]), []).append(word)
    return [" ".join(words) for words in lines.values()]
