"""Opaque keyset cursors for newest-first listings: (created_at, id) of the last item shown.

Keyset pagination stays stable under concurrent inserts: new photos sort before the cursor,
so a page never repeats or skips an item the way OFFSET does.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime


class InvalidCursor(ValueError):
    pass


def encode_cursor(created_at: datetime, photo_id: str) -> str:
    raw = json.dumps([created_at.isoformat(), photo_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, pid = json.loads(raw)
        parsed = datetime.fromisoformat(at)
        if not isinstance(pid, str) or parsed.tzinfo is None:
            raise ValueError("bad cursor fields")
        return parsed, pid
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise InvalidCursor("cursor is not one this API issued") from exc
