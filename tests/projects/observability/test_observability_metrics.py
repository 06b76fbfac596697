"""Every metric a dashboard widget or an alarm reads is one our code emits or AWS publishes;
the dashboard is valid CloudWatch dashboard JSON laid out on its 24-column grid."""

from __future__ import annotations

import json
from itertools import combinations
from typing import Any

import pytest

from estate.programs.observability import catalog
from estate.programs.observability.dashboard import DashboardError, series
from estate_core import config as core_config
from estate_runtime import metrics as scanner_metrics
from tests.support.observability_world import Recorded, platform, record


@pytest.fixture(scope="module")
def recorded() -> list[Recorded]:
    return record(platform())


def _dashboard(recorded: list[Recorded]) -> dict[str, Any]:
    (dashboard,) = [r for r in recorded if r.type == "aws:cloudwatch/dashboard:Dashboard"]
    body: dict[str, Any] = json.loads(dashboard.inputs["dashboardBody"])
    return body


def _dashboard_metrics(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (line[0], line[1])
        for widget in body["widgets"]
        if widget["type"] == "metric"
        for line in widget["properties"]["metrics"]
    ]


def _alarm_metrics(recorded: list[Recorded]) -> list[tuple[str, str]]:
    return [
        (q["metric"]["namespace"], q["metric"]["metricName"])
        for r in recorded
        if r.type == "aws:cloudwatch/metricAlarm:MetricAlarm"
        for q in r.inputs["metricQueries"]
        if "metric" in q
    ]


def test_every_metric_read_is_emitted_by_our_code_or_published_by_aws(
    recorded: list[Recorded],
) -> None:
    read = _dashboard_metrics(_dashboard(recorded)) + _alarm_metrics(recorded)
    assert read
    unknown = sorted({m for m in read if not catalog.is_known(*m)})
    assert unknown == []


def test_the_catalogue_holds_what_the_code_emits_not_a_copy() -> None:
    emitted = catalog.EMITTED[scanner_metrics.NAMESPACE]
    assert emitted >= scanner_metrics.ALL_METRIC_NAMES
    assert catalog.EMITTED[core_config.METRICS_NAMESPACE] >= core_config.ALL_METRIC_NAMES
    assert not catalog.is_known(scanner_metrics.NAMESPACE, "BucketsScaned")


def test_the_fleets_completion_metrics_are_the_planners() -> None:
    planner = pytest.importorskip(
        "estate_scanners.planner_handler", reason="scanner-fleet's planner has not landed yet"
    )
    assert planner.COMPLETION_METRIC_NAMES == catalog.FLEET_METRIC_NAMES
    assert planner.SCAN_COMPLETED == catalog.SCAN_COMPLETED


def test_a_widget_on_a_metric_nothing_emits_is_refused() -> None:
    with pytest.raises(DashboardError, match="AWS/Lambda Erors"):
        series("AWS/Lambda", "Erors", {"FunctionName": "f"})


def test_the_dashboard_has_its_four_sections_and_every_scan(recorded: list[Recorded]) -> None:
    body = _dashboard(recorded)
    titles = [w["properties"]["markdown"] for w in body["widgets"] if w["type"] == "text"]
    assert titles == [
        "## Scan health",
        "## Findings by state and severity",
        "## Pipeline health",
        "## API",
    ]
    lines = [
        line
        for w in body["widgets"]
        if w["type"] == "metric"
        for line in w["properties"]["metrics"]
    ]
    for scanner, account in platform().scans:
        assert any(
            line[1] in {scanner_metrics.BUCKETS_SCANNED, scanner_metrics.INSTANCES_SCANNED}
            and line[2:6] == ["Scanner", scanner, "Account", account]
            for line in lines
        )
    for queue in platform().dead_letter_queues.values():
        assert any(line[1:4] == ["ApproximateNumberOfMessagesVisible", "QueueName", queue]
                   for line in lines)  # fmt: skip
    assert any(line[1] == "Latency" and line[-1].get("stat") == "p99" for line in lines)


def test_widgets_sit_on_the_grid_without_overlapping(recorded: list[Recorded]) -> None:
    widgets = _dashboard(recorded)["widgets"]
    for widget in widgets:
        assert widget["x"] >= 0 and widget["x"] + widget["width"] <= 24
        assert widget["type"] in {"metric", "text"}
    for a, b in combinations(widgets, 2):
        apart_x = a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
        apart_y = a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]
        assert apart_x or apart_y, (a, b)
