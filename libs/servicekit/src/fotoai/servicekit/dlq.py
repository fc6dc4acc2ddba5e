"""Operate dead-letter topics: list what is parked and replay it after a fix.

    python -m fotoai.servicekit.dlq show ingest          # what is parked, and why
    python -m fotoai.servicekit.dlq replay ingest        # send it back to its original topic
    python -m fotoai.servicekit.dlq rerun                # re-run every failed stage of every photo
    python -m fotoai.servicekit.dlq rerun --photo ID     # … of one photo (any of its stages)

It connects as the principal in FOTOAI_KAFKA_SECURITY_PROTOCOL/_SASL_MECHANISM/_USERNAME/_PASSWORD
(the local stack's `operator` principal in `secrets.env` may read dead letters and replay them).

Replay republishes each parked message to `x-fotoai-original-topic` with its original key and
CloudEvents headers (the `x-fotoai-*` error headers dropped). Consumers are idempotent, so a
message replayed twice changes nothing the second time. Progress is kept in the consumer group
`dlq-replay.<service>`: a replay never sends the same parked message twice.

`rerun` replays the dead-letter topics of the pipeline stages (ingest, enhance, tagging). A
photo whose failed stages succeed on re-run turns `ready`: the stage's real result outranks the
`photo.stage-failed.v1` report in the catalog. With `--photo` only that photo's parked messages
are sent (the whole topic is scanned and no progress is recorded, so a later full re-run still
sends the others); a stage that fails again is parked and reported again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from fotoai.contracts import dlq_topic
from fotoai.servicekit.settings import kafka_options_from_env


async def _drain(
    bootstrap: str, service: str, group: str | None, handle, limit: int | None, commit: bool,
    kafka: dict,
) -> int:
    topic = dlq_topic(service)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
        auto_offset_reset="earliest", **kafka,
    )
    await consumer.start()
    n = 0
    try:
        partitions = [TopicPartition(topic, p) for p in (consumer.partitions_for_topic(topic) or set())]
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = [TopicPartition(topic, p) for p in (consumer.partitions_for_topic(topic) or set())]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        for tp in partitions:
            committed = await consumer.committed(tp) if group else None
            if committed is None:
                await consumer.seek_to_beginning(tp)
        for tp in partitions:
            while await consumer.position(tp) < ends[tp]:
                batch = await consumer.getmany(tp, timeout_ms=2000, max_records=100)
                for msg in batch.get(tp, []):
                    if limit is not None and n >= limit:
                        break
                    await handle(msg)
                    n += 1
                    if commit:
                        await consumer.commit({tp: msg.offset + 1})
                if limit is not None and n >= limit:
                    break
    finally:
        await consumer.stop()
    return n


async def show(bootstrap: str, service: str, limit: int | None = None, **kafka) -> int:
    async def handle(msg) -> None:
        h = {k: v.decode(errors="replace") for k, v in msg.headers}
        print(f"{msg.partition}:{msg.offset} key={msg.key.decode(errors='replace') if msg.key else '-'} "
              f"from={h.get('x-fotoai-original-topic', '?')} attempts={h.get('x-fotoai-attempts', '?')} "
              f"error={h.get('x-fotoai-error', '?').splitlines()[0][:160]}")

    return await _drain(bootstrap, service, None, handle, limit, commit=False, kafka=kafka)


#: The dead-letter topics a re-run of "failed stages" replays: the stages of a photo.
STAGE_SERVICES = ("ingest", "enhance", "tagging")


def _photo_of(msg) -> str | None:
    if msg.key:
        return msg.key.decode(errors="replace")
    try:
        body = json.loads(msg.value)
    except (TypeError, ValueError):
        return None
    return body.get("photo_id") if isinstance(body, dict) else None


async def replay(
    bootstrap: str, service: str, limit: int | None = None, photo: str | None = None, **kafka
) -> int:
    """`kafka`: aiokafka connection options (`security_protocol`, `sasl_*`) of the replaying principal."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", **kafka)
    await producer.start()

    sent = 0

    async def handle(msg) -> None:
        nonlocal sent
        headers = [(k, v) for k, v in msg.headers if not k.startswith("x-fotoai-")]
        original = dict(msg.headers).get("x-fotoai-original-topic", b"").decode()
        if not original:
            print(f"skipping {msg.partition}:{msg.offset}: no original topic", file=sys.stderr)
            return
        if photo is not None and _photo_of(msg) != photo:
            return
        await producer.send_and_wait(original, msg.value, key=msg.key, headers=headers)
        sent += 1

    try:
        if photo is None:
            await _drain(bootstrap, service, f"dlq-replay.{service}", handle, limit, commit=True, kafka=kafka)
        else:
            await _drain(bootstrap, service, None, handle, limit, commit=False, kafka=kafka)
        return sent
    finally:
        await producer.stop()


async def rerun(bootstrap: str, photo: str | None = None, **kafka) -> dict[str, int]:
    """Replay the failed stages of one photo, or of all photos: messages sent per stage."""
    return {s: await replay(bootstrap, s, None, photo, **kafka) for s in STAGE_SERVICES}


def main() -> None:
    parser = argparse.ArgumentParser(prog="fotoai-dlq", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["show", "replay", "rerun"])
    parser.add_argument("service", nargs="?", help="ingest, enhance, tagging or catalog (show, replay)")
    parser.add_argument("--bootstrap", default=os.environ.get("FOTOAI_KAFKA_BOOTSTRAP", "127.0.0.1:19092"))
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--photo", default=None, help="only this photo's parked messages (replay, rerun)")
    args = parser.parse_args()
    kafka = kafka_options_from_env(os.environ)
    if args.action == "rerun":
        sent = asyncio.run(rerun(args.bootstrap, args.photo, **kafka))
        for service, n in sent.items():
            print(f"rerun: {n} message(s) from {dlq_topic(service)}", file=sys.stderr)
        return
    if not args.service:
        parser.error(f"{args.action} needs a service")
    if args.action == "show":
        n = asyncio.run(show(args.bootstrap, args.service, args.limit, **kafka))
    else:
        n = asyncio.run(replay(args.bootstrap, args.service, args.limit, args.photo, **kafka))
    print(f"{args.action}: {n} message(s) from {dlq_topic(args.service)}", file=sys.stderr)


if __name__ == "__main__":
    main()
