"""JSON in and out of the gateway's hot paths: orjson where it is installed, else the standard
library's C encoder built once.

A photo's detail is ~2.5 KB of JSON read from the catalog and written to the client on every
gallery view; encoding it with the standard library was the largest single cost of the
authenticated read (about a third of its CPU in the app), and orjson does both directions
5-20× faster. Both write what Starlette's `JSONResponse` writes (compact, UTF-8); orjson may
spell a float differently (`1e-7` for `1e-07`) and writes NaN as null where the stdlib refuses it.
"""

from __future__ import annotations

import json
from typing import Any


def _orjson() -> Any:
    try:
        import orjson
    except ImportError:  # the standard library answers the same
        return None
    return orjson


orjson = _orjson()
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))

#: Which implementation answers (`orjson` or `json`), for benchmarks and logs.
BACKEND = "orjson" if orjson is not None else "json"


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON. What orjson cannot encode (an integer over 64 bits, a key that is not
    a string) goes to the standard library, which raises where Starlette's encoder would."""
    if orjson is not None:
        try:
            return orjson.dumps(value)
        except orjson.JSONEncodeError:
            pass
    return _ENCODER.encode(value).encode()


def loads(raw: bytes | str) -> Any:
    """Parse JSON (ValueError when it is not)."""
    if orjson is not None:
        return orjson.loads(raw)
    return json.loads(raw)
