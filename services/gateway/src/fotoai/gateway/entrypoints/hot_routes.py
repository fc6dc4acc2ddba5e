"""Hot read routes as plain Starlette endpoints, behind the same authentication.

`GET /v1/photos/{id}` is the most frequent authenticated read (a gallery opens one detail per
photo it shows). Declared through FastAPI it pays the dependency resolution, path-parameter
validation and response-model machinery on every call; here it calls the very same `reader`
(JWT, scope, per-IP and per-user budgets, `RateLimit-*` headers) and the same use case, and
answers the same JSON. Errors (ProblemError, catalog failures) reach the app's error
translation exactly as from a FastAPI route.

The FastAPI declaration of the route stays in `http.py`: it documents the route in the OpenAPI
schema and answers what this one does not match. `hot_routes()` are placed before it, and their
path only matches a valid photo id (the `photo_id` convertor holds the same pattern as
`PhotoId`), so a malformed id still gets FastAPI's validation answer.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from fotoai.gateway.domain.auth import Principal
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


class PhotoIdConvertor(Convertor[str]):
    """A photo id, as `http.PhotoId` declares it: 1-64 of [A-Za-z0-9_-]."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        if not re.fullmatch(self.regex, value):
            raise ValueError(f"not a photo id: {value!r}")
        return value


register_url_convertor("photo_id", PhotoIdConvertor())


def hot_routes(
    reader: Callable[[Request], Awaitable[Principal]], gateway_of: Callable[[Request], Any],
) -> list[Route]:
    """The plain routes, to be tried before the FastAPI routes of the same paths. `reader` is
    the FastAPI routes' own read dependency; `gateway_of` finds the object graph."""

    async def get_photo(request: Request) -> JSONResponse:
        principal = await reader(request)
        gw = gateway_of(request)
        return JSONResponse(await gw.queries.detail(principal.sub, request.path_params["photo_id"]))

    return [
        Route("/v1/photos/{photo_id:photo_id}", get_photo, methods=["GET"], include_in_schema=False,
              name="get_photo_hot"),
    ]
