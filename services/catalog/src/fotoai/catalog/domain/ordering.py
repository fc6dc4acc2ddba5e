"""Total orders that make the projections commutative: which of two facts about a stage wins.

Every stage outcome carries a version string that sorts lexicographically in the same order as
`(rank, occurred_at, event_id)`. Keeping the maximum is idempotent and order-independent (a
join-semilattice), so replays, redeliveries and cross-topic reorderings converge. A real event
(rank 1) always beats a dead-letter failure (rank 0) of the same stage: a message that was
parked and later redriven successfully ends "done".
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from packaging.version import InvalidVersion, Version

RANK_FAILURE = 0
RANK_EVENT = 1


def outcome_version(rank: int, occurred_at: datetime, event_id: str) -> str:
    at = occurred_at if occurred_at.tzinfo else occurred_at.replace(tzinfo=UTC)
    return f"{rank}|{at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')}|{event_id}"


def newer(candidate: str, current: str | None) -> bool:
    """True when `candidate` should replace `current` (None: nothing recorded yet)."""
    return current is None or candidate > current


_NUM = re.compile(r"\d+")


def model_version_key(version: str) -> tuple:
    """Sort key of a tagging model version: PEP 440 when it parses, else numeric-aware text.

    `2.10` beats `2.9` either way; a PEP 440 version beats a free-form one.
    """
    try:
        return (1, Version(version), ())
    except InvalidVersion:
        parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in _split(version))
        return (0, Version("0"), parts)


def _split(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    for m in _NUM.finditer(text):
        if m.start() > pos:
            out.append(text[pos : m.start()])
        out.append(m.group())
        pos = m.end()
    if pos < len(text):
        out.append(text[pos:])
    return out


def tagging_run_wins(
    candidate: tuple[str, datetime, str], current: tuple[str, datetime, str] | None
) -> bool:
    """Whether a tagging run (model_version, occurred_at, event_id) replaces the stored one of
    the same model: a newer model version always wins, an older one never; for the same
    version the later event wins, ties broken by event id so the choice is deterministic."""
    if current is None:
        return True
    cv, cat, cid = candidate
    sv, sat, sid = current
    ck, sk = model_version_key(cv), model_version_key(sv)
    if ck != sk:
        return ck > sk
    return (_utc(cat), cid) > (_utc(sat), sid)


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
