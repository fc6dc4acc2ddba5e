"""Kafka handlers: every topic the catalog projects, consumed by ONE batch subscriber (one
consumer-group join) under the shared retry policy; each batch commits in one transaction.

Stage failures arrive as `photo.stage-failed.v1` like any other contract event: the catalog
never reads the raw `dlq.*` records (they stay there for replay)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from fotoai.contracts import Envelope
from fotoai.servicekit.bus import EventBus

E = TypeVar("E", bound=Envelope)


class Projector(Protocol[E]):
    """A set of projections: the event types it handles and how it applies a batch of them."""

    @property
    def handled(self) -> tuple[type[E], ...]: ...

    async def batch(self, events: Sequence[E]) -> Any: ...


def register_handlers(
    bus: EventBus, projectors: Sequence[Projector[Any]], group: str,
    topics: dict[str, str] | None = None, max_records: int = 500,
) -> None:
    """Subscribe every projector's topics in consumer group `group` with one subscriber.
    `topics` maps a default topic name to another one (benchmarks and tests use private
    topics). A batch is split into runs of consecutive events of one projector, applied in
    order, so the events of one photo keep their partition order across projectors."""
    owner: dict[type[Envelope], Projector[Any]] = {}
    for projector in projectors:
        for cls in projector.handled:
            owner[cls] = projector

    async def on_events(events: list[Envelope]) -> None:
        run: list[Envelope] = []
        for event in events:
            if run and owner[type(run[0])] is not owner[type(event)]:
                await owner[type(run[0])].batch(run)
                run = []
            run.append(event)
        if run:
            await owner[type(run[0])].batch(run)

    bus.subscribe_batch(tuple(owner), on_events, group=group, topics=topics, max_records=max_records)


class OneByOne:
    """A projector for projections that apply one event at a time (`apply(event)`)."""

    def __init__(self, handled: Sequence[type[Envelope]], apply: Any) -> None:
        self.handled = tuple(handled)
        self._apply = apply

    async def batch(self, events: Sequence[Envelope]) -> None:
        for event in events:
            await self._apply(event)
