"""Post-processing of the generated OpenAPI document so it says what the gateway really sends.

FastAPI documents error responses as `application/json` (and 422 as its own
`HTTPValidationError`); the gateway answers every error as `application/problem+json`. This
rewrites each 4xx/5xx response to the `Problem` schema under that media type, and declares
the bearer security scheme that the routes' flat auth dependency enforces.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fotoai.gateway.entrypoints.schemas import Problem

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def problem_details_openapi(app: FastAPI) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = spec.setdefault("components", {})
        components["securitySchemes"] = {"HTTPBearer": {
            "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": "a JWT with `photos:read` / `photos:write` (or `admin`) in its `scope` claim",
        }}
        schemas = components.setdefault("schemas", {})
        schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for path in spec.get("paths", {}).values():
            for op in path.values():
                for code, resp in op.get("responses", {}).items():
                    if code[:1] in ("4", "5"):
                        resp["content"] = {"application/problem+json": {"schema": PROBLEM_REF}}
                if "requestBody" in op:
                    op["responses"].setdefault("400", {
                        "description": "malformed request body",
                        "content": {"application/problem+json": {"schema": PROBLEM_REF}},
                    })
                if "security" in op:
                    op["responses"].setdefault("401", {
                        "description": "missing or invalid token",
                        "content": {"application/problem+json": {"schema": PROBLEM_REF}},
                    })
        for name in ("HTTPValidationError", "ValidationError"):
            if not any(name in str(p) for p in spec.get("paths", {}).values()):
                schemas.pop(name, None)
        app.openapi_schema = spec
        return spec

    app.openapi = build  # type: ignore[method-assign]
