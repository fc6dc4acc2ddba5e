"""Consumer lag: how far each consumer group's committed offsets trail the partitions' ends."""

from __future__ import annotations

from collections.abc import Mapping


def consumer_lag(
    committed: Mapping[tuple[str, int], int], end_offsets: Mapping[tuple[str, int], int]
) -> dict[tuple[str, int], int]:
    """Lag per (topic, partition) for the partitions a group has committed on.

    A topic the group consumes but a partition it has not committed yet lags by the whole
    partition (it will read from the start: auto_offset_reset=earliest). Offsets ahead of the
    end (a truncated log) count as zero lag rather than a negative gauge.
    """
    topics = {t for t, _ in committed}
    lag: dict[tuple[str, int], int] = {}
    for (topic, part), end in end_offsets.items():
        if topic not in topics:
            continue
        done = committed.get((topic, part), 0)
        lag[(topic, part)] = max(end - max(done, 0), 0)
    return lag
