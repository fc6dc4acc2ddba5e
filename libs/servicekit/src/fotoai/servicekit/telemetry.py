"""OpenTelemetry tracing: one tracer provider per process, OTLP export when configured.

W3C `traceparent` travels in Kafka headers through FastStream's telemetry middleware, so one
upload is one trace from the gateway through every consumer.
"""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor


def make_tracer_provider(
    service: str, otlp_endpoint: str | None = None, extra: SpanProcessor | None = None
) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({"service.name": f"fotoai-{service}"}))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint)))
    if extra is not None:
        provider.add_span_processor(extra)
    return provider


def install(provider: TracerProvider) -> None:
    """Make `provider` the global one (once per process; later calls are ignored by OTel)."""
    trace.set_tracer_provider(provider)
