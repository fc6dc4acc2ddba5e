"""Perceptual hash for near-duplicate detection: 64-bit DCT hash (pHash), as 16 hex digits.

Uses `imagehash.phash`, the de-facto reference implementation, so hashes compare with other tools.
Two photos are near duplicates when the Hamming distance of their hashes is small (≤ 6-8 of 64).
"""

from __future__ import annotations

import imagehash
from PIL import Image


def perceptual_hash(image: Image.Image) -> str:
    return str(imagehash.phash(image, hash_size=8))


def hamming_distance(a: str, b: str) -> int:
    """Number of differing bits between two hex hashes of equal length."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
