"""The people use cases: faces of `photo.tagged.v1` → embeddings → persons, the owner's edits
(rename, hide, merge, re-cluster), and the facts that say so (`photo.faces-recognized.v1`, `person.updated.v1`).

`photo.tagged.v1` names face boxes but not the pixels: the working copy (`preview`) comes from
`photo.ingested.v1`, which the same consumer group reads. Tagging publishes only after ingest,
yet the two topics are read independently, so a tagged event that arrives first is parked and
resumed when its ingested event is seen. Photos without faces cost one indexed look-up.

Every handler returns the facts of the state it leaves, with ids derived from that state
(`person_id` + revision; the tagging event + the person ids), so a redelivery republishes the
same facts and changes nothing else.
"""

from __future__ import annotations

import asyncio
import io
import uuid

import numpy as np
from fotoai.contracts import WORKING_COPIES, Event, PhotoDeletedV1, PhotoIngestedV1, PhotoTaggedV1
from fotoai.contracts.recognition import (
    FaceRef,
    PersonEditedV1,
    PersonUpdatedV1,
    PhotoFacesRecognizedV1,
    RecognizedFace,
)
from fotoai.people.adapters.store import NewFace, Owner, PgPeopleStore
from fotoai.people.config import PeopleOptions
from fotoai.people.domain.crops import pixel_box
from fotoai.people.ports import FaceEmbedder, ObjectStore
from fotoai.servicekit.log import get_logger
from PIL import Image

log = get_logger("fotoai.people")

_FACTS_NS = uuid.UUID("5c2d8e1f-7a3b-4c6d-9e0f-1a2b3c4d5e6f")
MAX_RENDITION_BYTES = 64 * 1024 * 1024

Facts = list[Event | PersonUpdatedV1]


def _rgb(data: bytes, max_side: int) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as src:
        src.draft("RGB", (max_side, max_side))
        im = src.convert("RGB")
    if max(im.size) > max_side:
        im.thumbnail((max_side, max_side))
    return np.asarray(im)


class RecognizeFaces:
    def __init__(self, store: PgPeopleStore, objects: ObjectStore, embedder: FaceEmbedder,
                 options: PeopleOptions) -> None:
        self.store = store
        self.objects = objects
        self.embedder = embedder
        self.options = options
        self._slots = asyncio.Semaphore(options.max_concurrency)

    async def ingested(self, event: PhotoIngestedV1) -> Facts | None:
        # Ingest's working copy (about 2000 px, faces at ample resolution for dlib's 150-px chips).
        # Never `display`: full size (a 12 MP decode and resize was ~40% of this service's CPU)
        # and possibly the uploaded bytes as they came, which only ingest's sandbox decodes.
        by_name = {r.name: r for r in event.renditions}
        source = next((by_name[n] for n in WORKING_COPIES if n in by_name), None)
        if source is None:
            return None
        parked = await self.store.remember_source(event.photo_id, event.owner_id, source.bucket, source.key)
        if parked is None:
            return None
        return await self.tagged(PhotoTaggedV1.model_validate_json(parked))

    async def tagged(self, event: PhotoTaggedV1) -> Facts | None:
        if not event.faces and not await self.store.has_faces(event.photo_id):
            return None
        source = await self.store.source(event.photo_id)
        if source is None:
            await self.store.park(event.photo_id, event.owner_id, event.model_dump_json())
            return None
        faces = await self._embed(event, source) if event.faces else []
        async with self.store.owner(event.owner_id) as owner:
            if await owner.is_deleted(event.photo_id):
                return None
            touched: set[str] = set()
            if not await owner.seen(event.event_id):
                touched = await owner.replace_faces(event.photo_id, event.event_id, faces, self.options.threshold)
            current = await owner.photo_faces(event.photo_id)
            persons = touched | {p for _, _, p in (current.faces if current else []) if p}
            facts: Facts = [self._photo_fact(event.photo_id, event.owner_id, event.event_id, current)]
            return facts + await self._person_facts(owner, persons)

    async def deleted(self, event: PhotoDeletedV1) -> Facts | None:
        async with self.store.owner(event.owner_id) as owner:
            touched = await owner.delete_photo(event.photo_id)
            return await self._person_facts(owner, touched) or None

    async def edited(self, event: PersonEditedV1) -> Facts | None:
        async with self.store.owner(event.owner_id) as owner:
            first_time = not await owner.seen(event.event_id)
            persons = {event.person_id}
            moved: list[str] = []
            if event.recluster:
                # A command on the owner's partition like any edit, so a replay of the topics
                # regroups at the same point; a redelivery changes nothing (first_time).
                # A redelivery republishes the facts of every face and person (the first delivery's
                # may not have gone out).
                persons, moved = (await owner.recluster(self.options.threshold) if first_time
                                  else await owner.everything())
            elif event.merge_into:
                persons.add(event.merge_into)
                if first_time:
                    moved = await owner.merge(event.person_id, event.merge_into)
            elif first_time:
                await owner.edit(event.person_id, event.name, event.hidden)
            facts = await self._person_facts(owner, persons)
            for photo_id in moved:
                current = await owner.photo_faces(photo_id)
                if current is not None:
                    facts.append(self._photo_fact(photo_id, event.owner_id, current.tagging_event_id, current))
            return facts or None

    async def _embed(self, event: PhotoTaggedV1, source: tuple[str, str]) -> list[NewFace]:
        data = await self.objects.get_bytes(*source, max_bytes=MAX_RENDITION_BYTES)
        async with self._slots:
            rgb = await asyncio.to_thread(_rgb, data, self.options.max_side)
            h, w = rgb.shape[:2]
            boxes = [pixel_box(f.box, w, h) for f in event.faces]
            vectors = await asyncio.to_thread(self.embedder.embed, rgb, boxes)
        return [NewFace(i, f.box, v) for i, (f, v) in enumerate(zip(event.faces, vectors, strict=True))]

    def _photo_fact(self, photo_id: str, owner_id: str, tagging_event_id: str, current) -> PhotoFacesRecognizedV1:
        faces = [RecognizedFace(ordinal=o, box=b, person_id=p) for o, b, p in (current.faces if current else [])]
        key = "/".join([tagging_event_id, PhotoFacesRecognizedV1.TOPIC, *[f.person_id or "-" for f in faces]])
        return PhotoFacesRecognizedV1(
            event_id=str(uuid.uuid5(_FACTS_NS, key)), photo_id=photo_id, owner_id=owner_id,
            faces=faces, model_id=self.embedder.model_id,
            tagging_event_id=current.tagging_event_id if current else tagging_event_id,
        )

    async def _person_facts(self, owner: Owner, persons: set[str]) -> Facts:
        facts: Facts = []
        for person_id in sorted(persons):
            p = await owner.person(person_id)
            if p is None or p.revision < 1:
                continue
            facts.append(PersonUpdatedV1(
                event_id=str(uuid.uuid5(_FACTS_NS, f"{p.person_id}/{p.revision}")),
                owner_id=p.owner_id, person_id=p.person_id, revision=p.revision, name=p.name,
                hidden=p.hidden, merged_into=p.merged_into, face_count=p.face_count,
                cover=FaceRef(photo_id=p.cover_photo_id, box=p.cover_box)
                if p.cover_photo_id and p.cover_box else None,
            ))
        return facts
