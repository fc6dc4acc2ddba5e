"""Face detection: tagging's BlazeFace detector beside OpenCV's Haar cascade (the detector it
replaced), on the same pictures in the same run.

Scenes are composed from the real faces that ship in packages (scikit-image's astronaut and
cameraman, matplotlib's Grace Hopper): each photograph is scaled so its face spans a given share
of the short side (4% to 30%), pasted at a random place on a real photograph without people
(coffee, the cat, the rocket, scikit-learn's china and flower), and lit darker or brighter, at
the 1024-pixel size tagging reads (`thumb_large`), landscape and portrait. A face counts as found
when a box's centre lies in the true face box and its width is within 0.4-2.5× of it. The same
background photographs alone, at both orientations, count false faces. CPU time is one core's
(`cv2.setNumThreads(1)`, as the tagging service runs on a CPU).

    .venv/bin/python bench/faces.py [--quick]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import cv2
import numpy as np
from fotoai.tagging.domain.quality import luminance
from fotoai.tagging.domain.scene import FaceBox
from fotoai.tagging.models.faces import BlazeFaceDetector
from matplotlib import cbook
from PIL import Image
from skimage import data as skdata
from sklearn.datasets import load_sample_image

SHARES = (0.04, 0.05, 0.06, 0.08, 0.10, 0.14, 0.20, 0.30)


def sources() -> list[tuple[str, np.ndarray, tuple[float, float, float, float]]]:
    """Photographs with one face each, and where the face is (x0, y0, x1, y1 as fractions)."""
    with cbook.get_sample_data("grace_hopper.jpg") as f:
        hopper = np.asarray(Image.open(f).convert("RGB"))
    return [
        ("astronaut", skdata.astronaut(), (0.34, 0.13, 0.55, 0.34)),
        ("cameraman", np.stack([skdata.camera()] * 3, axis=-1), (0.40, 0.24, 0.54, 0.38)),
        ("hopper", hopper, (0.31, 0.20, 0.72, 0.55)),
    ]


def backgrounds() -> list[np.ndarray]:
    return [skdata.coffee(), skdata.chelsea(), skdata.rocket(), load_sample_image("china.jpg"),
            load_sample_image("flower.jpg")]


Scene = tuple[float, np.ndarray, tuple[float, float, float, float]]


def scenes(per_share: int, seed: int = 0) -> list[Scene]:
    rng = np.random.default_rng(seed)
    faces, bgs, out = sources(), backgrounds(), []
    for share in SHARES:
        for i in range(per_share):
            width, height = (1024, 768) if i % 3 else (768, 1024)
            picture = cv2.resize(bgs[i % len(bgs)], (width, height), interpolation=cv2.INTER_AREA)
            _, face, (fx0, fy0, fx1, fy1) = faces[i % len(faces)]
            fh, fw = face.shape[:2]
            scale = share * min(width, height) / ((fx1 - fx0) * fw)
            sw, sh = max(1, int(fw * scale)), max(1, int(fh * scale))
            pasted = cv2.resize(face, (sw, sh), interpolation=cv2.INTER_AREA)[:height, :width]
            ph, pw = pasted.shape[:2]
            x, y = int(rng.integers(0, width - pw + 1)), int(rng.integers(0, height - ph + 1))
            picture[y : y + ph, x : x + pw] = pasted
            truth = ((x + fx0 * sw) / width, (y + fy0 * sh) / height, (x + fx1 * sw) / width, (y + fy1 * sh) / height)
            if truth[2] > 1 or truth[3] > 1:
                continue
            light = rng.uniform(0.6, 1.3)
            picture = np.clip(picture.astype(np.float32) * light, 0, 255).astype(np.uint8)
            out.append((share, picture, truth))
    return out


def found(truth: tuple[float, float, float, float], face: FaceBox) -> bool:
    cx, cy = face.x + face.w / 2, face.y + face.h / 2
    return truth[0] <= cx <= truth[2] and truth[1] <= cy <= truth[3] and 0.4 < face.w / (truth[2] - truth[0]) < 2.5


class HaarPeer:
    """The detector tagging used before: `haarcascade_frontalface_alt2` on a 640-pixel copy
    (scale 1.1, 5 neighbours, faces from 4% of the short side)."""

    def __init__(self) -> None:
        self.cascade = cv2.CascadeClassifier(str(cv2.data.haarcascades) + "haarcascade_frontalface_alt2.xml")

    def detect(self, rgb: np.ndarray) -> list[FaceBox]:
        h, w = rgb.shape[:2]
        s = 640 / max(w, h)
        small = cv2.resize(rgb, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
        grey = cv2.equalizeHist(np.clip(luminance(small) * 255 + 0.5, 0, 255).astype(np.uint8))
        side = max(20, int(min(small.shape[:2]) * 0.04))
        boxes = self.cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5, minSize=(side, side))
        sw, sh = small.shape[1], small.shape[0]
        return [FaceBox(bx / sw, by / sh, bw / sw, bh / sh, 1.0) for bx, by, bw, bh in boxes]


def measure(detect: Callable[[np.ndarray], list[FaceBox]], test: list[Scene], negatives: list[np.ndarray]) -> dict:
    hits = dict.fromkeys(SHARES, 0)
    start = time.process_time()
    for share, picture, truth in test:
        hits[share] += any(found(truth, f) for f in detect(picture))
    cpu_ms = 1000 * (time.process_time() - start) / len(test)
    false = sum(len(detect(p)) for p in negatives)
    return {"hits": hits, "found": sum(hits.values()), "cpu_ms": cpu_ms, "false": false}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 scenes per face size instead of 12")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    test = scenes(3 if args.quick else 12)
    negatives = [cv2.resize(b, size, interpolation=cv2.INTER_AREA) for b in backgrounds() for size in ((1024, 768), (768, 1024))]
    ours_detector = BlazeFaceDetector()
    ours_detector.load()
    ours = measure(ours_detector.detect, test, negatives)
    peer = measure(HaarPeer().detect, test, negatives)
    per_share = sum(1 for s, _, _ in test if s == SHARES[0])
    print(f"faces: {len(test)} scenes at 1024 px ({per_share} per face size), {len(negatives)} photos without people")
    print(f"  {'face / short side':20} " + " ".join(f"{s:>5.0%}" for s in SHARES) + f" {'found':>7} {'false':>6} {'CPU ms':>7}")
    for name, r in (("ours: BlazeFace", ours), ("peer: Haar (640 px)", peer)):
        counts = " ".join(f"{r['hits'][s]:>5}" for s in SHARES)
        print(f"  {name:20} {counts} {r['found']:>7} {r['false']:>6} {r['cpu_ms']:>7.1f}")
    print(f"  found ratio ours/peer: {ours['found'] / max(1, peer['found']):.2f}; "
          f"CPU ratio ours/peer: {ours['cpu_ms'] / peer['cpu_ms']:.2f}")


if __name__ == "__main__":
    main()
