"""Projections of people and text in photos: `photo.text-recognized.v1`,
`photo.faces-recognized.v1` and `person.updated.v1` into the read model (places arrive with
`photo.ingested.v1`, projected by use_cases.py).

Each is an upsert that keeps the newest fact: photo facts by version (domain/ordering.py),
persons by the people service's revision. Applying a fact twice, or an older one after a newer
one, changes nothing, so delivery order and redelivery do not matter.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from fotoai.catalog.domain.ordering import RANK_EVENT, outcome_version
from fotoai.contracts.recognition import (
    PERSON_EVENT_TYPES,
    PersonUpdatedV1,
    PhotoFacesRecognizedV1,
    PhotoTextRecognizedV1,
)

#: What this projection consumes (person.edited.v1 is the people service's input, not ours).
RECOGNITION_EVENT_TYPES: tuple[type[Any], ...] = (PhotoTextRecognizedV1, PhotoFacesRecognizedV1, PersonUpdatedV1)
assert set(PERSON_EVENT_TYPES) >= {PersonUpdatedV1}


class ProjectRecognition:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def __call__(self, event: PhotoTextRecognizedV1 | PhotoFacesRecognizedV1 | PersonUpdatedV1) -> None:
        async with self.pool.acquire() as conn:
            match event:
                case PhotoTextRecognizedV1():
                    await conn.execute(
                        """INSERT INTO photo_texts (photo_id, owner_id, text, engine, gated, version)
                           VALUES ($1, $2, $3, $4, $5, $6)
                           ON CONFLICT (photo_id) DO UPDATE SET text = excluded.text, engine = excluded.engine,
                             gated = excluded.gated, version = excluded.version
                           WHERE photo_texts.version < excluded.version AND photo_texts.owner_id = excluded.owner_id""",
                        event.photo_id, event.owner_id, event.text, event.engine, event.gated,
                        outcome_version(RANK_EVENT, event.occurred_at, event.event_id),
                    )
                case PhotoFacesRecognizedV1():
                    faces = [f.model_dump() for f in event.faces]
                    persons = sorted({f.person_id for f in event.faces if f.person_id})
                    await conn.execute(
                        """INSERT INTO recognized_faces (photo_id, owner_id, faces, person_ids, version)
                           VALUES ($1, $2, $3::jsonb, $4, $5)
                           ON CONFLICT (photo_id) DO UPDATE SET faces = excluded.faces,
                             person_ids = excluded.person_ids, version = excluded.version
                           WHERE recognized_faces.version < excluded.version
                             AND recognized_faces.owner_id = excluded.owner_id""",
                        event.photo_id, event.owner_id, faces, persons,
                        outcome_version(RANK_EVENT, event.occurred_at, event.event_id),
                    )
                case PersonUpdatedV1():
                    await conn.execute(
                        """INSERT INTO persons (person_id, owner_id, name, hidden, merged_into, face_count, cover, revision)
                           VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)
                           ON CONFLICT (person_id) DO UPDATE SET name = excluded.name, hidden = excluded.hidden,
                             merged_into = excluded.merged_into, face_count = excluded.face_count,
                             cover = excluded.cover, revision = excluded.revision
                           WHERE persons.revision < excluded.revision AND persons.owner_id = excluded.owner_id""",
                        event.person_id, event.owner_id, event.name, event.hidden, event.merged_into,
                        event.face_count, event.cover.model_dump() if event.cover else None,
                        event.revision,
                    )
