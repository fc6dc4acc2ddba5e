"""Helpers for tests that drive the running stack: a Kafka tap on every topic, test photos,
and waiting for a photo to settle."""

from __future__ import annotations

import asyncio
import io
import time
import uuid

import httpx
import numpy as np
from aiokafka import AIOKafkaConsumer
from fotoai.contracts import PHOTO_TOPICS
from PIL import Image


class KafkaTap:
    """Reads every photo topic from the end, in the background, into a list the test inspects."""

    def __init__(self, bootstrap: str, **kafka) -> None:
        """`kafka`: aiokafka connection options of a principal that may read every topic tapped."""
        self.bootstrap = bootstrap
        self.kafka = kafka
        self.messages: list = []
        self._task: asyncio.Task | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(
            *PHOTO_TOPICS, "dlq.ingest", "dlq.enhance", "dlq.tagging", "dlq.catalog",
            bootstrap_servers=self.bootstrap, group_id=f"e2e-tap-{uuid.uuid4()}",
            auto_offset_reset="latest", enable_auto_commit=False, **self.kafka,
        )
        await self._consumer.start()
        # Wait for the partition assignment so nothing published after this is missed.
        deadline = time.monotonic() + 60
        while not self._consumer.assignment() and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        for tp in self._consumer.assignment():
            await self._consumer.position(tp)
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        assert self._consumer is not None
        async for m in self._consumer:
            self.messages.append(m)

    def of(self, photo_id: str) -> list:
        return [m for m in self.messages if m.key == photo_id.encode()]

    async def wait_for(self, photo_id: str, topics: set[str], timeout: float = 240) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            mine = self.of(photo_id)
            if topics <= {m.topic for m in mine}:
                return mine
            await asyncio.sleep(0.3)
        raise AssertionError(f"topics {topics - {m.topic for m in self.of(photo_id)}} never carried {photo_id}")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
        if self._consumer:
            await self._consumer.stop()


def jpeg_of(name: str = "astronaut", exif: bool = True) -> bytes:
    from skimage import data as skdata

    img = Image.fromarray(getattr(skdata, name)())
    out = io.BytesIO()
    if exif:
        e = Image.Exif()
        e[0x010F] = "FotoAI Test"
        e[0x0110] = "E2E-1"
        e[0x0132] = "2024:05:06 07:08:09"
        img.save(out, "JPEG", quality=90, exif=e)
    else:
        img.save(out, "JPEG", quality=90)
    return out.getvalue()


def noise_png(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    out = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)).save(out, "PNG")
    return out.getvalue()


async def wait_until_settled(gateway: httpx.AsyncClient, photo_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    last: dict = {}
    while time.monotonic() < deadline:
        r = await gateway.get(f"/v1/photos/{photo_id}")
        if r.status_code == 200:
            last = r.json()
            if last["status"] in ("ready", "degraded", "rejected"):
                return last
        await asyncio.sleep(0.5)
    raise AssertionError(f"photo {photo_id} did not settle in {timeout} s; last state: {last}")
