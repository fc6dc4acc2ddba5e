"""People and places for the owner: persons from face recognition (list, one, rename, hide,
merge, their photos), places and map markers.

Reads are the catalog's (it projects the people service's facts); the owner's commands check
what they name against the catalog (another owner's person is a 404) and publish
`person.edited.v1`, which the people service applies and answers with `person.updated.v1`.
"""

from __future__ import annotations

from typing import Any, Protocol

from fotoai.contracts.recognition import PersonEditedV1
from fotoai.gateway.domain.views import public_page, public_summary
from fotoai.gateway.errors import CatalogNotFound


class PeopleCatalog(Protocol):
    async def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]: ...


class PersonPublisher(Protocol):
    """The gateway's event bus, as far as person events (keyed by owner) go."""

    async def publish(self, event: Any) -> None: ...


class People:
    def __init__(self, catalog: PeopleCatalog, bus: PersonPublisher, presign: Any) -> None:
        self.catalog, self.bus, self.presign = catalog, bus, presign

    async def _listing(self, path: str, params: dict[str, Any], key: str) -> dict[str, Any]:
        """A listing is never a 404: a catalog that does not know the route (an older replica
        during a rollout) has nothing to list yet."""
        try:
            return await self.catalog._get(path, params)
        except CatalogNotFound:
            return {key: []}

    async def people(self, owner_id: str, hidden: bool) -> dict[str, Any]:
        page = await self._listing("/internal/people", {"owner_id": owner_id, "hidden": str(hidden).lower()}, "items")
        return {"items": [public_summary(p, self.presign) for p in page["items"]]}

    async def person(self, owner_id: str, person_id: str) -> dict[str, Any]:
        return public_summary(
            await self.catalog._get(f"/internal/people/{person_id}", {"owner_id": owner_id}), self.presign
        )

    async def photos(self, owner_id: str, person_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
        await self.person(owner_id, person_id)
        page = await self.catalog._get(
            f"/internal/people/{person_id}/photos", {"owner_id": owner_id, "limit": limit, "cursor": cursor}
        )
        return public_page(page, self.presign)

    async def edit(self, owner_id: str, person_id: str, name: str | None, hidden: bool | None) -> dict[str, Any]:
        current = await self.person(owner_id, person_id)
        if current.get("merged_into"):
            raise CatalogNotFound(person_id)
        await self.bus.publish(PersonEditedV1(owner_id=owner_id, person_id=person_id, name=name, hidden=hidden,
                                              edited_by=owner_id))
        return {"id": person_id, "name": current["name"] if name is None else (name.strip() or None),
                "hidden": current["hidden"] if hidden is None else hidden, "status": "updating"}

    async def merge(self, owner_id: str, person_id: str, into: str) -> dict[str, Any]:
        for pid in (person_id, into):
            if (await self.person(owner_id, pid)).get("merged_into"):
                raise CatalogNotFound(pid)
        await self.bus.publish(PersonEditedV1(owner_id=owner_id, person_id=person_id, merge_into=into,
                                              edited_by=owner_id))
        return {"id": person_id, "into": into, "status": "merging"}

    async def recluster(self, owner_id: str) -> dict[str, Any]:
        """Ask the people service to regroup all the owner's faces (names, hidden flags and
        merges kept); a command on the owner's partition like any edit."""
        await self.bus.publish(PersonEditedV1(owner_id=owner_id, person_id="*", recluster=True, edited_by=owner_id))
        return {"status": "reclustering"}

    async def places(self, owner_id: str) -> dict[str, Any]:
        page = await self._listing("/internal/places", {"owner_id": owner_id}, "items")
        return {"items": [public_summary(p, self.presign) for p in page["items"]]}

    async def map(self, owner_id: str) -> dict[str, Any]:
        return await self._listing("/internal/map", {"owner_id": owner_id}, "markers")
