"""What the enhanced gallery thumbnail (`enhanced_thumb`) costs per photo, on a 12 MP photo.

scikit-image's coffee (600 x 400) is upscaled to 4000 x 3000, as is and darkened by 1.5 EV (the
"dark coffee photo" of issue 19). Ingest's own rendition code makes `preview`, `thumb_large` and
`thumb_small` from it with ingest's default options; enhance then runs as `EnhancePhoto` does:
decode the preview, enhance, encode the `enhanced` JPEG, and shrink the pixels in hand to
`thumb_large`'s size and encode them (the part this rendition adds). Each row: bytes of the
original's thumbnails and of the enhanced ones, milliseconds of the whole enhance step and of
the thumbnail alone (median of the repeats), and the thumbnail's share of the step.

    .venv/bin/python bench/enhance_thumbnail.py [--repeats N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
from fotoai.enhance.adapters.backends import build_enhancer
from fotoai.enhance.config import EnhanceOptions
from fotoai.enhance.domain.codec import decode_rgb, encode_jpeg
from fotoai.enhance.domain.degradations import DEGRADATIONS
from fotoai.enhance.domain.thumbnail import shrink, thumbnail_size
from fotoai.ingest.config import IngestOptions
from fotoai.ingest.domain.renditions import make_renditions
from fotoai.ingest.use_cases import PREVIEW, THUMB_LARGE, THUMB_SMALL, job_from_options
from PIL import Image
from skimage import data as skdata

SIZE = (4000, 3000)  # width, height: 12 MP


def coffee_12mp() -> np.ndarray:
    return np.asarray(Image.fromarray(skdata.coffee()).resize(SIZE, Image.Resampling.LANCZOS))


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000.0


def row(name: str, rgb: np.ndarray, repeats: int) -> dict[str, object]:
    specs = [s for s in job_from_options(IngestOptions()).renditions if s.name in (PREVIEW, THUMB_LARGE, THUMB_SMALL)]
    encoded, _ = make_renditions(Image.fromarray(rgb), specs)
    by_name = {r.name: r for r in encoded}
    options = EnhanceOptions(device="cpu")
    enhancer = build_enhancer(options)
    like = (by_name[THUMB_LARGE].width, by_name[THUMB_LARGE].height)

    def step() -> np.ndarray:
        result = enhancer.enhance(decode_rgb(by_name[PREVIEW].data, options.max_pixels))
        encode_jpeg(result.image, options.jpeg_quality)
        return result.image

    enhanced = step()
    size = thumbnail_size((enhanced.shape[1], enhanced.shape[0]), like)

    def thumbnail() -> bytes:
        return encode_jpeg(shrink(enhanced, size), options.thumb_quality, optimize=True)

    step_ms = median_ms(step, repeats)
    thumb_ms = median_ms(thumbnail, max(repeats, 5))
    return {
        "photo": name,
        "thumb_small_bytes": len(by_name[THUMB_SMALL].data),
        "thumb_large_bytes": len(by_name[THUMB_LARGE].data),
        "thumb_large_size": f"{like[0]}x{like[1]}",
        "enhanced_bytes": len(encode_jpeg(enhanced, options.jpeg_quality)),
        "enhanced_thumb_bytes": len(thumbnail()),
        "enhanced_thumb_size": f"{size[0]}x{size[1]}",
        "enhance_step_ms": round(step_ms, 1),
        "enhanced_thumb_ms": round(thumb_ms, 1),
        "share": f"{thumb_ms / (step_ms + thumb_ms):.1%}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    coffee = coffee_12mp()
    rows = [row("coffee 12 MP", coffee, args.repeats),
            row("coffee 12 MP, -1.5 EV", DEGRADATIONS["under_exposed_-1.5EV"](coffee), args.repeats)]
    keys = list(rows[0])
    print(" | ".join(keys))
    for r in rows:
        print(" | ".join(str(r[k]) for k in keys))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
