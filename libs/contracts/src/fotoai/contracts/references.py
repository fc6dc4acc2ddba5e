"""The rule every consumer applies before it acts on an event: objects it references belong to
the event's own photo.

An event names objects (an original, renditions) by bucket and key. A consumer that stored or
served whatever an event names would let anyone who can publish point one photo at another
user's bytes. So every referenced object must be in the bucket of its kind and under
`{owner_id}/{photo_id}/` of the event itself; an event that breaks the rule is not trusted.
The check walks the model, so an event type added later is covered without a line here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fotoai.contracts.events import Envelope, Event, OriginalObject, StoredObject
from pydantic import BaseModel


class UntrustedEvent(ValueError):
    """The event must not be acted upon: park it with this reason and change nothing."""


class ReferenceViolation(UntrustedEvent):
    """The event references an object outside its own photo."""


class OwnerMismatch(UntrustedEvent):
    """The event's owner is not the owner on record for its photo."""


@dataclass(frozen=True)
class Buckets:
    """Where each kind of object lives: originals, everything derived from them in renditions."""

    originals: str
    renditions: str

    def of(self, obj: StoredObject) -> str:
        return self.originals if isinstance(obj, OriginalObject) else self.renditions


def referenced_objects(model: BaseModel, path: str = "$") -> Iterator[tuple[str, StoredObject]]:
    """(field path, object) for every StoredObject anywhere inside `model`."""
    for name in type(model).model_fields:
        yield from _walk(getattr(model, name), f"{path}.{name}")


_SCALARS = (int, float, str, bytes)


def _walk(value: object, path: str) -> Iterator[tuple[str, StoredObject]]:
    if isinstance(value, StoredObject):
        yield path, value
    elif isinstance(value, BaseModel):
        yield from referenced_objects(value, path)
    elif isinstance(value, (list, tuple)):
        if all(isinstance(item, _SCALARS) for item in value):
            return  # an embedding vector, scores: no object inside (one pass, not a walk per item)
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")


def _safe_segment(value: str) -> bool:
    return bool(value) and "/" not in value and value not in (".", "..") and "\x00" not in value


def photo_prefix(event: Event) -> str:
    return f"{event.owner_id}/{event.photo_id}/"


def check_references(event: Envelope, buckets: Buckets) -> None:
    """Raise ReferenceViolation unless every object `event` references is its own photo's."""
    if not isinstance(event, Event):
        # Events keyed by something else (an album, an owner's people) reference no photo objects.
        if not _safe_segment(event.owner_id):
            raise ReferenceViolation(f"{event.TOPIC} {event.event_id}: owner_id may not be empty or contain '/'")
        return
    if not (_safe_segment(event.owner_id) and _safe_segment(event.photo_id)):
        raise ReferenceViolation(
            f"{event.TOPIC} {event.event_id}: owner_id/photo_id may not be empty or contain '/'"
        )
    prefix = photo_prefix(event)
    for path, obj in referenced_objects(event):
        expected = buckets.of(obj)
        if obj.bucket != expected:
            raise ReferenceViolation(
                f"{event.TOPIC} {event.event_id}: {path} is in bucket {obj.bucket!r}, "
                f"expected {expected!r}"
            )
        rest = obj.key[len(prefix):] if obj.key.startswith(prefix) else None
        if not rest or any(part in ("", ".", "..") for part in rest.split("/")):
            raise ReferenceViolation(
                f"{event.TOPIC} {event.event_id}: {path} key {obj.key!r} is not under {prefix!r} "
                "of the event's own photo"
            )


def check_owner(event: Event, owner_on_record: str | None) -> None:
    """Raise OwnerMismatch when the photo is known to belong to someone else."""
    if owner_on_record is not None and owner_on_record != event.owner_id:
        raise OwnerMismatch(
            f"{event.TOPIC} {event.event_id}: photo {event.photo_id} belongs to another owner "
            f"than the event's {event.owner_id!r}"
        )
