"""Grafana dashboards are valid, well-formed, and query only metrics that exist."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from faststream.prometheus.container import MetricsContainer
from prometheus_client import CollectorRegistry

GRAFANA = Path(__file__).resolve().parents[2] / "deploy" / "grafana"
DASHBOARDS = sorted(GRAFANA.glob("*.json"))
# A Grafana variable reference; "$1" in label_replace is a regex group, not a variable.
VARIABLE = re.compile(r"\$\{?([A-Za-z_]\w*)")
GRAFANA_BUILTINS = {"__rate_interval", "__range", "__interval"}
EXPECTED = {"pipeline-overview.json", "service.json", "kafka-lag.json", "errors-dlq.json"}


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def exposed_names(registry: CollectorRegistry, prefix: str) -> set[str]:
    """Metric names as /metrics shows them: counters with _total, histograms by base name."""
    names = set()
    for family in registry.collect():
        if not family.name.startswith(prefix):
            continue
        names.add(f"{family.name}_total" if family.type == "counter" else family.name)
    return names


def test_the_four_dashboards_exist() -> None:
    assert EXPECTED <= {p.name for p in DASHBOARDS}


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_dashboard_is_well_formed(promql: ModuleType, path: Path) -> None:
    dashboard = load(path)
    assert dashboard["title"].startswith("FotoAI / ")
    assert dashboard["uid"] and len(dashboard["uid"]) <= 40
    assert isinstance(dashboard["schemaVersion"], int)
    panels = list(promql.iter_panels(dashboard["panels"]))
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids)), f"duplicate panel ids in {path.name}"
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    assert "datasource" in variables
    occupied: set[tuple[int, int]] = set()
    for panel in panels:
        grid = panel["gridPos"]
        assert 0 <= grid["x"] and grid["x"] + grid["w"] <= 24, panel["title"]
        cells = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not cells & occupied, f"{panel['title']} overlaps another panel"
        occupied |= cells
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert panel["targets"], f"{panel['title']} has no query"
        ref_ids = [t["refId"] for t in panel["targets"]]
        assert len(ref_ids) == len(set(ref_ids))
        for target in panel["targets"]:
            for name in VARIABLE.findall(target["expr"]):
                assert name in variables | GRAFANA_BUILTINS, f"unknown variable ${name}"


def test_dashboard_uids_are_unique() -> None:
    uids = [load(p)["uid"] for p in DASHBOARDS]
    assert len(uids) == len(set(uids))


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_every_query_uses_only_listed_metrics(promql: ModuleType, path: Path) -> None:
    listed = promql.load_metric_list(GRAFANA / "metrics.txt")
    unknown = []
    queried = 0
    for where, expression in promql.dashboard_queries(load(path)):
        names = promql.metric_names(expression)
        assert names, f"{where}: no metric in {expression!r}"
        queried += 1
        for name in names:
            if promql.base_name(name, listed) is None:
                unknown.append(f"{where}: {name}")
    assert queried >= 8
    assert not unknown, "\n".join(unknown)


def test_metric_list_has_no_duplicates_and_every_entry_is_used(promql: ModuleType) -> None:
    listed = promql.load_metric_list(GRAFANA / "metrics.txt")
    assert len(listed) == len(set(listed))
    used = {
        promql.base_name(name, listed)
        for path in DASHBOARDS
        for _, expression in promql.dashboard_queries(load(path))
        for name in promql.metric_names(expression)
    }
    assert set(listed) - used == set(), "a listed metric no dashboard shows"


def test_faststream_names_match_the_installed_middleware(promql: ModuleType) -> None:
    """The faststream_* lines are what FastStream's Prometheus middleware really registers."""
    registry = CollectorRegistry()
    MetricsContainer(registry, metrics_prefix="faststream", custom_label_names=())
    exposed = exposed_names(registry, prefix="faststream_")
    listed = {
        n for n in promql.load_metric_list(GRAFANA / "metrics.txt") if n.startswith("faststream_")
    }
    assert len(exposed) >= 8
    assert listed <= exposed, f"not registered by FastStream: {listed - exposed}"


def test_fotoai_names_are_exactly_what_servicekit_registers(promql: ModuleType) -> None:
    """metrics.txt lists every fotoai_* metric the services expose, and nothing else."""
    from fotoai.servicekit import metrics

    exposed = exposed_names(metrics.REGISTRY, prefix="fotoai_")
    listed = {
        n for n in promql.load_metric_list(GRAFANA / "metrics.txt") if n.startswith("fotoai_")
    }
    assert listed == exposed


@pytest.mark.parametrize(
    ("expression", "names"),
    [
        (
            'sum by (le, service) (rate(fotoai_x_bucket{service="$service"}[5m]))',
            {"fotoai_x_bucket"},
        ),
        ("histogram_quantile(0.95, sum by (le) (rate(a_bucket[$__rate_interval])))", {"a_bucket"}),
        (
            'sum by (group) (lag) / on (group) label_replace(rate(b[1m]), "group", "$1", "s", "(.*)")',
            {"lag", "b"},
        ),
        ('count(fotoai_consumer_lag{group=~"$group"} > 0) or vector(0)', {"fotoai_consumer_lag"}),
        ("rate(c_total[5m] offset 1h) * 1e3 + up", {"c_total", "up"}),
        ("sum without (instance) (d) unless ignoring (job) e", {"d", "e"}),
    ],
)
def test_metric_name_extraction(promql: ModuleType, expression: str, names: set[str]) -> None:
    assert promql.metric_names(expression) == names


def test_base_name_resolution(promql: ModuleType) -> None:
    listed = ["fotoai_stage_duration_seconds", "fotoai_uploads_total", "up"]
    assert promql.base_name("fotoai_stage_duration_seconds_bucket", listed) == listed[0]
    assert promql.base_name("fotoai_stage_duration_seconds_count", listed) == listed[0]
    assert promql.base_name("fotoai_uploads_total", listed) == "fotoai_uploads_total"
    assert promql.base_name("fotoai_uploads", listed) == "fotoai_uploads_total"
    assert promql.base_name("fotoai_photos_total", listed) is None
    assert promql.base_name("process_cpu_seconds_total", listed) is None


# Gauges that every catalog replica reports with identical values.
REPLICATED_GAUGES = ("fotoai_consumer_lag", "fotoai_photos_by_status")


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_replicated_gauges_are_deduplicated_before_summing(promql: ModuleType, path: Path) -> None:
    """With N catalog replicas a plain sum would show N times the lag or the photo count."""
    for where, expression in promql.dashboard_queries(load(path)):
        for gauge in REPLICATED_GAUGES:
            uses = len(re.findall(rf"\b{gauge}\b", expression))
            wrapped = len(re.findall(rf"\bmax(?:\s+by\s*\([^)]*\))?\s*\(\s*{gauge}\b", expression))
            assert uses == wrapped, f"{where}: wrap {gauge} in max by (...) first"
