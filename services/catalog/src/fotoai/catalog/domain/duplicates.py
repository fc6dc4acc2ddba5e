"""Duplicate rules: exact (same owner and sha256) and near (perceptual hashes within a Hamming
distance). A photo is a duplicate of the *earliest* matching photo of its owner, so the answer
depends only on the set of live photos, never on the order their events arrived in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: Largest Hamming distance between two 64-bit perceptual hashes that still counts as the same
#: picture (re-encodes, resizes, mild edits).
NEAR_DUPLICATE_BITS = 6


def phash_to_int(phash: str | None) -> int | None:
    """The 64-bit hash as a signed bigint (PostgreSQL has no unsigned 64-bit type)."""
    if not phash:
        return None
    value = int(phash, 16) & 0xFFFFFFFFFFFFFFFF
    return value - (1 << 64) if value >= (1 << 63) else value


def hamming(a: int, b: int) -> int:
    return ((a ^ b) & 0xFFFFFFFFFFFFFFFF).bit_count()


@dataclass(frozen=True)
class Candidate:
    id: str
    created_at: datetime
    sha256: str | None
    phash: int | None


def matches(a: Candidate, b: Candidate) -> bool:
    if a.sha256 and a.sha256 == b.sha256:
        return True
    return a.phash is not None and b.phash is not None and hamming(a.phash, b.phash) <= NEAR_DUPLICATE_BITS


def duplicate_of(photo: Candidate, others: list[Candidate]) -> str | None:
    """The reference rule the SQL implementation is tested against."""
    earlier = [
        o for o in others
        if o.id != photo.id and (o.created_at, o.id) < (photo.created_at, photo.id) and matches(o, photo)
    ]
    return min(earlier, key=lambda o: (o.created_at, o.id)).id if earlier else None
