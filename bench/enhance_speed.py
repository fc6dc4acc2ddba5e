"""Speed of the enhance pipeline on a 12 MP photo on the CPU, against the Pillow baseline.

A real photograph (scikit-image's astronaut, 512 x 512) is tiled to 4000 x 3000, which keeps
its pixel-level sharpness and noise (an upscale would look blurred and be sharpened), and is
degraded so that each path of the planner runs: a good photo (analysis only), an underexposed one (tone curve),
a noisy one (denoise + tone) and a blurred one (sharpen). Each row gives milliseconds per image
(median of the repeats), the ratio to the baseline (Pillow ImageOps.autocontrast + equalize,
same image, same process), and the peak memory numpy allocated while enhancing (tracemalloc),
to show the strip processing keeps it near a few copies of the 8-bit image.

    .venv/bin/python bench/enhance_speed.py [--quick] [--torch]

`--per-photo [--peer-src DIR]` measures instead what the enhance service spends per photo since it
starts from ingest's 1920 px `preview` (decode, analyse and apply, encode the enhanced JPEG and
its thumbnail), and then the tagging service on the same photos' `thumb_large` (see
bench/tagging_throughput.py): CPU-milliseconds per photo (all threads, `time.process_time`) by stage, on previews
made from real photographs the way `bench/library.py` makes its 12 MP photos. With `--peer-src`
(a checkout of another revision, e.g. `git worktree add /tmp/head HEAD`) the same measurement runs
on that revision's code in the same run, alternating child processes, and the table gives the
ratio; the load average is printed because absolute figures on a shared box mean little.

    .venv/bin/python bench/enhance_speed.py --per-photo --peer-src /tmp/head
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
from fotoai.enhance.domain.cpu_pipeline import CpuPipeline
from fotoai.enhance.domain.degradations import DEGRADATIONS
from fotoai.enhance.domain.enhancer import Enhancer
from PIL import Image, ImageOps
from skimage import data as skdata

SIZE = (4000, 3000)  # width, height: 12 MP


def photo_12mp() -> np.ndarray:
    w, h = SIZE
    tile = skdata.astronaut()
    reps = (-(-h // tile.shape[0]), -(-w // tile.shape[1]), 1)
    return np.ascontiguousarray(np.tile(tile, reps)[:h, :w])


def baseline(rgb: np.ndarray) -> np.ndarray:
    return np.asarray(ImageOps.equalize(ImageOps.autocontrast(Image.fromarray(rgb))))


def timed(fn, arg, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000.0


def peak_mib(fn, arg) -> float:
    tracemalloc.start()
    fn(arg)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


# --- per photo, from the preview, ours vs a peer revision -------------------------------------


def renditions(count: int) -> list[tuple[bytes, bytes]]:
    """(preview, thumb_large) JPEGs as ingest encodes them (1920 px q85, 1024 px q82) of `count`
    12 MP photos made by bench/library.py's photo maker (real photographs, sensor-like noise)."""
    sys.path.insert(0, str(Path(__file__).parent))
    import library

    out = []
    for i, picture in enumerate(library._sources()[:count]):
        image = Image.fromarray(library.full_size(picture, i))
        encoded = []
        for side, quality in ((1920, 85), (1024, 82)):
            image = image.copy()
            image.thumbnail((side, side), Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=quality)
            encoded.append(buffer.getvalue())
        out.append((encoded[0], encoded[1]))
    return out


class StageClock:
    """CPU seconds of this process (every thread) per named stage."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def __call__(self, name: str, fn: Callable, *args, **kwargs):
        started = time.process_time()
        result = fn(*args, **kwargs)
        self.seconds[name] = self.seconds.get(name, 0.0) + time.process_time() - started
        return result


def enhance_child(photos: list[tuple[bytes, bytes]], rounds: int) -> dict[str, float]:
    """CPU-ms per photo by stage of the enhance service's work on each preview."""
    from fotoai.enhance.adapters.backends import build_enhancer
    from fotoai.enhance.config import EnhanceOptions
    from fotoai.enhance.domain.codec import decode_rgb, encode_jpeg
    from fotoai.enhance.domain.thumbnail import shrink, thumbnail_size

    options = EnhanceOptions(device="cpu")
    enhancer = build_enhancer(options)

    def one(clock: StageClock, preview: bytes, like: tuple[int, int]) -> None:
        rgb = clock("decode", decode_rgb, preview, options.max_pixels)
        result = clock("enhance", enhancer.enhance, rgb)
        clock("encode", encode_jpeg, result.image, options.jpeg_quality)
        size = thumbnail_size((rgb.shape[1], rgb.shape[0]), like)
        small = clock("thumbnail", shrink, result.image, size)
        clock("encode", encode_jpeg, small, options.thumb_quality, optimize=True)

    likes = [Image.open(io.BytesIO(thumb)).size for _, thumb in photos]
    one(StageClock(), photos[0][0], likes[0])  # warm: lazy imports, first calls
    clock = StageClock()
    for _ in range(rounds):
        for (preview, _), like in zip(photos, likes, strict=True):
            one(clock, preview, like)
    n = rounds * len(photos)
    return {k: v * 1000 / n for k, v in clock.seconds.items()}


def run_children(
    kind: str, photos: list[tuple[bytes, bytes]], rounds: int, peer_src: Path | None, repeats: int
) -> dict[str, list[dict[str, float]]]:
    """Run `kind`'s child measurement on our code and on the peer's, alternately, `repeats` times
    each, in fresh processes (torch and OpenCV thread settings are per process)."""
    with tempfile.NamedTemporaryFile(suffix=".pkl", delete=False) as handle:
        pickle.dump(photos, handle)
    sides = {"ours": os.environ.get("PYTHONPATH", "")}
    if peer_src is not None:
        src = [str(peer_src / "services" / s / "src") for s in ("enhance", "tagging")]
        sides["peer"] = os.pathsep.join(src + [sides["ours"]] if sides["ours"] else src)
    results: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
    try:
        for _ in range(repeats):
            for name, pythonpath in sides.items():
                env = dict(os.environ, PYTHONPATH=pythonpath)
                done = subprocess.run(
                    [sys.executable, __file__, "--child", kind, handle.name, str(rounds)],
                    env=env, capture_output=True, text=True, check=True,
                )
                results[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        os.unlink(handle.name)
    return results


def print_per_photo(kind: str, results: dict[str, list[dict[str, float]]]) -> None:
    """Best (lowest total) run of each side, by stage, and the ratio peer / ours."""
    best = {name: min(runs, key=lambda r: sum(r.values())) for name, runs in results.items()}
    stages = list(best["ours"]) + [s for s in best.get("peer", {}) if s not in best["ours"]]
    print(f"\n# {kind}: CPU-ms per photo (all threads), best of {len(results['ours'])} run(s) "
          f"each; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("| stage | ours | peer | peer / ours |")
    print("|---|---|---|---|")
    for stage in [*stages, "total"]:
        values = {n: (sum(b.values()) if stage == "total" else b.get(stage, 0.0)) for n, b in best.items()}
        peer = values.get("peer")
        ratio = f"{peer / values['ours']:.2f}" if peer is not None and values["ours"] > 0 else "—"
        print(f"| {stage} | {values['ours']:.1f} | {'—' if peer is None else f'{peer:.1f}'} | {ratio} |")


def child_main(kind: str, path: str, rounds: int) -> int:
    with open(path, "rb") as handle:
        photos = pickle.load(handle)
    if kind == "enhance":
        figures = enhance_child(photos, rounds)
    else:
        sys.path.insert(0, str(Path(__file__).parent))
        from tagging_throughput import tagging_child

        figures = tagging_child(photos, rounds)
    print(json.dumps(figures))
    return 0


def per_photo_main(kinds: list[str], args: argparse.Namespace) -> int:
    photos = renditions(args.photos)
    for kind in kinds:
        print_per_photo(kind, run_children(kind, photos, args.rounds, args.peer_src, args.repeats))
    return 0


def per_photo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--per-photo", action="store_true", help="CPU-ms per photo from previews")
    parser.add_argument("--peer-src", type=Path, default=None, help="checkout of the peer revision")
    parser.add_argument("--photos", type=int, default=8, help="distinct photos (at most 8)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the photos per run")
    parser.add_argument("--repeats", type=int, default=2, help="runs per side, best kept")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child_main(argv[1], argv[2], int(argv[3]))
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="one repeat, two cases")
    parser.add_argument("--torch", action="store_true", help="also time the torch path on the CPU")
    per_photo_arguments(parser)
    args = parser.parse_args(argv)
    if args.per_photo:
        return per_photo_main(["enhance", "tagging"], args)
    repeats = 1 if args.quick else 3
    cases = {
        "good photo": "none",
        "underexposed": "under_exposed_-1.5EV",
        "noisy": "noise_sigma15",
        "blurred": "blur_sigma1.5",
    }
    if args.quick:
        cases = {k: cases[k] for k in ("good photo", "noisy")}
    base = photo_12mp()
    enhancers = {"ours (numpy/OpenCV)": Enhancer(CpuPipeline())}
    if args.torch:
        from fotoai.enhance.domain.torch_pipeline import TorchPipeline

        enhancers["ours (torch, cpu)"] = Enhancer(TorchPipeline(device="cpu", batch_size=1))
    print(
        f"# 12 MP ({SIZE[0]}x{SIZE[1]}), {repeats} repeat(s), median ms per image; "
        f"8-bit image = {base.nbytes / 2**20:.0f} MiB"
    )
    print("| case | path | operations | ms / image | ratio vs baseline | peak MiB (tracemalloc) |")
    print("|---|---|---|---|---|---|")
    for label, deg in cases.items():
        img = DEGRADATIONS[deg](base)
        b_ms = timed(baseline, img, repeats)
        print(f"| {label} | baseline (Pillow autocontrast+equalize) | — | {b_ms:.0f} | 1.00 | — |")
        for name, enhancer in enhancers.items():
            ops = ", ".join(n for n, _ in enhancer.plan(img)[0].operations()) or "none"
            ms = timed(enhancer.enhance, img, repeats)
            mib = (
                peak_mib(enhancer.enhance, img) if name.startswith("ours (numpy") else float("nan")
            )
            print(f"| {label} | {name} | {ops} | {ms:.0f} | {ms / b_ms:.2f} | {mib:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
