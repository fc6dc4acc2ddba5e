"""Quality of people, places and text in photos, each beside a simple peer, offline.

- Faces: a labelled set made from the faces shipped in packages (scikit-image's astronaut,
  matplotlib's Grace Hopper, scikit-image's cameraman) in variants (scales, tilts, lighting,
  blur, JPEG, crops, mirror). Faces are found by tagging's BlazeFace detector as in the pipeline;
  persons by the people service's incremental clustering of dlib's 128-d descriptors
  (threshold 0.6). Peer: the same detector and clustering on raw pixels (a normalised 32x32
  grey chip, no embedding), at its best threshold of a sweep (generous to the peer). Pairwise
  precision / recall / F1 over the detected faces.
- Text: signs of known words rendered and "photographed" (perspective, noise, blur, low
  contrast, rotation); character accuracy (1 - normalised edit distance, case-insensitive) of
  the text service (gate + Tesseract on the area around the lines it saw + confident words) beside
  raw Tesseract on the raw image without the gate; the gate's cost and how many photos without
  text it spares Tesseract.
- Places: known landmarks; agreement of the city and the country with what people call them,
  for the ingest's rule (the biggest city tier near enough) beside the nearest populated
  place (reverse_geocode's default).

    .venv/bin/python bench/people_places_text.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import itertools
import subprocess
import time

import numpy as np
import reverse_geocode
from fotoai.ingest.domain.places import locate
from fotoai.people.adapters.dlib_faces import DlibFaceEmbedder
from fotoai.people.domain.clustering import nearest_person
from fotoai.tagging.models.faces import BlazeFaceDetector
from fotoai.text.adapters.tesseract import TesseractOcr
from fotoai.text.domain.gate import looks_like_text, ocr_input
from fotoai.text.domain.words import lines_from_tsv
from matplotlib import cbook
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from skimage import data as skdata

# ------------------------------------------------------------------ faces


def identities() -> dict[str, Image.Image]:
    with cbook.get_sample_data("grace_hopper.jpg") as f:
        hopper = Image.open(f).convert("RGB")
    return {
        "collins": Image.fromarray(skdata.astronaut()),
        "hopper": hopper,
        "cameraman": Image.fromarray(skdata.camera()).convert("RGB"),
    }


def variants(img: Image.Image, quick: bool) -> list[Image.Image]:
    w, h = img.size

    def jpeg(im: Image.Image, q: int) -> Image.Image:
        out = io.BytesIO()
        im.save(out, "JPEG", quality=q)
        return Image.open(io.BytesIO(out.getvalue())).convert("RGB")

    def scale(im: Image.Image, f: float) -> Image.Image:
        return im.resize((round(w * f), round(h * f)), Image.Resampling.LANCZOS)

    def light(im: Image.Image, f: float) -> Image.Image:
        return Image.fromarray(np.clip(np.asarray(im).astype(np.float32) * f, 0, 255).astype(np.uint8))

    out = [img, scale(img, 0.6), img.rotate(6, fillcolor=(30, 30, 30)), light(img, 0.6), light(img, 1.3),
           img.filter(ImageFilter.GaussianBlur(1.5)), jpeg(img, 25), img.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
           img.crop((w // 10, 0, w, h * 9 // 10)), img.rotate(-8, fillcolor=(200, 200, 200))]
    return out[:5] if quick else out


def pairwise(labels: list[str], clusters: list[int]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for (la, ca), (lb, cb) in itertools.combinations(zip(labels, clusters, strict=True), 2):
        same, together = la == lb, ca == cb
        tp += same and together
        fp += (not same) and together
        fn += same and not together
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def incremental(vectors: list[np.ndarray], threshold: float) -> list[int]:
    """The people service's rule: join the person of the nearest known face under the threshold."""
    members: list[np.ndarray] = []
    owners: list[str] = []
    out = []
    for v in vectors:
        m = nearest_person(v, np.asarray(members) if members else np.zeros((0, len(v))), owners, threshold)
        person = m.person_id or str(len(set(owners)))
        members.append(v)
        owners.append(person)
        out.append(int(person))
    return out


def chip(rgb: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    left, top, right, bottom = box
    g = np.asarray(Image.fromarray(rgb[top:bottom, left:right]).convert("L").resize((32, 32)), dtype=np.float32)
    g = (g - g.mean()) / (g.std() + 1e-6)
    return g.ravel() / np.sqrt(g.size)


def bench_faces(quick: bool) -> None:
    detector = BlazeFaceDetector()
    embedder = DlibFaceEmbedder()
    labels, dlib_vecs, pixel_vecs, seen = [], [], [], 0
    t_embed = 0.0
    for name, img in identities().items():
        for v in variants(img, quick):
            seen += 1
            rgb = np.asarray(v)
            faces = detector.detect(rgb)
            if not faces:
                continue
            h, w = rgb.shape[:2]
            f = max(faces, key=lambda f: f.score)
            x, y, bw, bh = f.x, f.y, f.w, f.h
            box = (round(x * w), round(y * h), round((x + bw) * w), round((y + bh) * h))
            t0 = time.perf_counter()
            [vec] = embedder.embed(rgb, [box])
            t_embed += time.perf_counter() - t0
            labels.append(name)
            dlib_vecs.append(vec)
            pixel_vecs.append(chip(rgb, box))
    ours = pairwise(labels, incremental(dlib_vecs, 0.6))
    best = max((pairwise(labels, incremental(pixel_vecs, t)) + (t,) for t in np.arange(0.2, 1.6, 0.1)),
               key=lambda r: r[2])
    print(f"\nfaces: {len(labels)} detected of {seen} images, {len(set(labels))} people; "
          f"dlib descriptor {1000 * t_embed / max(1, len(labels)):.0f} ms/face")
    print(f"  {'':34} {'precision':>9} {'recall':>7} {'F1':>6}")
    print(f"  {'dlib ResNet + incremental (0.6)':34} {ours[0]:9.2f} {ours[1]:7.2f} {ours[2]:6.2f}")
    print(f"  {f'peer: raw pixels (best t={best[3]:.1f})':34} {best[0]:9.2f} {best[1]:7.2f} {best[2]:6.2f}")
    print(f"  F1 ratio ours/peer: {ours[2] / best[2]:.2f}" if best[2] else "  peer F1 is 0")


# ------------------------------------------------------------------ text

SIGNS = [("WELCOME TO", "LISBON CAFE"), ("FRESH BREAD", "OPEN DAILY"), ("NO PARKING",), ("PLATFORM 9",),
         ("EXIT", "SORTIE"), ("PHARMACY",), ("HOTEL CENTRAL",), ("BUS STOP 42",)]


def render(lines: tuple[str, ...]) -> Image.Image:
    img = Image.new("RGB", (1200, 140 + 140 * len(lines)), (240, 236, 220))
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=88)
    for i, line in enumerate(lines):
        draw.text((60, 70 + i * 140), line, fill=(30, 30, 80), font=font)
    return img


def photographed(img: Image.Image, kind: str, rng: np.random.Generator) -> Image.Image:
    w, h = img.size
    if kind == "clean":
        return img
    if kind == "perspective":
        d = 0.08
        coeffs = _perspective([(0, 0), (w, 0), (w, h), (0, h)],
                              [(w * d, h * d), (w * (1 - d / 2), 0), (w, h), (0, h * (1 - d))])
        return img.transform((w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC,
                             fillcolor=(90, 90, 90))
    if kind == "noise":
        a = np.asarray(img).astype(np.float32) + rng.normal(0, 25, (h, w, 3))
        return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    if kind == "blur":
        return img.filter(ImageFilter.GaussianBlur(2.0))
    if kind == "low-contrast":
        a = np.asarray(img).astype(np.float32) * 0.35 + 110
        return Image.fromarray(a.astype(np.uint8))
    if kind == "rotated":
        return img.rotate(4, expand=True, fillcolor=(90, 90, 90))
    if kind == "in-a-photo":
        scene = Image.fromarray(skdata.coffee()).resize((1600, 1066))
        scene.paste(img.resize((800, round(800 * h / w))), (400, 300))
        return scene
    raise ValueError(kind)


def _perspective(src, dst):
    m = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        m.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        m.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    b = np.array(src, dtype=np.float64).reshape(8)
    return np.linalg.solve(np.array(m, dtype=np.float64), b).tolist()


def char_accuracy(truth: str, got: str) -> float:
    a, b = " ".join(truth.upper().split()), " ".join(got.upper().split())
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return max(0.0, 1 - prev[-1] / max(1, len(a)))


def png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.convert("L").save(out, "PNG")
    return out.getvalue()


def raw_tesseract(img: Image.Image) -> str:
    out = subprocess.run(["tesseract", "stdin", "stdout", "-l", "eng", "--psm", "3"], input=png(img),
                         capture_output=True, check=True)
    return out.stdout.decode(errors="replace")


def bench_text(quick: bool) -> None:
    ocr = TesseractOcr("eng", 60, 1)
    rng = np.random.default_rng(7)
    kinds = ["clean", "perspective", "noise", "blur", "low-contrast", "rotated", "in-a-photo"]
    signs = SIGNS[:3] if quick else SIGNS
    print(f"\ntext ({ocr.name}): character accuracy over {len(signs)} signs per condition")
    print(f"  {'condition':14} {'ours (gate+OCR)':>16} {'raw tesseract':>14} {'gate passed':>12}")
    for kind in kinds:
        ours, peer, passed = [], [], 0
        for lines in signs:
            img = photographed(render(lines), kind, rng)
            grey = np.asarray(img.convert("L"))
            area = ocr_input(grey)  # the service's gate, and the area around the lines it saw
            passed += area is not None
            text = "\n".join(lines_from_tsv(asyncio.run(ocr.read_tsv(png(Image.fromarray(area)))), 55.0)) \
                if area is not None else ""
            truth = " ".join(lines)
            ours.append(char_accuracy(truth, text))
            peer.append(char_accuracy(truth, raw_tesseract(img)))
        print(f"  {kind:14} {np.mean(ours):16.2f} {np.mean(peer):14.2f} {passed:>8}/{len(signs)}")
    photos = [skdata.astronaut(), skdata.chelsea(), skdata.coffee(), skdata.rocket(), skdata.camera(),
              np.asarray(Image.fromarray(skdata.astronaut()).resize((1600, 1600)))]
    t_gate = t_ocr = 0.0
    skipped = 0
    for p in photos:
        grey = np.asarray(Image.fromarray(p).convert("L"))
        t0 = time.perf_counter()
        skipped += not looks_like_text(grey)
        t_gate += time.perf_counter() - t0
        t0 = time.perf_counter()
        raw_tesseract(Image.fromarray(p))
        t_ocr += time.perf_counter() - t0
    print(f"  photos without text: the gate spares Tesseract on {skipped}/{len(photos)}; "
          f"gate {1000 * t_gate / len(photos):.0f} ms vs Tesseract {1000 * t_ocr / len(photos):.0f} ms per photo "
          f"(cost ratio {t_gate / t_ocr:.3f})")


# ------------------------------------------------------------------ places

LANDMARKS = [
    ("Eiffel Tower", 48.8584, 2.2945, "Paris", "FR"), ("Belém Tower", 38.6916, -9.2160, "Lisbon", "PT"),
    ("Colosseum", 41.8902, 12.4922, "Rome", "IT"), ("Sagrada Família", 41.4036, 2.1744, "Barcelona", "ES"),
    ("Brandenburg Gate", 52.5163, 13.3777, "Berlin", "DE"), ("Big Ben", 51.5007, -0.1246, "London", "GB"),
    ("Statue of Liberty", 40.6892, -74.0445, "New York City", "US"),
    ("Golden Gate Bridge", 37.8199, -122.4783, "San Francisco", "US"),
    ("Sydney Opera House", -33.8568, 151.2153, "Sydney", "AU"), ("Tokyo Tower", 35.6586, 139.7454, "Tokyo", "JP"),
    ("Christ the Redeemer", -22.9519, -43.2105, "Rio de Janeiro", "BR"),
    ("Burj Khalifa", 25.1972, 55.2744, "Dubai", "AE"), ("Acropolis", 37.9715, 23.7257, "Athens", "GR"),
    ("Rijksmuseum", 52.3600, 4.8852, "Amsterdam", "NL"), ("Charles Bridge", 50.0865, 14.4114, "Prague", "CZ"),
    ("CN Tower", 43.6426, -79.3871, "Toronto", "CA"), ("Marina Bay Sands", 1.2834, 103.8607, "Singapore", "SG"),
    ("Hagia Sophia", 41.0086, 28.9802, "Istanbul", "TR"), ("Table Mountain", -33.9628, 18.4098, "Cape Town", "ZA"),
    ("Space Needle", 47.6205, -122.3493, "Seattle", "US"), ("Schönbrunn", 48.1845, 16.3122, "Vienna", "AT"),
    ("Zermatt (Matterhorn)", 46.0207, 7.7491, "Zermatt", "CH"),
]


def bench_places() -> None:
    ours_city = ours_country = peer_city = peer_country = 0
    misses = []
    for name, lat, lon, city, cc in LANDMARKS:
        p = locate(lat, lon)
        n = reverse_geocode.get((lat, lon))
        ours_city += bool(p and p.city == city)
        ours_country += bool(p and p.country_code == cc)
        peer_city += n["city"] == city
        peer_country += n["country_code"] == cc
        if not (p and p.city == city):
            misses.append(f"{name}: {p.city if p else None}")
    n = len(LANDMARKS)
    print(f"\nplaces: {n} landmarks (city as people call it / country)")
    print(f"  {'ours: biggest city tier near enough':36} city {ours_city}/{n}  country {ours_country}/{n}")
    print(f"  {'peer: nearest populated place':36} city {peer_city}/{n}  country {peer_country}/{n}")
    print(f"  city agreement ratio ours/peer: {ours_city / max(1, peer_city):.2f}; ours missed: {misses}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    bench_places()
    bench_text(args.quick)
    bench_faces(args.quick)


if __name__ == "__main__":
    main()
