"""Benchmark: ingest renditions of a 24 MP JPEG and a synthetic RAW (DNG), ours vs peers.

Tasks, each on the same bytes:
  thumbs  thumb_large (1024) + thumb_small (256), JPEG
  full    display (full resolution, q88) + thumb_large + thumb_small — what ingest really makes

Implementations:
  ours        fotoai.ingest.domain.pipeline.process_photo (decode incl. EXIF/ICC/orientation,
              renditions, perceptual hash), in-process, service defaults: an upright sRGB JPEG of
              quality ≤ 92 (the test file is q92) is reused as the display with metadata stripped
  ours-reenc  ours with the JPEG reuse off: the display is always decoded and re-encoded
  ours+box    ours through DecodeSandbox (one worker process): adds the pipe transfer
  pillow      plain Pillow: open → thumbnail → save (per rendition, cascading), display: open → save
  pyvips      pyvips.Image.thumbnail_buffer (and new_from_buffer → jpegsave for the display)
  rawpy+pil   RAW peer (libvips has no RAW loader here): rawpy.postprocess → Pillow thumbnail → save

Megapixels/s (source pixels ÷ median wall time) are measured interleaved in this one process;
peak RSS is measured by re-running each implementation once in its own subprocess.

    .venv/bin/python bench/ingest_renditions.py [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "services" / "ingest" / "tests" / "sample_images.py"


def _samples():
    spec = importlib.util.spec_from_file_location("fotoai_ingest_sample_images", SAMPLES)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_inputs(directory: Path, megapixels: float, raw_megapixels: float) -> dict[str, Path]:
    """A detailed, noisy upscaled real photo as JPEG q92, and the same scene as a DNG."""
    import cv2
    import numpy as np
    from PIL import Image

    samples = _samples()
    rng = np.random.default_rng(7)

    def scene(mp: float) -> np.ndarray:
        width = round((mp * 1e6 * 1.5) ** 0.5) // 16 * 16
        height = width * 2 // 3 // 16 * 16
        base = samples.photo("chelsea")
        up = cv2.resize(base, (width, height), interpolation=cv2.INTER_CUBIC).astype(np.int16)
        # Fine grain + sensor-like noise so the JPEG is as expensive to decode as a real 24 MP one.
        up += rng.normal(0, 7, up.shape).astype(np.int16)
        return np.clip(up, 0, 255).astype(np.uint8)

    paths = {}
    jpeg = scene(megapixels)
    paths["jpeg"] = directory / "photo.jpg"
    Image.fromarray(jpeg).save(
        paths["jpeg"], "JPEG", quality=92, exif=samples.exif_block(orientation=1)
    )
    del jpeg
    raw = scene(raw_megapixels)
    paths["dng"] = directory / "photo.dng"
    paths["dng"].write_bytes(samples.bayer_dng(raw))
    return paths


# --- implementations: each takes the file bytes and a task, returns the encoded outputs --------------


def _job(task: str, reuse: bool = True):
    from fotoai.ingest.domain.decode import DecodeLimits
    from fotoai.ingest.domain.pipeline import PhotoJob
    from fotoai.ingest.domain.renditions import Encoding, RenditionSpec

    specs = [
        RenditionSpec("thumb_large", 1024, Encoding.JPEG, 82),
        RenditionSpec("thumb_small", 256, Encoding.JPEG, 82),
    ]
    if task == "full":
        specs.insert(0, RenditionSpec("display", None, Encoding.JPEG, 88))
    # reuse_jpeg_max_quality=92 is the service default (IngestOptions.reuse_jpeg_max_quality).
    return PhotoJob(
        limits=DecodeLimits(max_pixels=200_000_000),
        renditions=tuple(specs),
        reuse_jpeg_max_quality=92 if reuse else None,
    )


def run_ours(data: bytes, task: str) -> list[bytes]:
    from fotoai.ingest.domain.pipeline import process_photo

    return [r.data for r in process_photo(data, _job(task)).renditions]


def run_ours_reencode(data: bytes, task: str) -> list[bytes]:
    from fotoai.ingest.domain.pipeline import process_photo

    return [r.data for r in process_photo(data, _job(task, reuse=False)).renditions]


def run_pillow(data: bytes, task: str) -> list[bytes]:
    from PIL import Image, ImageOps

    out = []
    im = Image.open(io.BytesIO(data))
    if task == "full":
        full = ImageOps.exif_transpose(im).convert("RGB")
        buffer = io.BytesIO()
        full.save(buffer, "JPEG", quality=88)
        out.append(buffer.getvalue())
        im = full
    for side in (1024, 256):
        im.thumbnail((side, side))
        buffer = io.BytesIO()
        im.convert("RGB").save(buffer, "JPEG", quality=82)
        out.append(buffer.getvalue())
    return out


def run_pyvips(data: bytes, task: str) -> list[bytes]:
    import pyvips

    out = []
    if task == "full":
        full = pyvips.Image.new_from_buffer(data, "", access="sequential").autorot()
        out.append(full.jpegsave_buffer(Q=88))
    large = pyvips.Image.thumbnail_buffer(data, 1024).copy_memory()  # reused for the 256
    out.append(large.jpegsave_buffer(Q=82))
    out.append(large.thumbnail_image(256).jpegsave_buffer(Q=82))
    return out


def run_rawpy_pillow(data: bytes, task: str) -> list[bytes]:
    import rawpy
    from PIL import Image

    with rawpy.imread(io.BytesIO(data)) as raw:
        rgb = raw.postprocess(use_camera_wb=True, output_bps=8)
    im = Image.fromarray(rgb)
    out = []
    if task == "full":
        buffer = io.BytesIO()
        im.save(buffer, "JPEG", quality=88)
        out.append(buffer.getvalue())
    for side in (1024, 256):
        im.thumbnail((side, side))
        buffer = io.BytesIO()
        im.save(buffer, "JPEG", quality=82)
        out.append(buffer.getvalue())
    return out


IMPLS = {
    "ours": run_ours,
    "ours-reenc": run_ours_reencode,
    "pillow": run_pillow,
    "pyvips": run_pyvips,
    "rawpy+pil": run_rawpy_pillow,
}
PEERS = {
    "jpeg": ["ours", "ours-reenc", "ours+box", "pillow", "pyvips"],
    "dng": ["ours", "ours+box", "rawpy+pil"],
}


class BoxRunner:
    """`ours` through the real decode sandbox, driven from a private event loop."""

    def __init__(self) -> None:
        from fotoai.ingest.sandbox import DecodeSandbox

        self.loop = asyncio.new_event_loop()
        self.box = DecodeSandbox(workers=1, timeout_s=600, memory_limit_bytes=None)
        self.loop.run_until_complete(self.box.start())
        self.worker_pid = self.loop.run_until_complete(self.box.run(os.getpid))

    def worker_cpu(self) -> float:
        """CPU seconds the worker process has used so far (user + system, from /proc)."""
        fields = Path(f"/proc/{self.worker_pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __call__(self, data: bytes, task: str) -> list[bytes]:
        from fotoai.ingest.domain.pipeline import process_photo

        result = self.loop.run_until_complete(self.box.run(process_photo, data, _job(task)))
        return [r.data for r in result.renditions]

    def close(self) -> None:
        self.loop.run_until_complete(self.box.aclose())
        self.loop.close()


def decoder_table(data: bytes, runs: int) -> list[tuple[str, float, float]]:
    """Shrink-on-load JPEG decoders at 1/4 scale (6000x4000 → 1500x1000), best of `runs`."""
    import cv2
    import numpy as np
    import pyvips
    from PIL import Image

    def pillow_draft() -> None:
        im = Image.open(io.BytesIO(data))
        im.draft("RGB", (im.width // 4, im.height // 4))
        im.load()

    def opencv_reduced() -> None:
        cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_REDUCED_COLOR_4)

    def vips_shrink() -> None:
        pyvips.Image.new_from_buffer(data, "", shrink=4).write_to_memory()

    def pillow_full() -> None:
        Image.open(io.BytesIO(data)).load()

    candidates = {
        "Pillow draft 1/4": pillow_draft,
        "OpenCV IMREAD_REDUCED_COLOR_4": opencv_reduced,
        "pyvips jpegload shrink=4": vips_shrink,
        "Pillow full decode (reference)": pillow_full,
    }
    best = {name: float("inf") for name in candidates}
    best_cpu = {name: float("inf") for name in candidates}
    for fn in candidates.values():
        fn()
    for _ in range(max(runs, 3)):
        for name, fn in candidates.items():
            c0, t0 = time.process_time(), time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
            best_cpu[name] = min(best_cpu[name], time.process_time() - c0)
    return [(name, best[name], best_cpu[name]) for name in candidates]


def megapixels_of(data: bytes) -> float:
    from fotoai.ingest.domain.decode import DecodeLimits, decode_photo

    if data[:2] == b"\xff\xd8":
        from PIL import Image

        width, height = Image.open(io.BytesIO(data)).size
    else:
        width, height = decode_photo(data, DecodeLimits(max_pixels=10**9)).source_size
    return width * height / 1e6


def measure_rss(impl: str, path: Path, task: str) -> float:
    """Peak RSS (MiB) of a fresh interpreter running `impl` once on `path`."""
    result = subprocess.run(
        [sys.executable, __file__, "--rss-child", impl, str(path), task],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])["peak_mib"]


def rss_child(impl: str, path: str, task: str) -> None:
    import pyvips

    pyvips.cache_set_max(0)
    data = Path(path).read_bytes()
    IMPLS[impl](data, task)
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across fork+exec from the (big) parent.
    status = Path("/proc/self/status").read_text()
    peak_kib = int(
        next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]
    )
    print(json.dumps({"peak_mib": peak_kib / 1024}))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller RAW, fewer runs: < 60 s")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument(
        "--rss-child", nargs=3, metavar=("IMPL", "PATH", "TASK"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.rss_child:
        rss_child(*args.rss_child)
        return

    runs = args.runs or (1 if args.quick else 5)
    import pyvips

    pyvips.cache_set_max(0)  # its operation cache would answer repeated identical calls for free
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        paths = make_inputs(
            Path(tmp), megapixels=12 if args.quick else 24, raw_megapixels=4 if args.quick else 24
        )
        print(
            f"inputs made in {time.perf_counter() - started:.1f} s; runs={runs}; cpus={os.cpu_count()}"
        )
        decoders = decoder_table(paths["jpeg"].read_bytes(), runs)
        box = BoxRunner()
        rows = []
        try:
            for kind, path in paths.items():
                data = path.read_bytes()
                mp = megapixels_of(data)
                tasks = ["thumbs", "full"] if kind == "jpeg" else ["full"]
                for task in tasks:
                    names = [n for n in PEERS[kind] if not (task == "thumbs" and n == "ours-reenc")]
                    impls = {name: (box if name == "ours+box" else IMPLS[name]) for name in names}
                    walls: dict[str, list[float]] = {name: [] for name in impls}
                    cpus: dict[str, list[float]] = {name: [] for name in impls}
                    for name, fn in impls.items():
                        fn(data, task)  # warm-up: imports, caches
                    for _ in range(runs):
                        for name, fn in impls.items():  # interleaved so load spikes hit everyone
                            boxed = name == "ours+box"
                            w0 = box.worker_cpu() if boxed else 0.0
                            c0, t0 = time.process_time(), time.perf_counter()
                            fn(data, task)
                            walls[name].append(time.perf_counter() - t0)
                            worker = box.worker_cpu() - w0 if boxed else 0.0
                            cpus[name].append(time.process_time() - c0 + worker)
                    for name in impls:
                        # Best-of-N: on a shared box the minimum is the least disturbed run.
                        wall = min(walls[name])
                        # For the sandbox: this process + its worker (clock-tick resolution).
                        cpu = min(cpus[name])
                        rss = None if name == "ours+box" else measure_rss(name, path, task)
                        rows.append(
                            (
                                kind,
                                f"{len(data) / 1e6:.1f} MB, {mp:.1f} MP",
                                task,
                                name,
                                wall,
                                cpu,
                                mp,
                                rss,
                            )
                        )
        finally:
            box.close()

    print()
    print(
        f"{'JPEG decoder (shrink-on-load 1/4)':34} {'wall ms':>8} {'CPU ms':>7} {'CPU vs Pillow draft':>20}"
    )
    draft_cpu = decoders[0][2]
    for name, seconds, cpu in decoders:
        print(f"{name:34} {seconds * 1000:8.1f} {cpu * 1000:7.1f} {cpu / draft_cpu:19.2f}x")
    print()
    header = (
        f"{'file':5} {'size':18} {'task':6} {'impl':10} {'wall s':>7} {'MP/s':>6} {'CPU s':>6} {'MP/CPU-s':>8}"
        f" {'peak RSS MiB':>12} {'ours÷impl wall':>14} {'ours÷impl CPU':>13}"
    )
    print(header)
    print("-" * len(header))
    for kind, size, task, name, wall, cpu, mp, rss in rows:
        ours = next(r for r in rows if r[:3] == (kind, size, task) and r[3] == "ours")
        cpu_text = f"{cpu:6.3f} {mp / cpu:8.1f}" if cpu else f"{'-':>6} {'-':>8}"
        rss_text = f"{rss:12.0f}" if rss is not None else f"{'(2 procs)':>12}"
        cpu_ratio = f"{cpu / ours[5]:12.2f}x" if cpu else f"{'-':>13}"
        print(
            f"{kind:5} {size:18} {task:6} {name:10} {wall:7.3f} {mp / wall:6.1f} {cpu_text} {rss_text}"
            f" {wall / ours[4]:13.2f}x {cpu_ratio}"
        )
    print(
        "\nours÷impl > 1: ours is faster. CPU s sums all threads (pyvips runs a pool) and, for"
        " ours+box, its worker process too. On a shared, loaded box trust the CPU columns."
    )


if __name__ == "__main__":
    main()
