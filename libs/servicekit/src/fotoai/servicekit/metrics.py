"""Prometheus metrics shared by the services (names listed in deploy/grafana/metrics.txt).

Metric objects are process-wide by nature (one /metrics per process), so they live here once
and every service labels them with its own name.
"""

from __future__ import annotations

from prometheus_client import REGISTRY, Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "fotoai_http_requests_total", "HTTP requests by route and status",
    ["service", "method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "fotoai_http_request_duration_seconds", "HTTP request duration",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
DLQ_MESSAGES = Counter(
    "fotoai_dlq_messages_total", "Messages parked on a dead-letter topic", ["service", "topic"]
)
HANDLER_RETRIES = Counter(
    "fotoai_handler_retries_total", "Handler attempts that failed and were retried", ["service", "topic"]
)
DUPLICATES_SKIPPED = Counter(
    "fotoai_duplicate_events_total", "Redelivered events recognised and skipped", ["service", "topic"]
)
STAGE_DURATION = Histogram(
    "fotoai_stage_duration_seconds", "Time spent processing one photo in a stage",
    ["service", "stage", "device"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64),
)
BATCH_SIZE = Histogram(
    "fotoai_batch_size", "Images per model batch", ["service"], buckets=(1, 2, 4, 8, 16, 32, 64)
)
GPU_MEMORY = Gauge("fotoai_gpu_memory_bytes", "GPU memory allocated", ["service", "device"])
CONSUMER_LAG = Gauge(
    "fotoai_consumer_lag", "Messages not yet consumed, per group and partition",
    ["group", "topic", "partition"],
)
PHOTOS_BY_STATUS = Gauge("fotoai_photos_by_status", "Photos in the catalog by status", ["status"])
PHOTOS_REJECTED = Counter("fotoai_photos_rejected_total", "Photos rejected by ingest", ["reason"])
UPLOADS = Counter("fotoai_uploads_total", "Upload attempts at the gateway by result", ["result"])
RATE_LIMITED = Counter("fotoai_rate_limited_total", "Requests refused by a rate limit", ["scope"])

__all__ = [
    "BATCH_SIZE", "CONSUMER_LAG", "DLQ_MESSAGES", "DUPLICATES_SKIPPED", "GPU_MEMORY",
    "HANDLER_RETRIES", "HTTP_DURATION", "HTTP_REQUESTS", "PHOTOS_BY_STATUS", "PHOTOS_REJECTED",
    "RATE_LIMITED", "REGISTRY", "STAGE_DURATION", "UPLOADS",
]


async def report_gpu_memory(service: str, interval_s: float = 15.0) -> None:
    """Publish fotoai_gpu_memory_bytes every `interval_s` while torch runs on a GPU.

    servicekit does not depend on torch: this only looks at it when the service imported it.
    """
    import asyncio
    import sys

    while True:
        torch = sys.modules.get("torch")
        if torch is not None and torch.cuda.is_available():
            for i in range(torch.cuda.device_count()):
                GPU_MEMORY.labels(service, f"cuda:{i}").set(torch.cuda.memory_allocated(i))
        await asyncio.sleep(interval_s)
