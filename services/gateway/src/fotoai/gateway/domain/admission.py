"""Admission control for uploads: a cap per replica and a cap per user, never a queue.

An upload holds a network connection, a request task and up to one part of memory for as long
as its client takes. Past the caps the answer is an immediate 503 (this replica is full: try
another, or later) or 429 (this user already has enough in flight), each with `Retry-After`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class UploadsBusy(Exception):
    """No slot: `status` 503 (replica) or 429 (user), with a hint in seconds."""

    def __init__(self, status: int, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.status, self.detail, self.retry_after_s = status, detail, retry_after_s


class UploadSlots:
    def __init__(self, per_replica: int, per_user: int, retry_after_s: int = 5) -> None:
        self.per_replica, self.per_user, self.retry_after_s = per_replica, per_user, retry_after_s
        self.in_flight = 0
        self._by_user: dict[str, int] = {}

    def _take(self, owner_id: str) -> None:
        if self.in_flight >= self.per_replica:
            raise UploadsBusy(503, f"this server has {self.in_flight} uploads in flight; retry shortly",
                              self.retry_after_s)
        mine = self._by_user.get(owner_id, 0)
        if mine >= self.per_user:
            raise UploadsBusy(429, f"you already have {mine} uploads in flight; wait for one to finish",
                              self.retry_after_s)
        self.in_flight += 1
        self._by_user[owner_id] = mine + 1

    def _give(self, owner_id: str) -> None:
        self.in_flight -= 1
        left = self._by_user[owner_id] - 1
        if left:
            self._by_user[owner_id] = left
        else:
            del self._by_user[owner_id]

    @contextmanager
    def hold(self, owner_id: str) -> Iterator[None]:
        """A slot for the duration of the block; raises UploadsBusy when there is none."""
        self._take(owner_id)
        try:
            yield
        finally:
            self._give(owner_id)
