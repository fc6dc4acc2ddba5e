"""Which metric names a PromQL expression (or a Grafana dashboard) reads.

A dashboard panel that queries a metric nobody exposes shows "No data" forever, so the
deploy tests extract every metric name from every query and compare it with
``deploy/grafana/metrics.txt``. This module knows enough PromQL to tell a metric name from
a function, a keyword, a label name in ``by (...)``, a label matcher, a duration or a
Grafana variable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

KEYWORDS = frozenset(
    {
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "bool",
        "and",
        "or",
        "unless",
        "offset",
        "inf",
        "nan",
        "atan2",
    }
)

# Suffixes Prometheus client libraries add to a metric's base name in the exposition.
SERIES_SUFFIXES = ("_bucket", "_sum", "_count", "_created", "_total")

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGE = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(
    r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", re.IGNORECASE
)
_VARIABLE = re.compile(r"\$\{[^}]*\}|\$\w+")
_IDENTIFIER = re.compile(r"(?<![\w.:])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?")
_LABEL_VALUES = re.compile(r"^\s*label_values\s*\(\s*([A-Za-z_:][\w:]*)")


def metric_names(expression: str) -> set[str]:
    """The metric names ``expression`` selects, without functions, keywords or labels."""
    text = _STRING.sub(" ", expression)
    text = _MATCHERS.sub(" ", text)
    text = _RANGE.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    text = _VARIABLE.sub(" ", text)
    names = set()
    for match in _IDENTIFIER.finditer(text):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in KEYWORDS:
            continue
        names.add(name)
    return names


def base_name(name: str, known: Iterable[str]) -> str | None:
    """The listed metric ``name`` belongs to, allowing the exposition suffixes."""
    listed = set(known)
    if name in listed:
        return name
    for suffix in SERIES_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in listed:
            return name[: -len(suffix)]
        if suffix == "_total" and f"{name}_total" in listed:
            return f"{name}_total"
    return None


def load_metric_list(path: Path) -> list[str]:
    """Non-empty, non-comment lines of a metrics list file."""
    names = []
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            names.append(stripped)
    return names


def dashboard_queries(dashboard: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, PromQL) for every panel target and every query variable of a dashboard."""
    for panel in iter_panels(dashboard.get("panels") or []):
        for target in panel.get("targets") or []:
            if target.get("expr"):
                yield f"panel {panel.get('id')} {panel.get('title')!r}", target["expr"]
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        if variable.get("type") != "query":
            continue
        query = variable.get("query")
        if isinstance(query, dict):
            query = query.get("query", "")
        label_values = _LABEL_VALUES.match(query or "")
        if label_values:
            yield f"variable {variable.get('name')}", label_values.group(1)
        elif query and not query.strip().startswith(("label_names", "metrics(")):
            yield f"variable {variable.get('name')}", query


def iter_panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Panels, including the ones nested in collapsed rows."""
    for panel in panels:
        yield panel
        yield from iter_panels(panel.get("panels") or [])
