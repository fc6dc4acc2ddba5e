"""Throughput of the torch pipeline on CUDA against the CPU paths, in images per second.

Run on a machine with a GPU (falls back to CPU-only rows without one). Photos are real
(scikit-image astronaut and coffee, scikit-learn china) tiled to the benchmark size and degraded
so every stage runs somewhere in the batch (denoise, tone, white balance, sharpening). Plans are
made once on the CPU; the rows time (a) applying the plans, batched, and (b) the whole
`Enhancer.enhance_batch` (analysis + plan + apply + after-measures), which is what a consumer
runs. The CUDA rows include host<->device copies and are synchronised.

    .venv/bin/python bench/enhance_gpu.py [--quick] [--size 4000x3000] [--batch 8]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
from fotoai.enhance.domain.cpu_pipeline import CpuPipeline
from fotoai.enhance.domain.degradations import DEGRADATIONS
from fotoai.enhance.domain.enhancer import Enhancer
from skimage import data as skdata
from sklearn.datasets import load_sample_image

MIX = ["noise_sigma15", "under_exposed_-1.5EV", "cast_cool", "blur_sigma1.5"]


def tiled(photo: np.ndarray, w: int, h: int) -> np.ndarray:
    reps = (-(-h // photo.shape[0]), -(-w // photo.shape[1]), 1)
    return np.ascontiguousarray(np.tile(photo, reps)[:h, :w])


def workload(w: int, h: int, n: int) -> list[np.ndarray]:
    sources = [skdata.astronaut(), skdata.coffee(), load_sample_image("china.jpg")]
    return [
        DEGRADATIONS[MIX[i % len(MIX)]](tiled(sources[i % len(sources)], w, h)) for i in range(n)
    ]


def rate(fn, n_images: int, repeats: int, sync=lambda: None) -> float:
    fn()  # warm-up: kernels, allocator, caches
    sync()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return n_images / statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="0.5 MP images, batch of 2, one repeat"
    )
    parser.add_argument("--size", default="4000x3000")
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args(argv)
    w, h = (800, 600) if args.quick else tuple(int(v) for v in args.size.split("x"))
    n = 2 if args.quick else args.batch
    repeats = 1 if args.quick else 3
    import torch
    from fotoai.enhance.domain.torch_pipeline import TorchPipeline

    images = workload(w, h, n)
    cpu = Enhancer(CpuPipeline())
    plans = [cpu.plan(im)[0] for im in images]
    rows: list[tuple[str, float, float]] = []

    def add(name: str, pipeline, sync=lambda: None) -> None:
        apply = rate(lambda: pipeline.apply_batch(images, plans), n, repeats, sync)
        whole = rate(lambda: Enhancer(pipeline).enhance_batch(images), n, repeats, sync)
        rows.append((name, apply, whole))

    add("numpy/OpenCV, cpu", CpuPipeline())
    add("torch, cpu", TorchPipeline(device="cpu", batch_size=n))
    if torch.cuda.is_available():
        add(
            f"torch, cuda ({torch.cuda.get_device_name(0)})",
            TorchPipeline(device="cuda", batch_size=n),
            torch.cuda.synchronize,
        )
    else:
        print("# no CUDA device visible: CPU rows only")
    print(
        f"# {n} images of {w}x{h} ({w * h / 1e6:.1f} MP), median of {repeats}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} CPU threads"
    )
    print(
        "| path | apply: images/s | apply: ratio vs numpy/OpenCV | end-to-end: images/s | end-to-end: ratio |"
    )
    print("|---|---|---|---|---|")
    base_apply, base_whole = rows[0][1], rows[0][2]
    for name, apply, whole in rows:
        print(
            f"| {name} | {apply:.2f} | {apply / base_apply:.2f} | {whole:.2f} | {whole / base_whole:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
