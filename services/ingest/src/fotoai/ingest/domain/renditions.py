"""Renditions: the display picture and the thumbnails, encoded to bytes.

Sizes cascade: each rendition is shrunk from the next larger one, never from the original, so the
cost of a thumbnail does not grow with the camera's resolution once the display exists. Resizing
is Pillow's box `reduce` by an integer factor followed by the spec's filter over the last ≥1.5x:
Lanczos for pictures people look at full-screen, Pillow's antialiased bilinear (a triangle filter
as wide as the scale) for thumbnails, 2.3x cheaper and 47.7 dB PSNR against a Lanczos thumbnail
of the full-resolution photo (bench/ingest_renditions.py).

A spec may keep a picture a little larger than its `max_side` (`keep_up_to`): a 12 MP JPEG decoded
at half size by DCT scaling is 2000 or 2016 px wide, and resampling it to exactly 1920 cost more
than decoding it (measured ~140 ms of Lanczos vs ~60 ms of decode).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum

from PIL import Image

_REDUCING_GAP = 1.5
#: Thumbnails: Pillow's antialiased bilinear, 2.3x cheaper than Lanczos at 47.7 dB (above).
THUMBNAIL_FILTER = Image.Resampling.BILINEAR


class Encoding(StrEnum):
    JPEG = "jpeg"
    WEBP = "webp"

    @property
    def mime(self) -> str:
        return f"image/{self.value}"

    @property
    def extension(self) -> str:
        return "jpg" if self is Encoding.JPEG else "webp"


@dataclass(frozen=True, slots=True)
class RenditionSpec:
    name: str
    max_side: int | None  # None: full resolution
    encoding: Encoding = Encoding.JPEG
    quality: int = 85
    # A picture whose longest side is at most this is kept as it is (no resample); None: max_side.
    keep_up_to: int | None = None
    # Lanczos for what is looked at full-screen; the cheaper antialiased bilinear for thumbnails.
    resample: Image.Resampling = Image.Resampling.LANCZOS
    # Huffman optimisation: ~5% smaller files for twice the encode time. Worth it for thumbnails,
    # sent to browsers again and again; not for the preview, a working copy the later stages read
    # once each (its encode was a quarter of ingest's CPU with it).
    optimize: bool = False

    def size_for(self, size: tuple[int, int]) -> tuple[int, int]:
        """The size this rendition takes from a picture of `size`."""
        if self.keep_up_to is not None and max(size) <= self.keep_up_to:
            return size
        return fit_within(size, self.max_side)


@dataclass(frozen=True, slots=True)
class EncodedRendition:
    name: str
    data: bytes
    width: int
    height: int
    encoding: Encoding


def fit_within(size: tuple[int, int], max_side: int | None) -> tuple[int, int]:
    """`size` scaled down (never up) so its longest side is at most `max_side`, aspect kept."""
    width, height = size
    if max_side is None or max(width, height) <= max_side:
        return size
    scale = max_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def make_renditions(
    image: Image.Image, specs: list[RenditionSpec]
) -> tuple[list[EncodedRendition], Image.Image]:
    """Encode every spec from `image` (RGB), largest first.

    Returns the renditions in the order of `specs`, and the smallest picture before encoding
    (for hashing: it must not depend on encoder settings).
    """
    ordered = sorted(specs, key=lambda s: -(s.max_side or 1 << 30))
    current = image
    encoded: dict[str, EncodedRendition] = {}
    for spec in ordered:
        size = spec.size_for(image.size)
        if size != current.size:
            current = current.resize(size, spec.resample, reducing_gap=_REDUCING_GAP)
        encoded[spec.name] = EncodedRendition(
            name=spec.name,
            data=encode(current, spec.encoding, spec.quality, optimize=spec.optimize),
            width=current.width,
            height=current.height,
            encoding=spec.encoding,
        )
    return [encoded[s.name] for s in specs], current


def encode(image: Image.Image, encoding: Encoding, quality: int, *, optimize: bool = False) -> bytes:
    buffer = io.BytesIO()
    if encoding is Encoding.JPEG:
        image.save(buffer, "JPEG", quality=quality, optimize=optimize)
    else:
        image.save(buffer, "WEBP", quality=quality, method=4)
    return buffer.getvalue()
