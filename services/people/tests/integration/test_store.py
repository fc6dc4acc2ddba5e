"""The people store against the stack's real PostgreSQL (a fresh database per test): faces join
the nearest person or start one with an id derived from the face, edits and merges, deletions,
redeliveries, and the re-clustering command that fixes early mistakes without losing names,
hidden flags or merges, and gives the same ids on a replay."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import numpy as np
import pytest
from fotoai.contracts.recognition import PersonEditedV1, PersonUpdatedV1, PhotoFacesRecognizedV1
from fotoai.people.adapters.store import (
    NewFace,
    PgPeopleStore,
    asyncpg_dsn,
    create_pool,
    ensure_database,
)
from fotoai.people.config import PeopleOptions
from fotoai.people.use_cases import RecognizeFaces

pytestmark = pytest.mark.integration

OWNER = "ana.owner"
THRESHOLD = 0.6
BOX = (0.1, 0.1, 0.2, 0.2)

Store = Callable[[], Awaitable[PgPeopleStore]]


def face(x: float, ordinal: int = 0) -> NewFace:
    """A 128-d descriptor x units along the first axis: distances are differences of x."""
    v = np.zeros(128, dtype=np.float32)
    v[0] = x
    return NewFace(ordinal, BOX, v)


@pytest.fixture
async def fresh_store(stack_env: dict[str, str]) -> AsyncIterator[Store]:
    server = asyncpg_dsn(stack_env["FOTOAI_DATABASE_URL"])
    names: list[str] = []
    pools: list[asyncpg.Pool] = []

    async def make() -> PgPeopleStore:
        name = f"people_t_{uuid.uuid4().hex[:10]}"
        names.append(name)
        url = server.rsplit("/", 1)[0] + "/" + name
        await ensure_database(url)  # creates the database and the schema, as the service does
        pool = await create_pool(url, 2)
        pools.append(pool)
        return PgPeopleStore(pool)

    yield make
    for pool in pools:
        await pool.close()
    conn = await asyncpg.connect(server)
    try:
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def add(store: PgPeopleStore, photo_id: str, *faces: NewFace) -> set[str]:
    async with store.owner(OWNER) as owner:
        assert not await owner.seen(f"tagged-{photo_id}")
        return await owner.replace_faces(photo_id, f"tagged-{photo_id}", list(faces), THRESHOLD)


async def people_of(store: PgPeopleStore) -> dict[str, str | None]:
    """photo_id → person of its first face."""
    async with store.owner(OWNER) as owner:
        rows = await owner.conn.fetch("SELECT photo_id, person_id FROM faces WHERE ordinal = 0 ORDER BY photo_id")
    return {r["photo_id"]: r["person_id"] for r in rows}


def started_by(photo_id: str, ordinal: int = 0) -> str:
    """The id a person gets from the face that started it (replays rebuild the same ids)."""
    return str(uuid.uuid5(uuid.UUID("0b6f4c3e-9a57-4f3a-8f0e-5d2b7c1a9e64"), f"tagged-{photo_id}/{ordinal}"))


async def test_faces_join_the_nearest_person_or_start_one_and_edits_stick(fresh_store: Store) -> None:
    store = await fresh_store()
    assert await add(store, "p1", face(0.0)) == {started_by("p1")}
    assert await add(store, "p2", face(0.3)) == {started_by("p1")}
    assert await add(store, "p3", face(5.0), face(0.1, 1)) == {started_by("p3"), started_by("p1")}
    ana, bo = started_by("p1"), started_by("p3")
    async with store.owner(OWNER) as owner:
        person = await owner.person(ana)
        assert person is not None and person.face_count == 3 and person.cover_photo_id == "p1"
        assert await owner.edit(ana, "  Ana  ", None) and await owner.edit(bo, None, True)
        assert (await owner.person(ana)).name == "Ana"  # type: ignore[union-attr]
        assert (await owner.person(bo)).hidden is True  # type: ignore[union-attr]
        assert await owner.seen("tagged-p1"), "an applied event is remembered"
        photo = await owner.photo_faces("p3")
        assert photo is not None and [p for _, _, p in photo.faces] == [bo, ana]
    # Another owner's lock, rows and persons are apart.
    async with store.owner("someone.else") as other:
        assert await other.person(ana) is None
        assert not await other.edit(ana, "Mallory", None)

    async with store.owner(OWNER) as owner:
        assert await owner.merge(bo, ana) == ["p3"]
        assert (await owner.person(bo)).merged_into == ana  # type: ignore[union-attr]
        assert (await owner.person(ana)).face_count == 4  # type: ignore[union-attr]
        assert await owner.merge(bo, ana) == [], "a merged person cannot be merged again"
        revision = (await owner.person(ana)).revision  # type: ignore[union-attr]
        assert await owner.delete_photo("p1") == {ana}
        assert (await owner.person(ana)).revision == revision + 1  # type: ignore[union-attr]
        assert await owner.is_deleted("p1") and await owner.photo_faces("p1") is None
    assert await store.remember_source("p1", OWNER, "b", "k") is None, "a deleted photo stays deleted"


async def test_a_tagged_event_parked_before_its_pixels_comes_back_with_them(fresh_store: Store) -> None:
    store = await fresh_store()
    assert await store.source("p9") is None
    await store.park("p9", OWNER, '{"parked": true}')
    assert await store.remember_source("p9", OWNER, "renditions", "o/p9/display.jpg") == '{"parked": true}'
    assert await store.source("p9") == ("renditions", "o/p9/display.jpg")
    assert await store.remember_source("p9", OWNER, "renditions", "o/p9/display.jpg") is None


async def early_split(store: PgPeopleStore) -> tuple[str, str]:
    """a (0.0) starts P1, c (1.0) is too far and starts P2, then b (0.5) arrives between them and
    joins P1: one person cut in two because of the order the photos came in."""
    await add(store, "a", face(0.0))
    await add(store, "c", face(1.0))
    await add(store, "b", face(0.5))
    return started_by("a"), started_by("c")


async def test_reclustering_joins_an_early_split_and_the_name_survives(fresh_store: Store) -> None:
    store = await fresh_store()
    p1, p2 = await early_split(store)
    assert await people_of(store) == {"a": p1, "b": p1, "c": p2}
    async with store.owner(OWNER) as owner:
        await owner.edit(p2, "Ana", None)
        touched, moved = await owner.recluster(THRESHOLD)
        # The named person keeps its id and name; the other is left without faces.
        assert touched == {p1, p2} and moved == ["a", "b"]
        assert (await owner.person(p2)).name == "Ana"  # type: ignore[union-attr]
        assert (await owner.person(p1)).face_count == 0  # type: ignore[union-attr]
        assert await owner.recluster(THRESHOLD) == (set(), []), "a second run changes nothing"
    assert await people_of(store) == {"a": p2, "b": p2, "c": p2}


async def test_reclustering_splits_what_a_deleted_photo_bridged_unless_the_user_named_it(fresh_store: Store) -> None:
    for named in (False, True):
        store = await fresh_store()
        await add(store, "a", face(0.0))
        await add(store, "b", face(0.5))
        await add(store, "c", face(1.0))
        p1 = started_by("a")
        async with store.owner(OWNER) as owner:
            await owner.delete_photo("b")
            if named:
                await owner.edit(p1, "Ana", None)
            await owner.recluster(THRESHOLD)
        after = await people_of(store)
        if named:
            assert after == {"a": p1, "c": p1}, "the user vouched for this person: never split"
        else:
            assert after["a"] == p1 and after["c"] not in (p1, None)


async def test_reclustering_is_the_same_on_a_replay_and_keeps_merges_and_hidden_flags(fresh_store: Store) -> None:
    outcomes = []
    for _ in range(2):
        store = await fresh_store()
        await early_split(store)
        await add(store, "far", face(9.0))
        await add(store, "far2", face(20.0))
        far, far2 = started_by("far"), started_by("far2")
        async with store.owner(OWNER) as owner:
            await owner.edit(far, None, True)
            assert await owner.merge(far2, far) == ["far2"]  # the user says these are one person
            await owner.recluster(THRESHOLD)
            hidden = (await owner.person(far)).hidden  # type: ignore[union-attr]
        outcomes.append((await people_of(store), hidden))
    assert outcomes[0] == outcomes[1], "the same faces and commands give the same persons"
    people, hidden = outcomes[0]
    assert people["far"] == people["far2"] == started_by("far") and hidden is True
    assert people["a"] == people["b"] == people["c"]


class _Embedder:
    model_id = "test-embedder"

    def embed(self, rgb: Any, boxes: Any) -> list[np.ndarray]:  # pragma: no cover - not called
        raise AssertionError("re-clustering needs no pixels")


async def test_the_recluster_command_publishes_the_new_state_and_a_redelivery_the_same(fresh_store: Store) -> None:
    store = await fresh_store()
    p1, p2 = await early_split(store)
    people = RecognizeFaces(store, objects=None, embedder=_Embedder(), options=PeopleOptions(threshold=THRESHOLD))  # type: ignore[arg-type]
    command = PersonEditedV1(owner_id=OWNER, person_id="*", recluster=True, edited_by=OWNER)
    facts = await people.edited(command)
    assert facts is not None
    updates = {f.person_id: f for f in facts if isinstance(f, PersonUpdatedV1)}
    photos = {f.photo_id: f for f in facts if isinstance(f, PhotoFacesRecognizedV1)}
    assert set(updates) == {p1, p2} and updates[p1].face_count == 3 and updates[p2].face_count == 0
    assert set(photos) == {"c"} and [f.person_id for f in photos["c"].faces] == [p1]
    again = await people.edited(command)
    assert again is not None
    assert {f.event_id for f in again} >= {f.event_id for f in facts}, "a redelivery republishes the same facts"
    assert await people_of(store) == {"a": p1, "b": p1, "c": p1}
