"""One CloudWatch dashboard per account: scan health, findings, pipeline health, the API.

The body is built as data (``dashboard_widgets``) and serialised once its names resolve.
Every series names a metric of ``catalog`` (a test walks the recorded body), so a widget
can never chart a metric nothing emits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pulumi
import pulumi_aws as aws

from estate.programs.observability import catalog
from estate.programs.observability.alarm_specs import FIVE_MINUTES, HOUR
from estate_core import config as core_config
from estate_runtime import metrics as scanner_metrics
from estate_runtime.findings import SEVERITIES, STATUSES

WIDTH: Final = 12  # two widgets per row of the 24-column grid
HEIGHT: Final = 6

Series = list[Any]  # [namespace, name, dim, value, ..., {options}]


class DashboardError(ValueError):
    """A widget that reads a metric nothing emits."""


@dataclass(frozen=True)
class DashboardArgs:
    """What the dashboard shows for one account."""

    dashboard_name: str
    region: str
    scans: Sequence[tuple[str, str]]  # (scanner, scanned account id); may be empty
    functions: Mapping[str, pulumi.Input[str]]  # key -> function name
    dead_letter_queues: Mapping[str, pulumi.Input[str]]  # key -> queue name
    ingest_queue_name: pulumi.Input[str]
    table_name: pulumi.Input[str]
    api_name: pulumi.Input[str]
    api_stage: pulumi.Input[str]


def series(
    namespace: str, name: str, dims: Mapping[str, pulumi.Input[str]], **options: Any
) -> Series:
    """One line of a metric widget; refuses a metric nothing emits."""
    if not catalog.is_known(namespace, name):
        raise DashboardError(f"dashboard reads {namespace} {name}, which nothing emits")
    flat: Series = [namespace, name]
    for key, value in dims.items():
        flat += [key, value]
    return [*flat, options] if options else flat


def _widget(title: str, lines: list[Series], region: str, stat: str, period: int) -> dict[str, Any]:
    return {
        "type": "metric",
        "width": WIDTH,
        "height": HEIGHT,
        "properties": {
            "title": title,
            "region": region,
            "view": "timeSeries",
            "stat": stat,
            "period": period,
            "metrics": lines,
        },
    }


def _scan_health(args: DashboardArgs) -> list[dict[str, Any]]:
    ns = scanner_metrics.NAMESPACE
    resources = {"s3": scanner_metrics.BUCKETS_SCANNED, "tags": scanner_metrics.INSTANCES_SCANNED}
    dims = [({"Scanner": s, "Account": a}, f"{s} {a}") for s, a in args.scans]
    return [
        _widget(
            "Resources scanned",
            [series(ns, resources[d["Scanner"]], d, label=label) for d, label in dims],
            args.region, "Sum", HOUR,
        ),
        _widget(
            "Analysis time (ms)",
            [series(ns, scanner_metrics.ANALYSIS_EXECUTION_TIME, d, label=label) for d, label in dims],
            args.region, "Maximum", HOUR,
        ),
        _widget(
            "Scan errors",
            [series(ns, scanner_metrics.SCAN_ERRORS, d, label=label) for d, label in dims],
            args.region, "Sum", HOUR,
        ),
        _widget(
            "Completed scans (last completion)",
            [series(catalog.ESTATE_NAMESPACE, catalog.SCAN_COMPLETED, d, label=label) for d, label in dims],
            args.region, "Sum", HOUR,
        ),
    ]  # fmt: skip


def _findings(args: DashboardArgs) -> list[dict[str, Any]]:
    ns = scanner_metrics.NAMESPACE
    by_status = [
        series(ns, scanner_metrics.FINDINGS_BY_STATUS[status], {"Scanner": s, "Account": a},
               label=f"{status} {s} {a}")
        for status in STATUSES for s, a in args.scans
    ]  # fmt: skip
    by_severity = [
        series(ns, scanner_metrics.FAILED_FINDINGS_BY_SEVERITY[severity],
               {"Scanner": s, "Account": a}, label=f"{severity} {s} {a}")
        for severity in SEVERITIES for s, a in args.scans
    ]  # fmt: skip
    changes = [
        series(core_config.METRICS_NAMESPACE, core_config.METRIC_STATE_CHANGES,
               {catalog.CORE_FUNCTION_DIMENSION: catalog.INGEST_FUNCTION}, label="state changes"),
        series(catalog.ESTATE_NAMESPACE, catalog.NEW_CRITICAL,
               {catalog.CORE_FUNCTION_DIMENSION: catalog.NEW_CRITICAL_FUNCTION},
               label="new CRITICAL"),
    ]  # fmt: skip
    return [
        _widget("Findings by status", by_status, args.region, "Sum", HOUR),
        _widget("Failing findings by severity", by_severity, args.region, "Sum", HOUR),
        _widget("Finding state changes", changes, args.region, "Sum", HOUR),
    ]


def _pipeline(args: DashboardArgs) -> list[dict[str, Any]]:
    sqs = "AWS/SQS"
    core_ns = core_config.METRICS_NAMESPACE
    ingest = {catalog.CORE_FUNCTION_DIMENSION: catalog.INGEST_FUNCTION}
    return [
        _widget(
            "Ingest queue: oldest message (s)",
            [series(sqs, "ApproximateAgeOfOldestMessage", {"QueueName": args.ingest_queue_name})],
            args.region, "Maximum", FIVE_MINUTES,
        ),
        _widget(
            "Dead-letter and on-failure queues: depth",
            [series(sqs, "ApproximateNumberOfMessagesVisible", {"QueueName": q}, label=key)
             for key, q in args.dead_letter_queues.items()],
            args.region, "Maximum", FIVE_MINUTES,
        ),
        _widget(
            "Quarantined report lines and parts",
            [series(core_ns, core_config.METRIC_LINES_QUARANTINED, ingest, label="lines"),
             series(core_ns, core_config.METRIC_PARTS_QUARANTINED, ingest, label="parts")],
            args.region, "Sum", FIVE_MINUTES,
        ),
        _widget(
            "Ingest messages put off (account lease busy, or time short)",
            [series(core_ns, core_config.METRIC_MESSAGES_DEFERRED, ingest)],
            args.region, "Sum", FIVE_MINUTES,
        ),
        _widget(
            "Findings table throttles",
            [series("AWS/DynamoDB", "ReadThrottleEvents", {"TableName": args.table_name}),
             series("AWS/DynamoDB", "WriteThrottleEvents", {"TableName": args.table_name})],
            args.region, "Sum", FIVE_MINUTES,
        ),
        _widget(
            "Lambda errors",
            [series("AWS/Lambda", "Errors", {"FunctionName": f}, label=key)
             for key, f in args.functions.items()],
            args.region, "Sum", FIVE_MINUTES,
        ),
    ]  # fmt: skip


def _api(args: DashboardArgs) -> list[dict[str, Any]]:
    api = "AWS/ApiGateway"
    dims = {"ApiName": args.api_name, "Stage": args.api_stage}
    return [
        _widget(
            "API requests and errors",
            [series(api, "Count", dims, label="requests"),
             series(api, "4XXError", dims, label="4xx"),
             series(api, "5XXError", dims, label="5xx")],
            args.region, "Sum", FIVE_MINUTES,
        ),
        _widget(
            "API latency (ms)",
            [series(api, "Latency", dims, stat="p50", label="p50"),
             series(api, "Latency", dims, stat="p99", label="p99")],
            args.region, "Average", FIVE_MINUTES,
        ),
    ]  # fmt: skip


def _section(title: str) -> dict[str, Any]:
    return {"type": "text", "width": 24, "height": 1, "properties": {"markdown": f"## {title}"}}


def dashboard_widgets(args: DashboardArgs) -> list[dict[str, Any]]:
    """The widgets, section by section, laid out on CloudWatch's 24-column grid."""
    widgets: list[dict[str, Any]] = []
    for title, block in (
        ("Scan health", _scan_health(args)),
        ("Findings by state and severity", _findings(args)),
        ("Pipeline health", _pipeline(args)),
        ("API", _api(args)),
    ):
        widgets += [_section(title), *block]
    x = y = 0
    for widget in widgets:
        if x + widget["width"] > 24:  # no room left on this row
            x, y = 0, y + HEIGHT
        widget["x"], widget["y"] = x, y
        x += widget["width"]
        if x >= 24:
            x, y = 0, y + widget["height"]
    return widgets


class AccountDashboard(pulumi.ComponentResource):
    """The account's CloudWatch dashboard."""

    name: pulumi.Output[str]

    def __init__(
        self, name: str, args: DashboardArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("estate:observability:AccountDashboard", name, None, opts)
        body = pulumi.Output.from_input({"widgets": dashboard_widgets(args)}).apply(
            lambda resolved: json.dumps(resolved, sort_keys=True)
        )
        dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=args.dashboard_name,
            dashboard_body=body,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.name = dashboard.dashboard_name
        self.register_outputs({"name": self.name})
