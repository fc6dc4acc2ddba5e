"""Kafka side of the fotoai_consumer_lag gauge: committed offsets of each consumer group vs the
partitions' end offsets, read with aiokafka's admin client and a group-less consumer."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from fotoai.catalog.domain.lag import consumer_lag


class KafkaLagProbe:
    def __init__(self, bootstrap: str, **kafka: object) -> None:
        """`kafka`: aiokafka connection options of the catalog's principal (SASL settings)."""
        self.bootstrap = bootstrap
        self.kafka = kafka
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        self._admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, client_id="catalog-lag", **self.kafka)
        await self._admin.start()
        self._consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, client_id="catalog-lag",
                                          enable_auto_commit=False, **self.kafka)
        await self._consumer.start()

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
        if self._admin is not None:
            await self._admin.close()

    async def lag(self, groups: Iterable[str]) -> dict[tuple[str, str, int], int]:
        """(group, topic, partition) → messages not yet consumed."""
        assert self._admin is not None and self._consumer is not None, "start() first"
        committed: dict[str, dict[tuple[str, int], int]] = {}
        topics: set[str] = set()
        for group in groups:
            offsets = await self._admin.list_consumer_group_offsets(group)
            committed[group] = {(tp.topic, tp.partition): om.offset for tp, om in offsets.items()}
            topics |= {tp.topic for tp in offsets}
        if not topics:
            return {}
        partitions: list[TopicPartition] = []
        for meta in await self._admin.describe_topics(sorted(topics)):
            for p in meta.get("partitions", []):
                partitions.append(TopicPartition(meta["topic"], p["partition"]))
        ends = await self._consumer.end_offsets(partitions)
        end_map = {(tp.topic, tp.partition): off for tp, off in ends.items()}
        out: dict[tuple[str, str, int], int] = {}
        for group, offs in committed.items():
            for (topic, part), lag in consumer_lag(offs, end_map).items():
                out[(group, topic, part)] = lag
        return out
