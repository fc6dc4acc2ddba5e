"""OpenTelemetry tracing: one tracer provider per process, OTLP export when configured.

W3C `traceparent` travels in Kafka headers through FastStream's telemetry middleware, so one
upload is one trace from the gateway through every consumer.
"""

from __future__ import annotations

import os

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor


def traces_url(endpoint: str) -> str:
    """OTLP/HTTP's traces path on a collector's base URL (`http://collector:4318` →
    `…/v1/traces`), as OTEL_EXPORTER_OTLP_ENDPOINT is defined; a URL that already names the
    path is kept."""
    base = endpoint.rstrip("/")
    return base if base.endswith("/v1/traces") else f"{base}/v1/traces"


def service_name(service: str) -> str:
    """`OTEL_SERVICE_NAME` when set (the OpenTelemetry convention), else `fotoai-<service>`."""
    return os.environ.get("OTEL_SERVICE_NAME") or f"fotoai-{service}"


def make_tracer_provider(
    service: str, otlp_endpoint: str | None = None, extra: SpanProcessor | None = None
) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({"service.name": service_name(service)}))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_url(otlp_endpoint))))
    if extra is not None:
        provider.add_span_processor(extra)
    return provider


def install(provider: TracerProvider) -> None:
    """Make `provider` the global one (once per process; later calls are ignored by OTel)."""
    trace.set_tracer_provider(provider)
