"""What people, places and text add to the photo queries of queries.py.

`SEARCH_HITS` is a branch of the `hits` union in
queries.py (`$1` the owner, `$2` the query words' whole-word patterns), so person names, place
names and words read in photos match like tags do, and count towards "how much of the query a
photo matches". Scores rank them beside tag hits: a named person, then a place, then a word in
the photo.

`with_recognition` adds to a photo's detail its place, its text, and the person of each face.
"""

from __future__ import annotations

from typing import Any

import asyncpg

SEARCH_HITS = """
    SELECT r.photo_id, w.idx, 0.9 FROM recognized_faces r
      JOIN persons pe ON pe.person_id = ANY(r.person_ids) AND NOT pe.hidden AND pe.name IS NOT NULL
      JOIN unnest($2::text[]) WITH ORDINALITY w(re, idx) ON lower(pe.name) ~ w.re
      WHERE r.owner_id = $1
    UNION ALL
    SELECT p.id, w.idx, 0.8 FROM photos p
      JOIN unnest($2::text[]) WITH ORDINALITY w(re, idx)
        ON lower(concat_ws(' ', p.place->>'city', p.place->>'state', p.place->>'country')) ~ w.re
      WHERE p.owner_id = $1 AND p.place IS NOT NULL AND p.deleted_at IS NULL
    UNION ALL
    SELECT x.photo_id, w.idx, 0.7 FROM photo_texts x
      JOIN unnest($2::text[]) WITH ORDINALITY w(re, idx) ON lower(x.text) ~ w.re
      WHERE x.owner_id = $1 AND x.text <> ''"""


async def with_recognition(pool: asyncpg.Pool, owner_id: str, photo_id: str, detail: dict[str, Any]) -> dict[str, Any]:
    """A photo's detail with what recognition adds: its place, its text, and the person of each
    face (`person_id`, `person_name`; matched by position in the latest tagging run's faces)."""
    async with pool.acquire() as conn:
        place = await conn.fetchval("SELECT place FROM photos WHERE id = $1 AND owner_id = $2", photo_id, owner_id)
        text = await conn.fetchval(
            "SELECT text FROM photo_texts WHERE photo_id = $1 AND owner_id = $2", photo_id, owner_id
        )
        faces = await conn.fetchval(
            "SELECT faces FROM recognized_faces WHERE photo_id = $1 AND owner_id = $2", photo_id, owner_id
        ) or []
        ids = sorted({f["person_id"] for f in faces if f.get("person_id")})
        rows = await conn.fetch(
            "SELECT person_id, name, hidden FROM persons WHERE person_id = ANY($1::text[])", ids
        )
    names = {r["person_id"]: (None if r["hidden"] else r["name"]) for r in rows}
    people = [{"ordinal": f["ordinal"], "box": f["box"], "person_id": f.get("person_id"),
               "person_name": names.get(f.get("person_id"))} for f in faces]
    return annotate_faces(detail, {"place": place, "text": text, "recognized_faces": people})


def annotate_faces(detail: dict[str, Any], extras: dict[str, Any]) -> dict[str, Any]:
    """The detail with `place`, `text`, and `person_id`/`person_name` on each face (matched by
    position; the faces of the latest tagging run are the ones people recognised)."""
    by_ordinal = {f["ordinal"]: f for f in extras.get("recognized_faces", [])}
    faces = [
        {**face, "person_id": by_ordinal.get(i, {}).get("person_id"),
         "person_name": by_ordinal.get(i, {}).get("person_name")}
        for i, face in enumerate(detail.get("faces", []))
    ]
    return {**detail, "faces": faces, "place": extras.get("place"), "text": extras.get("text")}
