"""The catalog's ports: what the use cases need from storage, the database and the tagging
service, as Protocols the adapters implement and tests can fake."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol

from fotoai.catalog.domain.filters import ListFilters


class PhotoUnit(Protocol):
    """One photo's row, locked for the length of one event's transaction."""

    row: dict[str, Any]

    def set(self, **columns: Any) -> None: ...
    async def replace_renditions(self, renditions: Sequence[dict[str, Any]], keep: Sequence[str]) -> None: ...
    async def upsert_rendition(self, rendition: dict[str, Any]) -> None: ...
    async def remove_renditions(self, names: Sequence[str]) -> None: ...
    async def tagging_run(self, model_id: str) -> dict[str, Any] | None: ...
    async def replace_tagging_run(
        self, run: dict[str, Any], tags: Sequence[dict[str, Any]], faces: Sequence[dict[str, Any]],
        embedding: tuple[str, Sequence[float]] | None,
    ) -> None: ...
    async def add_timeline(
        self, stage: str, event: str, at: datetime, detail: dict[str, Any] | None = None
    ) -> None: ...
    async def tombstone(self, deleted_at: datetime, deleted_by: str | None, version: str) -> None: ...
    def recompute_duplicates(self, sha256: str | None, phash: int | None) -> None: ...


class CatalogTransaction(Protocol):
    """One transaction over a batch of events; `unit` is one event of it."""

    async def claim(self, events: Sequence[tuple[str, str, str, str, datetime, bool]]) -> None:
        """Record and lock a batch at once: (event_id, photo_id, owner_id, topic, at, owner_lock)
        of each event, in order; `unit` then finds its event already claimed."""
        ...

    def unit(
        self, *, event_id: str, photo_id: str, owner_id: str, topic: str, at: datetime,
        owner_lock: bool,
    ) -> AbstractAsyncContextManager[PhotoUnit | None]: ...


class CatalogStore(Protocol):
    async def ensure_space(self, model_id: str, dimension: int) -> int: ...

    def transaction(self) -> AbstractAsyncContextManager[CatalogTransaction]: ...

    def unit(
        self, *, event_id: str, photo_id: str, owner_id: str, topic: str, at: datetime,
        owner_lock: bool,
    ) -> AbstractAsyncContextManager[PhotoUnit | None]: ...


class ObjectRemover(Protocol):
    async def delete_prefix(self, bucket: str, prefix: str) -> int: ...


class TextEmbedder(Protocol):
    async def embed(self, text: str) -> tuple[str, list[float]] | None:
        """(model_id, vector) of `text`, or None when no embedding model is available."""
        ...


class CatalogQueries(Protocol):
    """What the query API reads (the HTTP entry point is bound to this port, not the adapter)."""

    async def list_photos(
        self, owner_id: str, limit: int, cursor: str | None, filters: ListFilters
    ) -> tuple[list[dict[str, Any]], str | None]: ...
    async def detail(self, owner_id: str, photo_id: str) -> dict[str, Any] | None: ...
    async def object_of(self, owner_id: str, photo_id: str, rendition: str) -> dict[str, Any] | None: ...
    async def tag_counts(self, owner_id: str) -> list[dict[str, Any]]: ...
    async def count_by_status(self) -> dict[str, int]: ...
