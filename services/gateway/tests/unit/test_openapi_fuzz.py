"""Schemathesis against the gateway's own OpenAPI document: no generated request may cause a
5xx, and answers must conform to the documented status codes, content types and schemas.

Positive and negative (schema-violating) requests. Bounded: a few examples per operation, well under a minute on a busy box. The operations are
driven with Hypothesis directly (schemathesis's lazy pytest fixture does not work with this
pytest version).
"""

from __future__ import annotations

import schemathesis
from fotoai.gateway.main import build_gateway
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import Harness

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


def test_no_server_errors_and_conformance() -> None:
    harness = Harness()
    # The in-process ASGI client of schemathesis runs the lifespan per call; wiring the
    # graph up front keeps the same fakes for every call.
    harness.app.state.gateway = build_gateway(harness.settings, harness.adapters)
    schema = schemathesis.openapi.from_asgi("/openapi.json", harness.app)
    token = harness.token("alice", "photos:read photos:write")
    operations = [r.ok() for r in schema.get_all_operations()]  # type: ignore[union-attr]  # an Err raises on .ok(), failing the test
    assert len(operations) >= 9
    failures: list[str] = []
    for op, mode in [(op, mode) for op in operations for mode in GenerationMode]:

        @given(case=op.as_strategy(mode))
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: schemathesis.Case) -> None:
            headers = dict(case.headers or {})
            headers["Authorization"] = f"Bearer {token}"  # not the generated garbage
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 — gather every operation's failure
            failures.append(f"{op.label} ({mode.value}): {exc}"[:3000])
    assert not failures, "\n\n".join(failures)
