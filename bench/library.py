"""The library benchmark: a phone-sync-sized import of full-size photos through the real stack,
against a plain one-process script doing the same work in the same run.

    .venv/bin/python bench/library.py --photos 200 --concurrency 16      # needs `make up`
    .venv/bin/python bench/library.py --latency 5                         # one photo at a time
    .venv/bin/python bench/library.py --jpeg-only                         # the 12 MP JPEG target
    .venv/bin/python bench/library.py --replicas 2 --photos 24 --jpeg-only   # scaling out

Photos are made from real photographs shipped in wheels (scikit-image, scikit-learn, matplotlib),
upscaled to 12 MP (4000×3000) with sensor-like noise so a JPEG weighs 2-5 MB; a share is HEIC,
PNG and DNG (a Bayer RAW LibRaw demosaics). Every upload has distinct bytes (a JPEG comment or
trailing padding), so nothing is deduplicated away.

Ours, from the first upload to the last settled photo: photos/hour, upload-to-ready p50/p95, per
stage the CPU-seconds per photo (every process of the stage, decode workers included, from
/proc) and the mean time a photo's event waited in Kafka (mean consumer-group lag over the run
divided by the throughput: Little's law). The peer: one process, sequentially, Pillow decode +
preview and thumbnails + the same enhance and tagging calls. Both run in the same minutes on the
same machine, so the ratio means something even on a loaded box.

`--replicas N` restarts the stack (a running one is stopped) first with one process per service,
then with N processes of ingest, enhance and tagging in their consumer groups
(FOTOAI_STACK_REPLICAS), uploads the same photos to each, and prints per group which partitions
each member owns, how many times each photo's stage event is on its topic (more than once: the
photo was processed twice) and photos/hour for 1 vs N.

Without a running stack it says in one line how to start one and exits 0 (`make bench` stays
green on a fresh clone); `--start-stack` starts one itself (and stops it after).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "services" / "ingest" / "tests"))

import httpx
import numpy as np
from PIL import Image

SIZE = (4000, 3000)
SETTLED = {"ready", "rejected", "degraded"}
STAGES = ("gateway", "ingest", "enhance", "tagging", "catalog", "people", "text")
INFRA = ("kafka", "s3proxy", "postgres", "redis")
GROUPS = {s: s for s in STAGES if s != "gateway"}


# --- the photos ----------------------------------------------------------------------------------


def _sources() -> list[np.ndarray]:
    from matplotlib import cbook
    from skimage import data
    from sklearn.datasets import load_sample_image

    pictures = [data.astronaut(), data.coffee(), data.chelsea(), data.rocket(),
                np.stack([data.camera()] * 3, axis=-1)]
    pictures += [load_sample_image("china.jpg"), load_sample_image("flower.jpg")]
    with cbook.get_sample_data("grace_hopper.jpg") as handle:
        pictures.append(np.asarray(Image.open(handle).convert("RGB")))
    return pictures


def full_size(rgb: np.ndarray, seed: int) -> np.ndarray:
    """A 4000×3000 photo: 4:3 crop, upscaled, with luminance and chroma noise like a phone's."""
    h, w = rgb.shape[:2]
    if w / h > 4 / 3:
        cw = int(h * 4 / 3)
        rgb = rgb[:, (w - cw) // 2:(w - cw) // 2 + cw]
    else:
        ch = int(w * 3 / 4)
        rgb = rgb[(h - ch) // 2:(h - ch) // 2 + ch]
    big = np.asarray(Image.fromarray(np.ascontiguousarray(rgb)).resize(SIZE, Image.BICUBIC), np.float32)
    rng = np.random.default_rng(seed)
    big += rng.normal(0, 4.0, big.shape[:2] + (1,)).astype(np.float32)
    big += rng.normal(0, 2.0, big.shape).astype(np.float32)
    return np.clip(big, 0, 255).astype(np.uint8)


@dataclass
class Sample:
    kind: str  # jpeg | heic | png | dng
    data: bytes


def base_files(kinds: set[str]) -> dict[str, list[bytes]]:
    """One full-size file per source picture and kind (the slow encoders only once)."""
    import sample_images  # ingest's test helpers: EXIF block and a LibRaw-readable DNG

    pictures = [full_size(p, i) for i, p in enumerate(_sources())]
    out: dict[str, list[bytes]] = {k: [] for k in kinds}
    exif = sample_images.exif_block()
    for i, rgb in enumerate(pictures):
        buf = io.BytesIO()
        Image.fromarray(rgb).save(buf, "JPEG", quality=92, exif=exif)
        out["jpeg"].append(buf.getvalue())
        if i == 0:
            if "png" in kinds:
                buf = io.BytesIO()
                Image.fromarray(rgb).save(buf, "PNG", compress_level=1)
                out["png"].append(buf.getvalue())
            if "heic" in kinds:
                import pillow_heif

                heif = pillow_heif.from_bytes(mode="RGB", size=SIZE, data=rgb.tobytes())
                buf = io.BytesIO()
                heif.save(buf, quality=80, enc_params={"preset": "ultrafast"})
                out["heic"].append(buf.getvalue())
            if "dng" in kinds:
                preview = np.asarray(Image.fromarray(rgb).resize((1000, 750)))
                out["dng"].append(sample_images.bayer_dng(rgb, preview=preview))
    return out


def variant(kind: str, data: bytes, i: int) -> bytes:
    """Distinct bytes, same pixels: a JPEG comment, or padding the other formats ignore."""
    tag = f"fotoai-bench {i} {time.time_ns()}".encode()
    if kind == "jpeg":
        com = b"\xff\xfe" + (len(tag) + 2).to_bytes(2, "big") + tag
        return data[:2] + com + data[2:]
    if kind == "heic":  # an ISOBMFF `free` box at the end
        return data + (len(tag) + 8).to_bytes(4, "big") + b"free" + tag
    return data + tag  # PNG after IEND, TIFF/DNG after the last IFD's data


def make_library(n: int, shares: dict[str, float]) -> list[Sample]:
    kinds = {"jpeg"} | {k for k, s in shares.items() if s > 0}
    bases = base_files(kinds)
    plan: list[str] = []
    for kind, share in shares.items():
        plan += [kind] * round(n * share)
    plan += ["jpeg"] * (n - len(plan))
    plan = plan[:n]
    # interleave the kinds as a real camera roll would
    order = sorted(range(n), key=lambda i: (i * 7919) % n)
    return [Sample(plan[j], variant(plan[j], bases[plan[j]][j % len(bases[plan[j]])], j)) for j in order]


# --- measuring the stack -------------------------------------------------------------------------


def stage_pgids(home: Path) -> dict[str, list[int]]:
    """The process groups of each stage (a replica `ingest-2` counts for `ingest`)."""
    path = home / "children.json"
    if not path.exists():
        return {}
    out: dict[str, list[int]] = {}
    for name, pid in json.loads(path.read_text() or "{}").items():
        stage = name.split("-")[0]
        if stage in STAGES + INFRA and pid:
            out.setdefault(stage, []).append(int(pid))
    return out


def cpu_seconds(pgids: dict[str, list[int]]) -> dict[str, float]:
    """CPU time (user + system, children reaped included) of every process in each group."""
    tick = os.sysconf("SC_CLK_TCK")
    by_group: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        pgid = int(fields[2])
        utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
        by_group[pgid] = by_group.get(pgid, 0.0) + (utime + stime + cutime + cstime) / tick
    return {stage: sum(by_group.get(g, 0.0) for g in groups) for stage, groups in pgids.items()}


def kafka_admin_options(env: dict[str, str]) -> dict[str, object] | None:
    """aiokafka options of a principal allowed to read group offsets (admin), or None."""
    try:
        from fotoai.servicekit.settings import kafka_options_from_env
    except ImportError:
        return {}
    options = dict(env)
    if env.get("FOTOAI_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT") != "PLAINTEXT":
        secrets = Path(env.get("FOTOAI_HOME", "")) / "secrets.env"
        if not secrets.exists():
            from fotoai.servicekit.testing import stack_env_path

            secrets = stack_env_path().with_name("secrets.env")
        pairs = dict(line.split("=", 1) for line in secrets.read_text().splitlines() if "=" in line) \
            if secrets.exists() else {}
        if "FOTOAI_KAFKA_PASSWORD_ADMIN" not in pairs:
            return None
        options |= {"FOTOAI_KAFKA_USERNAME": "admin", "FOTOAI_KAFKA_PASSWORD": pairs["FOTOAI_KAFKA_PASSWORD_ADMIN"]}
    return kafka_options_from_env(options)


class LagSampler:
    """Samples each consumer group's total lag (messages) once a second."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.samples: dict[str, list[int]] = {g: [] for g in GROUPS.values()}
        self.available = True
        self.missed: list[str] = []

    async def run(self, stop: asyncio.Event) -> None:
        from aiokafka import AIOKafkaConsumer
        from aiokafka.admin import AIOKafkaAdminClient

        options = kafka_admin_options(self.env)
        if options is None:
            self.available = False
            return
        bootstrap = self.env["FOTOAI_KAFKA_BOOTSTRAP"]
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **options)
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, **options)
        try:
            await admin.start()
            await consumer.start()
            while not stop.is_set():
                for group in self.samples:
                    try:
                        committed = await admin.list_consumer_group_offsets(group)
                        ends = await consumer.end_offsets(list(committed)) if committed else {}
                        lag = sum(max(0, ends[tp] - meta.offset) for tp, meta in committed.items()
                                  if tp.topic.startswith("photo."))
                        self.samples[group].append(lag)
                    except Exception as exc:  # noqa: BLE001 - a missed sample, not a failed run
                        self.missed.append(repr(exc))
                await asyncio.sleep(1.0)
        except Exception as exc:  # noqa: BLE001
            print(f"  (Kafka lag not measured: {exc!r})", flush=True)
            self.available = False
        finally:
            await consumer.stop()
            await admin.close()

    def mean(self, group: str) -> float | None:
        values = self.samples.get(group) or []
        return statistics.fmean(values) if values and self.available else None


@dataclass
class StackRun:
    accepted: dict[str, float] = field(default_factory=dict)
    settled: dict[str, tuple[str, float]] = field(default_factory=dict)
    refused: int = 0
    wall_s: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    lag: dict[str, float | None] = field(default_factory=dict)
    #: Wall-clock (epoch) times per photo: request sent, upload answered, seen settled.
    wall: dict[str, dict[str, float]] = field(default_factory=dict)
    #: This process's CPU over the run: the uploading, polling "phones" share the box's cores.
    client_cpu: float = 0.0


async def run_stack(env: dict[str, str], library: list[Sample], concurrency: int, timeout: float,
                    per_user: int = 100) -> StackRun:
    from fotoai.servicekit.testing import mint_token

    home = Path(env.get("FOTOAI_HOME") or os.environ.get("FOTOAI_HOME", ROOT / ".fotoai"))
    pgids = stage_pgids(home)
    run_id = int(time.time())
    n = len(library)
    users = [f"library-{run_id}-{u}" for u in range(max(1, -(-n // per_user)))]
    tokens = {u: mint_token(env, u, ttl=7200) for u in users}
    result = StackRun()
    owner: dict[str, str] = {}
    sem = asyncio.Semaphore(concurrency)
    mime = {"jpeg": "image/jpeg", "png": "image/png", "heic": "image/heic", "dng": "image/x-adobe-dng"}
    lag = LagSampler(env)
    stop = asyncio.Event()
    lag_task = asyncio.create_task(lag.run(stop))
    cpu_before = cpu_seconds(pgids)
    client_cpu0 = time.process_time()
    t0 = time.monotonic()
    async with httpx.AsyncClient(base_url=env["FOTOAI_GATEWAY_URL"], timeout=120) as client:
        async def upload(i: int, sample: Sample) -> None:
            user = users[i // per_user]
            # A phone client's retry: the same Idempotency-Key, so a retried upload whose first
            # attempt did land is answered with the same photo, never stored twice.
            headers = {"Authorization": f"Bearer {tokens[user]}", "Content-Type": mime[sample.kind],
                       "Idempotency-Key": f"{run_id}-{i}"}
            async with sem:
                sent = time.time()
                for _ in range(60):
                    try:
                        r = await client.post("/v1/photos", content=sample.data, headers=headers)
                    except httpx.TransportError as exc:  # e.g. a keep-alive connection closed
                        print(f"  upload {i}: {exc!r}, retrying", flush=True)
                        await asyncio.sleep(1)
                        continue
                    if r.status_code in (409, 429, 503):
                        await asyncio.sleep(float(r.headers.get("retry-after", "1")))
                        continue
                    break
                if r.status_code in (200, 201, 202):
                    pid = r.json()["id"]
                    result.accepted[pid] = time.monotonic()
                    result.wall[pid] = {"sent": sent, "answered": time.time()}
                    owner[pid] = user
                else:
                    result.refused += 1
                    print(f"  upload refused: {r.status_code} {r.text[:200]}", flush=True)

        async def watch() -> None:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                pending_users = {owner[p] for p in result.accepted if p not in result.settled}
                for user in pending_users:
                    cursor = None
                    while True:
                        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
                        try:
                            r = await client.get("/v1/photos", params=params,
                                                 headers={"Authorization": f"Bearer {tokens[user]}"})
                            page = r.json()
                        except httpx.TransportError:
                            break  # looked at again on the next round
                        now = time.monotonic()
                        for item in page.get("items", []):
                            pid = item["id"]
                            if pid in result.accepted and pid not in result.settled \
                                    and item["status"] in SETTLED:
                                result.settled[pid] = (item["status"], now - result.accepted[pid])
                                result.wall[pid]["seen"] = time.time()
                        cursor = page.get("next_cursor")
                        if not cursor:
                            break
                if uploads_done.is_set() and len(result.settled) >= len(result.accepted):
                    return
                await asyncio.sleep(0.1 if n == 1 else 0.5)

        uploads_done = asyncio.Event()
        watcher = asyncio.create_task(watch())
        await asyncio.gather(*(upload(i, s) for i, s in enumerate(library)))
        uploads_done.set()
        await watcher
    last = max((result.accepted[p] + lat for p, (_, lat) in result.settled.items()), default=t0)
    result.wall_s = max(1e-6, last - t0)
    cpu_after = cpu_seconds(pgids)
    result.client_cpu = time.process_time() - client_cpu0
    result.cpu = {s: cpu_after.get(s, 0.0) - cpu_before.get(s, 0.0) for s in pgids}
    stop.set()
    await lag_task
    result.lag = {stage: lag.mean(group) for stage, group in GROUPS.items()}
    return result


# --- scaling out: replicas in one consumer group ----------------------------------------------

SCALED = ("ingest", "enhance", "tagging")
PHOTO_TOPIC_PARTITIONS = 12  # fotoai.contracts.topics (the bench reads the topics, not the code)
#: The event each scaled stage publishes once per photo (ingest publishes one or the other).
STAGE_TOPICS = {"ingest": ("photo.ingested.v1", "photo.rejected.v1"), "enhance": ("photo.enhanced.v1",),
                "tagging": ("photo.tagged.v1",)}


def group_members(env: dict[str, str], groups: tuple[str, ...]) -> dict[str, dict[str, list[int]]]:
    """Per consumer group, each member's partitions of the `photo.*` topics, from the group
    coordinator (DescribeGroups through kafka-python's admin client: aiokafka 0.14 cannot decode
    Kafka 4's answer). A process runs one member per worker of its subscriber (tagging 4,
    enhance 2), so a group's members are its processes times that; a group still rebalancing
    comes back empty."""
    from kafka.admin import KafkaAdminClient

    options = kafka_admin_options(env) or {}
    admin = KafkaAdminClient(bootstrap_servers=env["FOTOAI_KAFKA_BOOTSTRAP"], client_id="fotoai-bench",
                             **{k: v for k, v in options.items() if k.startswith(("security", "sasl"))})
    out: dict[str, dict[str, list[int]]] = {}
    try:
        for group, described in admin.describe_groups(list(groups)).items():
            if described.get("group_state") != "Stable":
                out[group] = {}
                continue
            out[group] = {
                m["member_id"]: sorted(p for a in m["member_assignment"]["assigned_partitions"]
                                       if a["topic"].startswith("photo.") for p in a["partitions"])
                for m in described["members"]
            }
    finally:
        admin.close()
    return out


def wait_for_members(env: dict[str, str], expected: dict[str, int] | None,
                     timeout: float = 240) -> dict[str, dict[str, list[int]]]:
    """Until each scaled group is stable with `expected` members (or, without an expectation,
    the same members twice in a row), so the run measures a settled group, not a rebalance."""
    deadline = time.monotonic() + timeout
    last: dict[str, dict[str, list[int]]] = {}
    while True:
        members = group_members(env, SCALED)
        if expected is not None:
            settled = all(len(members.get(g, {})) == n for g, n in expected.items())
        else:
            settled = all(members.get(g) for g in SCALED) and members == last
        if settled or time.monotonic() > deadline:
            return members
        last = members
        time.sleep(3)


async def stage_event_counts(env: dict[str, str], since: dict[str, dict[int, int]],
                             photos: set[str]) -> dict[str, dict[str, int]]:
    """How many events each scaled stage published per photo of this run: every message on its
    topics from the offsets `since` to the end, counted by key (the photo id)."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    options = kafka_admin_options(env) or {}
    consumer = AIOKafkaConsumer(bootstrap_servers=env["FOTOAI_KAFKA_BOOTSTRAP"], enable_auto_commit=False,
                                **options)
    counts: dict[str, dict[str, int]] = {stage: dict.fromkeys(photos, 0) for stage in STAGE_TOPICS}
    await consumer.start()
    try:
        for stage, topics in STAGE_TOPICS.items():
            for topic in topics:
                tps = [TopicPartition(topic, p) for p in range(PHOTO_TOPIC_PARTITIONS)]
                consumer.assign(tps)
                ends = await consumer.end_offsets(tps)
                for tp in tps:
                    consumer.seek(tp, since.get(topic, {}).get(tp.partition, 0))
                remaining = {tp for tp in tps if ends[tp] > since.get(topic, {}).get(tp.partition, 0)}
                while remaining:
                    batch = await consumer.getmany(*remaining, timeout_ms=2000)
                    for tp, records in batch.items():
                        for record in records:
                            key = (record.key or b"").decode()
                            if key in counts[stage]:
                                counts[stage][key] += 1
                        if await consumer.position(tp) >= ends[tp]:
                            remaining.discard(tp)
                    if not batch:
                        break
    finally:
        await consumer.stop()
    return counts


async def end_offsets(env: dict[str, str]) -> dict[str, dict[int, int]]:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    options = kafka_admin_options(env) or {}
    consumer = AIOKafkaConsumer(bootstrap_servers=env["FOTOAI_KAFKA_BOOTSTRAP"], **options)
    await consumer.start()
    try:
        tps = [TopicPartition(t, p) for topics in STAGE_TOPICS.values() for t in topics
               for p in range(PHOTO_TOPIC_PARTITIONS)]
        ends = await consumer.end_offsets(tps)
        out: dict[str, dict[int, int]] = {}
        for tp, offset in ends.items():
            out.setdefault(tp.topic, {})[tp.partition] = offset
        return out
    finally:
        await consumer.stop()


def stack_command(replicas: int, cmd: str) -> None:
    spec = ",".join(f"{s}={replicas}" for s in SCALED) if replicas > 1 else ""
    env = {**os.environ, "FOTOAI_STACK_REPLICAS": spec}
    subprocess.run([sys.executable, "-m", "fotoai.stack", cmd], cwd=ROOT, env=env, check=True)


def scale_out(library: list[Sample], replicas: int, concurrency: int, timeout: float) -> int:
    """The same photos through a stack with one process per stage, then with `replicas`."""
    rows = []
    failures = 0
    stack_command(1, "down")
    for count in (1, replicas):
        batch = [Sample(s.kind, variant(s.kind, s.data, i)) for i, s in enumerate(library)]
        print(f"\n== {count} process(es) of {', '.join(SCALED)}: starting the stack …", flush=True)
        stack_command(count, "up")
        try:
            env = stack_env_or_none()
            assert env is not None, "the stack did not come up"
            expected = {g: len(m) * count for g, m in rows[0][6].items()} if rows else None
            members = wait_for_members(env, expected)
            since = asyncio.run(end_offsets(env))
            load0 = os.getloadavg()[0]
            ours = asyncio.run(run_stack(env, batch, concurrency, timeout))
            load1 = os.getloadavg()[0]
            counts = asyncio.run(stage_event_counts(env, since, set(ours.accepted)))
        finally:
            stack_command(count, "down")
        print(f"consumer-group members and the photo.* partitions each owns ({count} process(es) per stage):")
        for group in SCALED:
            owned = [p for parts in members.get(group, {}).values() for p in parts]
            shared = "each partition once" if len(owned) == len(set(owned)) else "A PARTITION TWICE"
            print(f"  {group}: {len(members.get(group, {}))} members, {len(set(owned))} partitions, {shared}")
            for member, parts in sorted(members.get(group, {}).items(), key=lambda kv: kv[1]):
                print(f"    {member[:len(group) + 9]}…  {parts}")
        per_hour = len(ours.settled) / ours.wall_s * 3600
        dup = {stage: sum(1 for v in c.values() if v > 1) for stage, c in counts.items()}
        missing = {stage: sum(1 for v in c.values() if v == 0) for stage, c in counts.items()}
        print("stage events per photo: " + "; ".join(
            f"{stage} {sum(c.values())} events for {len(c)} photos, {dup[stage]} twice or more, "
            f"{missing[stage]} none" for stage, c in counts.items()))
        failures += sum(dup.values()) + (len(ours.accepted) - len(ours.settled))
        rows.append((count, per_hour, ours, sum(dup.values()), load0, load1, members))
    base = rows[0][1]
    print(f"\n{len(library)} photos at concurrency {concurrency}; {os.cpu_count()} CPUs")
    print("| processes per stage | group members (ingest/enhance/tagging) | photos/hour | ratio vs 1 | "
          "settled | photos processed twice | load average before → after |")
    print("|---|---|---|---|---|---|---|")
    for count, per_hour, ours, dups, load0, load1, members in rows:
        sizes = "/".join(str(len(members.get(g, {}))) for g in SCALED)
        print(f"| {count} | {sizes} | {per_hour:,.0f} | {per_hour / base:.2f} | "
              f"{len(ours.settled)}/{len(ours.accepted)} | {dups} | {load0:.1f} → {load1:.1f} |")
    return 0 if failures == 0 else 1


# --- the peer: one process, sequentially ---------------------------------------------------------


class Peer:
    """Pillow decode + preview and thumbnails + the same enhance and tagging calls, in a loop."""

    def __init__(self) -> None:
        from fotoai.enhance.adapters.backends import build_enhancer
        from fotoai.enhance.config import EnhanceOptions
        from fotoai.tagging.config import TaggingOptions
        from fotoai.tagging.models.runner import load_runner

        self.enhancer = build_enhancer(EnhanceOptions(device="cpu"))
        self.runner = load_runner(TaggingOptions(device="cpu"))

    def process(self, sample: Sample) -> None:
        from fotoai.enhance.domain.codec import encode_jpeg
        from fotoai.tagging.domain.colours import dominant_colours
        from fotoai.tagging.domain.quality import assess_quality

        if sample.kind == "dng":
            import rawpy

            with rawpy.imread(io.BytesIO(sample.data)) as raw:
                image = Image.fromarray(raw.postprocess(use_camera_wb=True, half_size=True))
        else:
            if sample.kind == "heic":
                import pillow_heif

                pillow_heif.register_heif_opener()
            image = Image.open(io.BytesIO(sample.data))
            scale = 1920 / max(image.size)
            if scale < 1:  # DCT scaling, as ingest does
                image.draft("RGB", (round(image.width * scale), round(image.height * scale)))
            image = image.convert("RGB")
        full = image.size
        renditions = {}
        for name, side in (("preview", 1920), ("thumb_large", 1024), ("thumb_small", 256)):
            image = image.copy()
            image.thumbnail((side, side), Image.LANCZOS)
            buf = io.BytesIO()
            image.save(buf, "JPEG", quality=85)
            renditions[name] = (buf.getvalue(), np.asarray(image))
        enhanced = self.enhancer.enhance(renditions["preview"][1])
        encode_jpeg(enhanced.image, 90)
        rgb = renditions["thumb_large"][1]
        self.runner.model.predict([self.runner.prepare(rgb)])
        self.runner.detect_faces(rgb)
        assess_quality(rgb, *full)
        dominant_colours(rgb)


def run_peer(library: list[Sample], count: int) -> tuple[float, float]:
    """(photos/hour, CPU-seconds per photo) of the peer over the first `count` photos."""
    peer = Peer()
    peer.process(library[0])  # warm: lazy imports and first inference are not per photo
    chosen = library[:count]
    cpu0, t0 = time.process_time(), time.monotonic()
    for sample in chosen:
        peer.process(sample)
    wall = time.monotonic() - t0
    return len(chosen) / wall * 3600, (time.process_time() - cpu0) / len(chosen)


# --- the report ----------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def report(ours: StackRun, peer: tuple[float, float] | None, n: int, concurrency: int) -> None:
    done = len(ours.settled)
    per_hour = done / ours.wall_s * 3600
    lat = [lat for _, lat in ours.settled.values()]
    statuses = [s for s, _ in ours.settled.values()]
    load = os.getloadavg()
    print(f"\nlibrary: {n} photos at concurrency {concurrency}; {os.cpu_count()} CPUs, "
          f"load average {load[0]:.1f}/{load[1]:.1f} (other work on the box counts)")
    print(f"settled {done}/{len(ours.accepted)} (ready {statuses.count('ready')}, degraded "
          f"{statuses.count('degraded')}, rejected {statuses.count('rejected')}), refused {ours.refused}")
    print("\n| measure | ours (mesh) | peer (one process) | ratio ours/peer |")
    print("|---|---|---|---|")
    if peer:
        print(f"| photos/hour | {per_hour:,.0f} | {peer[0]:,.0f} | {per_hour / peer[0]:.2f} |")
    else:
        print(f"| photos/hour | {per_hour:,.0f} | (skipped) | |")
    print(f"| upload-to-ready p50 s | {statistics.median(lat) if lat else float('nan'):.2f} | | |")
    print(f"| upload-to-ready p95 s | {pct(lat, 0.95):.2f} | | |")
    total_cpu = sum(v for k, v in ours.cpu.items() if k in STAGES) / max(1, done)
    infra_cpu = sum(v for k, v in ours.cpu.items() if k in INFRA) / max(1, done)
    if peer:
        print(f"| CPU-s per photo, the seven services | {total_cpu:.2f} | {peer[1]:.2f} | {total_cpu / peer[1]:.2f} |")
        print(f"| CPU-s per photo, services + Kafka, S3, PostgreSQL, Redis | {total_cpu + infra_cpu:.2f} "
              f"| {peer[1]:.2f} | {(total_cpu + infra_cpu) / peer[1]:.2f} |")
    print(f"| CPU-s per photo of this benchmark's clients (uploads, polling; same cores) | "
          f"{ours.client_cpu / max(1, done):.3f} | | |")
    print("\n| stage | CPU-s per photo | mean lag (events) | mean wait in Kafka s |")
    print("|---|---|---|---|")
    rate = done / ours.wall_s
    for stage in STAGES + INFRA:
        cpu = ours.cpu.get(stage)
        lag = ours.lag.get(stage)
        wait = f"{lag / rate:.2f}" if lag is not None and rate else "n/a"
        print(f"| {stage} | {cpu / max(1, done):.3f} | {lag if lag is None else f'{lag:.1f}'} | {wait} |"
              if cpu is not None else f"| {stage} | n/a | {lag} | {wait} |")


async def latency_hops(env: dict[str, str], run: StackRun) -> dict[str, float]:
    """Where one photo's time went, from the catalog's own records: each event's occurred_at
    (when its stage finished) and processed_at (when the catalog's batch applied it), beside
    the client's clock (one machine, one clock)."""
    import asyncpg
    from fotoai.catalog.adapters.migrate import asyncpg_dsn

    conn = await asyncpg.connect(asyncpg_dsn(env["FOTOAI_DATABASE_URL"]))
    out: dict[str, float] = {}
    try:
        for pid, wall in run.wall.items():
            rows = await conn.fetch(
                """SELECT t.event, extract(epoch FROM t.at) AS at, extract(epoch FROM e.processed_at) AS applied
                   FROM timeline t JOIN processed_events e ON e.event_id = t.event_id WHERE t.photo_id = $1""",
                pid)
            at = {r["event"]: float(r["at"]) for r in rows}
            applied = {r["event"]: float(r["applied"]) for r in rows}
            if not {"uploaded", "ingested", "enhanced", "tagged"} <= at.keys() or "seen" not in wall:
                continue
            last = max(("enhanced", "tagged"), key=lambda k: at[k])
            out["upload request → `uploaded` event (gateway)"] = at["uploaded"] - wall["sent"]
            out["`uploaded` → ingest done (Kafka + ingest)"] = at["ingested"] - at["uploaded"]
            out["ingest done → enhance done (Kafka + enhance)"] = at["enhanced"] - at["ingested"]
            out["ingest done → tagging done (Kafka + tagging)"] = at["tagged"] - at["ingested"]
            out["last stage done → catalog batch began"] = applied[last] - at[last]
            out["catalog batch began → client saw ready (commit + poll)"] = wall["seen"] - applied[last]
    finally:
        await conn.close()
    return out


def stack_env_or_none() -> dict[str, str] | None:
    from fotoai.servicekit.testing import load_stack_env

    env = load_stack_env()
    if not env:
        return None
    try:
        httpx.get(env["FOTOAI_GATEWAY_URL"] + "/healthz", timeout=5).raise_for_status()
    except httpx.HTTPError:
        return None
    return env


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photos", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--jpeg-only", action="store_true", help="only 12 MP JPEGs (the throughput target)")
    ap.add_argument("--share", action="append", default=[], metavar="KIND=FRACTION",
                    help="share of heic/png/dng (default heic=0.05 png=0.05 dng=0.05)")
    ap.add_argument("--peer-photos", type=int, default=12, help="photos the peer processes (0: skip)")
    ap.add_argument("--latency", type=int, default=0, metavar="N",
                    help="instead: N single 12 MP JPEGs, one at a time on the idle stack")
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--start-stack", action="store_true", help="start the stack (make up) and stop it after")
    ap.add_argument("--quick", action="store_true", help="24 photos, peer 4")
    ap.add_argument("--replicas", type=int, default=0, metavar="N",
                    help="instead: the same photos with 1, then N processes of ingest, enhance and "
                         "tagging (restarts the stack)")
    a = ap.parse_args()
    if a.quick:
        a.photos, a.peer_photos = 24, 4

    if a.replicas:
        library = make_library(a.photos, {} if a.jpeg_only else {"heic": 0.05, "png": 0.05, "dng": 0.05})
        return scale_out(library, a.replicas, a.concurrency, a.timeout)
    started = False
    env = stack_env_or_none()
    if env is None and a.start_stack:
        subprocess.run(["make", "-s", "up"], cwd=ROOT, check=True)
        started, env = True, stack_env_or_none()
    if env is None:
        print("library.py needs the running stack: `make up` (or rerun with --start-stack)")
        return 0
    try:
        if a.latency:
            library = make_library(a.latency, {})
            latencies = []
            hops: dict[str, list[float]] = {}
            for sample in library:
                one = asyncio.run(run_stack(env, [sample], 1, 120))
                latencies += [lat for _, lat in one.settled.values()]
                for hop, secs in asyncio.run(latency_hops(env, one)).items():
                    hops.setdefault(hop, []).append(secs)
                time.sleep(1.0)
            print(f"\nload average {os.getloadavg()[0]:.1f}")
            print(f"| one 12 MP JPEG on an idle stack | p50 s | min s | max s | n |\n|---|---|---|---|---|\n"
                  f"| upload → ready (client) | {statistics.median(latencies):.2f} | {min(latencies):.2f} | "
                  f"{max(latencies):.2f} | {len(latencies)} |")
            for hop, values in hops.items():
                print(f"| {hop} | {statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} | "
                      f"{len(values)} |")
            return 0
        shares = {} if a.jpeg_only else {"heic": 0.05, "png": 0.05, "dng": 0.05}
        for item in a.share:
            kind, _, value = item.partition("=")
            shares[kind] = float(value)
        print(f"making {a.photos} photos ({', '.join(f'{k} {v:.0%}' for k, v in shares.items()) or 'JPEG only'}) …",
              flush=True)
        library = make_library(a.photos, shares)
        sizes = [len(s.data) / 1e6 for s in library if s.kind == "jpeg"]
        print(f"JPEG sizes {min(sizes):.1f}-{max(sizes):.1f} MB (median {statistics.median(sizes):.1f})", flush=True)
        ours = asyncio.run(run_stack(env, library, a.concurrency, a.timeout))
        peer = run_peer(library, min(a.peer_photos, len(library))) if a.peer_photos else None
        report(ours, peer, len(library), a.concurrency)
        return 0 if len(ours.settled) == len(ours.accepted) else 1
    finally:
        if started:
            subprocess.run(["make", "-s", "down"], cwd=ROOT, check=False)


if __name__ == "__main__":
    sys.exit(main())
