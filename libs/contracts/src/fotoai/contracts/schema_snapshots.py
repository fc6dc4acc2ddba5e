"""JSON Schema snapshots of the events and the compatibility rule they are checked against.

`python -m fotoai.contracts.schema_snapshots --write` refreshes the committed snapshots after a
compatible change. A change is compatible when every property of the snapshot still exists with
the same schema and no new property is required: old producers' messages still validate and old
consumers still find every field they read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from fotoai.contracts.events import EVENT_TYPES, Envelope

SNAPSHOT_DIR = Path(__file__).parent / "schemas"


def schema_of(cls: type[Envelope]) -> dict[str, Any]:
    return cls.model_json_schema(mode="serialization")


def snapshot_path(cls: type[Envelope]) -> Path:
    return SNAPSHOT_DIR / f"{cls.TOPIC}.schema.json"


def _resolve(schema: Any, root: dict[str, Any]) -> Any:
    """Inline `$ref`s so two schemas compare by shape, not by definition names."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].split("/")[-1]
            return _resolve(root.get("$defs", {})[name], root)
        return {k: _resolve(v, root) for k, v in schema.items() if k not in ("title", "description")}
    if isinstance(schema, list):
        return [_resolve(v, root) for v in schema]
    return schema


def _object_problems(old: dict[str, Any], new: dict[str, Any], path: str) -> list[str]:
    problems: list[str] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, old_prop in old_props.items():
        where = f"{path}.{name}"
        if name not in new_props:
            problems.append(f"{where}: property removed")
            continue
        new_prop = new_props[name]
        if old_prop.get("type") == "object" and new_prop.get("type") == "object":
            problems += _object_problems(old_prop, new_prop, where)
        elif _without_defaults(old_prop) != _without_defaults(new_prop):
            problems.append(f"{where}: schema changed from {old_prop} to {new_prop}")
    added_required = set(new.get("required", [])) - set(old.get("required", []))
    for name in sorted(added_required):
        problems.append(f"{path}.{name}: became required")
    return problems


def _without_defaults(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_defaults(v) for k, v in schema.items() if k != "default"}
    if isinstance(schema, list):
        return [_without_defaults(v) for v in schema]
    return schema


def compatibility_problems(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Reasons why `new` breaks consumers and producers written against `old` (empty: compatible)."""
    return _object_problems(_resolve(old, old), _resolve(new, new), "$")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="refresh the committed snapshots")
    args = parser.parse_args()
    SNAPSHOT_DIR.mkdir(exist_ok=True)
    failed = False
    for cls in EVENT_TYPES:
        path = snapshot_path(cls)
        new = schema_of(cls)
        if path.exists():
            problems = compatibility_problems(json.loads(path.read_text()), new)
            for p in problems:
                print(f"{cls.TOPIC}: INCOMPATIBLE {p}")
            failed |= bool(problems)
        if args.write and not (path.exists() and failed):
            path.write_text(json.dumps(new, indent=2, sort_keys=True) + "\n")
            print(f"wrote {path}")
    if failed:
        raise SystemExit("incompatible change: publish a new major version (…v2) instead")


if __name__ == "__main__":
    main()
