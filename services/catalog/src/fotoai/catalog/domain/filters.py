"""What a photo listing may be narrowed by: the query API's filters, as the `CatalogQueries`
port takes them (the HTTP entry point builds them, the SQL adapter reads them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class ListFilters:
    tag: str | None = None
    status: str | None = None
    taken_after: datetime | None = None
    taken_before: datetime | None = None
    camera: str | None = None
    sort: Literal["uploaded", "taken"] = "uploaded"
    favorite: bool | None = None
    archived: bool | None = None
    person: str | None = None
    #: the copies the catalog marked as duplicates of this photo
    duplicate_of: str | None = None
