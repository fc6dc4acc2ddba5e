"""What every read side of the catalog shares: the summary of a photo (its SQL columns and its
shape) and the library's visibility rules (the trash hides a photo everywhere; the archive hides
it from listings and search unless asked for).

`queries.py` (photos, search), `library_queries.py` (timeline, trash, albums, shared albums) and
`recognition_queries.py` (people, places) all build their statements from these, so a photo
looks the same, and is hidden the same way, in every listing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg
from fotoai.catalog.domain.status import failed_stages
from fotoai.contracts import ENHANCED_THUMB, ENHANCED_THUMB_SMALL, THUMB_LARGE, THUMB_SMALL

SUMMARY_TAGS = 5
#: The thumbnails a listing shows, of the original and of FotoAI's version.
THUMB_NAMES = (THUMB_SMALL, THUMB_LARGE, ENHANCED_THUMB_SMALL, ENHANCED_THUMB)
_ENHANCED_THUMBS = (ENHANCED_THUMB_SMALL, ENHANCED_THUMB)


def changed_sql(photos: str) -> str:
    """SQL: whether FotoAI's enhancement changed the picture of the row `photos` of photos (it
    applied operations); otherwise its renditions are the original again, re-encoded."""
    return f"jsonb_array_length({photos}.enhancement -> 'operations') > 0"


def thumbs_sql(photo: str, changed: str | None = None) -> str:
    """SQL: a jsonb object `{name: {bucket, key}}` of the thumbnails of the photo whose id is
    the SQL expression `photo`; FotoAI's only where `changed` (SQL, default: looked up) holds.
    One index range scan on the renditions' primary key."""
    names = ", ".join(f"'{n}'" for n in THUMB_NAMES)
    enhanced = ", ".join(f"'{n}'" for n in _ENHANCED_THUMBS)
    if changed is None:
        changed = f"EXISTS (SELECT 1 FROM photos e WHERE e.id = r.photo_id AND {changed_sql('e')})"
    return f"""(SELECT jsonb_object_agg(r.name, jsonb_build_object('bucket', r.bucket, 'key', r.key))
       FROM renditions r WHERE r.photo_id = {photo} AND r.name IN ({names})
         AND (r.name NOT IN ({enhanced}) OR {changed}))"""


def shown_thumbs(thumbs: dict[str, Any] | None) -> dict[str, Any]:
    """What a listing shows of a photo, from `thumbs_sql`'s object: `thumb` (about 256 px) and
    `thumb_large` (about 1024 px) of FotoAI's version where it changed the picture, else of the
    original, never a mix (an enhancement that predates `enhanced_thumb_small` shows
    `enhanced_thumb` in both); and each version's own, `original_thumb` (thumb_small) and
    `enhanced_thumb` (1024 px, None unless the picture changed)."""
    t = thumbs or {}
    original = t.get(THUMB_SMALL) or t.get(THUMB_LARGE)
    enhanced = t.get(ENHANCED_THUMB) or t.get(ENHANCED_THUMB_SMALL)
    if enhanced:
        small, large = t.get(ENHANCED_THUMB_SMALL) or enhanced, enhanced
    else:
        small, large = original, t.get(THUMB_LARGE) or original
    return {"thumb": small, "thumb_large": large, "original_thumb": original,
            "enhanced_thumb": t.get(ENHANCED_THUMB)}


# A summary is one round-trip: the top tags and the thumbnails come from correlated subqueries
# on the primary keys of tags and renditions, 2 index probes per row of the page (see
# `thumbs_sql`).
SUMMARY_COLUMNS = f"""p.id, p.status, p.file_name, p.content_type, p.size, p.sha256, p.created_at,
    p.taken_at, p.width, p.height, p.format, p.camera, p.stage_ingest, p.stage_enhance,
    p.stage_tagging, p.duplicate_of, p.rejection_reason, p.rejection_message,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('label', t.label, 'score', t.score, 'source', t.source)
                               ORDER BY t.score DESC, t.label), '[]'::jsonb)
       FROM (SELECT label, source, max(score) AS score FROM tags WHERE photo_id = p.id
             GROUP BY label, source ORDER BY max(score) DESC, label LIMIT {SUMMARY_TAGS}) t) AS top_tags,
    {thumbs_sql('p.id', changed_sql('p'))} AS thumbs,
    (SELECT jsonb_build_object('favorite', s.favorite, 'archived', s.archived)
       FROM photo_states s WHERE s.photo_id = p.id AND s.owner_id = p.owner_id) AS flags"""

#: Sort keys of photo listings: upload time, or capture time falling back to upload time.
SORT_KEYS = {"uploaded": "p.created_at", "taken": "coalesce(p.taken_at, p.created_at)"}

# The library's flags of `photos p` (library_store.py keeps them in photo_states).
STATE = "SELECT 1 FROM photo_states s WHERE s.photo_id = p.id AND s.owner_id = p.owner_id"
IN_TRASH = f"EXISTS ({STATE} AND s.trashed_at IS NOT NULL)"
NOT_IN_TRASH = f"NOT EXISTS ({STATE} AND s.trashed_at IS NOT NULL)"
NOT_HIDDEN = f"NOT EXISTS ({STATE} AND (s.trashed_at IS NOT NULL OR s.archived))"
ARCHIVED = f"EXISTS ({STATE} AND s.archived AND s.trashed_at IS NULL)"


def visibility(archived: bool | None = None, favorite: bool | None = None) -> list[str]:
    """SQL conditions on `photos p` for a listing: trash never, archive only when asked."""
    if archived:
        out = [ARCHIVED]
    else:
        out = [NOT_HIDDEN]
    if favorite is True:
        out.append(f"EXISTS ({STATE} AND s.favorite)")
    elif favorite is False:
        out.append(f"NOT EXISTS ({STATE} AND s.favorite)")
    return out


def iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def summary(r: asyncpg.Record) -> dict[str, Any]:
    """One photo of a listing, from a row selected with `SUMMARY_COLUMNS`."""
    stages = {"ingest": r["stage_ingest"], "enhance": r["stage_enhance"], "tagging": r["stage_tagging"]}
    return {
        "id": r["id"], "status": r["status"], "file_name": r["file_name"],
        "content_type": r["content_type"], "size": r["size"], "sha256": r["sha256"],
        "created_at": iso(r["created_at"]), "taken_at": iso(r["taken_at"]),
        "width": r["width"], "height": r["height"], "format": r["format"], "camera": r["camera"],
        "stages": stages, "failed_stages": failed_stages(stages),
        "duplicate_of": r["duplicate_of"], "tags": r["top_tags"],
        # What a gallery shows: FotoAI's version where it changed the picture, else the original.
        **shown_thumbs(r["thumbs"]),
        "favorite": bool((r["flags"] or {}).get("favorite")),
        "archived": bool((r["flags"] or {}).get("archived")),
        "rejection": (
            {"reason": r["rejection_reason"], "message": r["rejection_message"]}
            if r["rejection_reason"] else None
        ),
    }


def summaries(rows: Sequence[asyncpg.Record]) -> list[dict[str, Any]]:
    return [summary(r) for r in rows]
