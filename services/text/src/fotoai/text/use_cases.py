"""`RecognizeText`: `photo.ingested.v1` → the display rendition → gate → OCR →
`photo.text-recognized.v1`.

The gate runs on a small grey copy; only photos with text-like lines pay for Tesseract. The
output depends only on the ingested event and the rendition's bytes, and its id is derived from
the ingested event's, so a redelivery republishes the same fact.
"""

from __future__ import annotations

import asyncio
import io
import time

import numpy as np
from fotoai.contracts import WORKING_COPIES, PhotoIngestedV1, follow
from fotoai.contracts.recognition import PhotoTextRecognizedV1
from fotoai.text.config import TextOptions
from fotoai.text.domain.gate import ocr_input, shrink
from fotoai.text.domain.words import lines_from_tsv
from fotoai.text.ports import ObjectStore, OcrEngine
from PIL import Image

MAX_RENDITION_BYTES = 64 * 1024 * 1024


#: What OCR reads, best first: ingest's working copies (about 2000 px, what `ocr_max_side` reads
#: anyway). Never `display`: it is full size (a 12 MP JPEG's decode cost more than the gate and
#: was shrunk to 2000 px right after) and may be the uploaded bytes.
SOURCE_RENDITIONS = WORKING_COPIES


class MissingRendition(ValueError):
    """The ingested event lists no rendition to read."""


def _grey(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        im.draft("L", (4096, 4096))  # JPEG shrink-on-load: no need for more than OCR reads
        return np.asarray(im.convert("L"))


def _pgm(grey: np.ndarray, side: int) -> bytes:
    """The picture as Tesseract reads it, uncompressed (binary PGM): PNG's compression of a
    2000-px photo cost a third of this service's CPU, and the bytes only cross a pipe."""
    out = io.BytesIO()
    Image.fromarray(shrink(grey, side)).save(out, format="PPM")
    return out.getvalue()


class RecognizeText:
    def __init__(self, store: ObjectStore, ocr: OcrEngine, options: TextOptions) -> None:
        self.store = store
        self.ocr = ocr
        self.options = options

    async def __call__(self, event: PhotoIngestedV1) -> PhotoTextRecognizedV1:
        t0 = time.perf_counter()
        by_name = {r.name: r for r in event.renditions}
        source = next((by_name[n] for n in SOURCE_RENDITIONS if n in by_name), None)
        if source is None:
            raise MissingRendition(f"photo {event.photo_id} has no {' or '.join(SOURCE_RENDITIONS)}")
        data = await self.store.get_bytes(source.bucket, source.key, max_bytes=MAX_RENDITION_BYTES)
        grey = await asyncio.to_thread(_grey, data)
        opts = self.options
        area = await asyncio.to_thread(ocr_input, grey, opts.gate_min_lines, opts.gate)
        gated = area is None
        text = ""
        if area is not None:
            image = await asyncio.to_thread(_pgm, area, opts.ocr_max_side)
            text = "\n".join(lines_from_tsv(await self.ocr.read_tsv(image), opts.min_confidence))
        return follow(
            event, PhotoTextRecognizedV1, qualifiers=(self.ocr.name,),
            text=text, gated=gated, engine=self.ocr.name, languages=opts.languages,
            duration_ms=(time.perf_counter() - t0) * 1000,
        )
