"""Every metric the dashboards may query is really exposed by the running services."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e

METRICS_TXT = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "metrics.txt"
SERVICES = ("gateway", "catalog", "ingest", "enhance", "tagging")


def listed() -> set[str]:
    return {
        line.strip() for line in METRICS_TXT.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    } - {"up"}  # `up` is Prometheus's own


async def test_dashboards_only_use_metrics_the_services_expose(stack_env):
    exposed: dict[str, set[str]] = {}
    async with httpx.AsyncClient(timeout=10) as client:
        for svc in SERVICES:
            url = stack_env[f"FOTOAI_{svc.upper()}_URL"]
            text = (await client.get(f"{url}/metrics")).text
            names = set(re.findall(r"^# TYPE (\S+) ", text, flags=re.MULTILINE))
            # A counter's TYPE line names it without `_total`; samples carry the suffix.
            names |= {f"{n}_total" for n in names}
            exposed[svc] = names
    everywhere = set().union(*exposed.values())
    missing = sorted(m for m in listed() if m not in everywhere)
    assert not missing, f"listed for dashboards but exposed by no service: {missing}"
    for svc in SERVICES:
        assert "fotoai_http_requests_total" in exposed[svc], svc
    for svc in ("ingest", "enhance", "tagging", "catalog"):
        assert "faststream_received_messages_total" in exposed[svc], svc
