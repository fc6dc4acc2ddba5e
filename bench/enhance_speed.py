"""Speed of the enhance pipeline on a 12 MP photo on the CPU, against the Pillow baseline.

A real photograph (scikit-image's astronaut, 512 x 512) is tiled to 4000 x 3000, which keeps
its pixel-level sharpness and noise (an upscale would look blurred and be sharpened), and is
degraded so that each path of the planner runs: a good photo (analysis only), an underexposed one (tone curve),
a noisy one (denoise + tone) and a blurred one (sharpen). Each row gives milliseconds per image
(median of the repeats), the ratio to the baseline (Pillow ImageOps.autocontrast + equalize,
same image, same process), and the peak memory numpy allocated while enhancing (tracemalloc),
to show the strip processing keeps it near a few copies of the 8-bit image.

    .venv/bin/python bench/enhance_speed.py [--quick] [--torch]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="one repeat, two cases")
    parser.add_argument("--torch", action="store_true", help="also time the torch path on the CPU")
    args = parser.parse_args(argv)
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
