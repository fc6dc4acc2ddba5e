"""The committed JSON Schema snapshots guard compatibility: a breaking change needs a v2."""

import copy
import json

import pytest
from fotoai.contracts import EVENT_TYPES
from fotoai.contracts.schema_snapshots import compatibility_problems, schema_of, snapshot_path


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda c: c.TOPIC)
def test_models_are_compatible_with_their_committed_snapshot(cls):
    path = snapshot_path(cls)
    assert path.exists(), f"no snapshot for {cls.TOPIC}: run `make schemas` and commit it"
    problems = compatibility_problems(json.loads(path.read_text()), schema_of(cls))
    assert not problems, f"{cls.TOPIC} breaks its snapshot: {problems}. Publish a v2 instead."


def _ingested_schema():
    from fotoai.contracts import PhotoIngestedV1

    return schema_of(PhotoIngestedV1)


def test_removing_a_field_is_incompatible():
    old = _ingested_schema()
    new = copy.deepcopy(old)
    del new["properties"]["width"]
    assert any("width" in p and "removed" in p for p in compatibility_problems(old, new))


def test_changing_a_type_is_incompatible():
    old = _ingested_schema()
    new = copy.deepcopy(old)
    new["properties"]["width"] = {"type": "string"}
    assert any("width" in p for p in compatibility_problems(old, new))


def test_a_new_required_field_is_incompatible_and_a_new_optional_one_is_not():
    old = _ingested_schema()
    optional = copy.deepcopy(old)
    optional["properties"]["colour_space"] = {"type": "string", "default": "srgb"}
    assert compatibility_problems(old, optional) == []
    required = copy.deepcopy(optional)
    required["required"] = [*old.get("required", []), "colour_space"]
    assert any("colour_space" in p for p in compatibility_problems(old, required))


def test_nested_changes_are_seen():
    old = _ingested_schema()
    new = copy.deepcopy(old)
    new["$defs"]["GpsPosition"]["properties"]["lat"] = {"type": "string"}
    assert any("lat" in p for p in compatibility_problems(old, new))
