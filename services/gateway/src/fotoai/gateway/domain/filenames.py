"""Sanitising client-supplied file names before they reach events, headers and downloads."""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_BYTES = 200
_UNSAFE = re.compile(r'[<>:"|?*\\/\x00-\x1f\x7f;]')
_SPACES = re.compile(r"\s+")


def sanitize_file_name(raw: str | None) -> str | None:
    """A display-safe base name, or None when nothing usable is left.

    Drops directories (both separators), control and reserved characters, leading dots (no
    hidden files, no `..`), and bidi overrides; keeps Unicode letters; caps the length in
    UTF-8 bytes while keeping the extension.
    """
    if not raw:
        return None
    name = unicodedata.normalize("NFC", raw)
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co"))
    name = _UNSAFE.sub("_", name)
    name = _SPACES.sub(" ", name).strip().lstrip(".").strip()
    if not name or set(name) <= {"_", " ", "."}:
        return None
    if len(name.encode()) > MAX_NAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        if not dot or len(ext) > 16:
            stem, ext = name, ""
        budget = MAX_NAME_BYTES - len(ext.encode()) - (1 if ext else 0)
        stem = stem.encode()[:budget].decode(errors="ignore").rstrip()
        name = f"{stem}.{ext}" if ext else stem
    return name
