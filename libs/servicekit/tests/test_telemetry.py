"""The OTLP exporter posts where collectors listen (`<endpoint>/v1/traces`) and the service
name follows OTEL_SERVICE_NAME, as every OpenTelemetry SDK does."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from fotoai.servicekit.telemetry import make_tracer_provider, service_name, traces_url


class Collector(BaseHTTPRequestHandler):
    paths: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Collector.paths.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def collector():
    server = HTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Collector.paths = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_spans_are_posted_to_the_traces_path_of_the_endpoint(collector: str) -> None:
    provider = make_tracer_provider("test", collector)
    with provider.get_tracer("t").start_as_current_span("one"):
        pass
    assert provider.force_flush(10_000)
    provider.shutdown()
    assert Collector.paths == ["/v1/traces"]


def test_traces_url_keeps_an_explicit_path() -> None:
    assert traces_url("http://c:4318/") == "http://c:4318/v1/traces"
    assert traces_url("http://c:4318/v1/traces") == "http://c:4318/v1/traces"


def test_otel_service_name_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    assert service_name("ingest") == "fotoai-ingest"
    monkeypatch.setenv("OTEL_SERVICE_NAME", "photos-ingest-eu")
    provider = make_tracer_provider("ingest")
    assert provider.resource.attributes["service.name"] == "photos-ingest-eu"
