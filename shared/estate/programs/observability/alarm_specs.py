"""What each alarm watches, as data: metrics, math, threshold, and missing-data treatment.

Pure: no resources are made here (``alarms.Alarms`` turns specs into CloudWatch alarms), so
each alarm's meaning is tested without Pulumi. Every spec says *why* its
``treat_missing_data`` is what it is, because the wrong choice either pages on silence or
stays silent on an outage:

- rates (errors, 5xx) and counts of bad events (dead letters, throttles, failures, new
  CRITICAL findings, spillover) are *notBreaching* when missing: CloudWatch publishes no
  datapoint when nothing happened, and nothing happening is healthy;
- the scan heartbeat is *breaching* when missing: silence is exactly the failure it exists
  to catch;
- latency is *missing*: no requests means no latency to judge, and the alarm keeps its state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import pulumi

from estate.accounts.model import DEFAULT_ERROR_RATE_PERCENT
from estate.programs.observability import catalog

FIVE_MINUTES: Final = 300
HOUR: Final = 3600
NO_SCAN_HOURS: Final = 26  # a daily schedule, its flexible window and a slow scan
API_P99_LATENCY_MS: Final = 3000.0


class AlarmSpecError(ValueError):
    """An alarm spec that cannot mean what it says."""


@dataclass(frozen=True)
class MetricRef:
    """One metric series an alarm reads."""

    id: str
    namespace: str
    name: str
    stat: str
    period: int
    dimensions: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm: ``expression`` over ``metrics`` (or the single metric), compared to ``threshold``."""

    purpose: str
    description: str
    metrics: tuple[MetricRef, ...]
    comparison: str
    threshold: float
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing_data: str
    missing_data_reason: str
    expression: str | None = None

    def __post_init__(self) -> None:
        if not self.metrics:
            raise AlarmSpecError(f"alarm {self.purpose}: reads no metric")
        if self.expression is None and len(self.metrics) != 1:
            raise AlarmSpecError(f"alarm {self.purpose}: several metrics need an expression")
        if not 1 <= self.datapoints_to_alarm <= self.evaluation_periods:
            raise AlarmSpecError(f"alarm {self.purpose}: datapoints_to_alarm outside 1..periods")
        window = self.metrics[0].period * self.evaluation_periods
        # PutMetricAlarm: at most 1 day for periods under an hour, 7 days otherwise.
        limit = 86_400 if self.metrics[0].period < HOUR else 604_800
        if window > limit:
            raise AlarmSpecError(f"alarm {self.purpose}: evaluates {window} s, over {limit} s")
        if self.treat_missing_data not in {"breaching", "notBreaching", "ignore", "missing"}:
            raise AlarmSpecError(f"alarm {self.purpose}: bad treat_missing_data")
        for metric in self.metrics:
            if not catalog.is_known(metric.namespace, metric.name):
                raise AlarmSpecError(
                    f"alarm {self.purpose}: {metric.namespace} {metric.name} is emitted by "
                    "nothing; add it to estate.programs.observability.catalog or fix the name"
                )


_QUIET_IS_HEALTHY: Final = "no datapoint means nothing happened, which is healthy"


def _any_event(purpose: str, description: str, metric: MetricRef, periods: int = 1) -> AlarmSpec:
    """An alarm on a count of bad events: more than none in ``periods`` periods in a row."""
    return AlarmSpec(
        purpose=purpose,
        description=description,
        metrics=(metric,),
        comparison="GreaterThanThreshold",
        threshold=0,
        evaluation_periods=periods,
        datapoints_to_alarm=periods,
        treat_missing_data="notBreaching",
        missing_data_reason=_QUIET_IS_HEALTHY,
    )


def _rate(
    purpose: str,
    description: str,
    failed: MetricRef,
    total: MetricRef,
    *,
    threshold: float,
    missing_data_reason: str,
) -> AlarmSpec:
    """100 x failed / total above ``threshold`` % for two periods in a row."""
    return AlarmSpec(
        purpose=purpose,
        description=description,
        metrics=(failed, total),
        expression=f"100 * {failed.id} / {total.id}",
        comparison="GreaterThanThreshold",
        threshold=threshold,
        evaluation_periods=2,
        datapoints_to_alarm=2,
        treat_missing_data="notBreaching",
        missing_data_reason=missing_data_reason,
    )


def lambda_error_rate(
    key: str, function_name: pulumi.Input[str], threshold: float = DEFAULT_ERROR_RATE_PERCENT
) -> AlarmSpec:
    """100 x Errors / Invocations above ``threshold`` % for two 5-minute periods in a row."""
    dims = {"FunctionName": function_name}
    return _rate(
        f"{key}-error-rate",
        f"{key}: more than {threshold:g} % of invocations failed, twice in a row",
        MetricRef("errors", "AWS/Lambda", "Errors", "Sum", FIVE_MINUTES, dims),
        MetricRef("invocations", "AWS/Lambda", "Invocations", "Sum", FIVE_MINUTES, dims),
        threshold=threshold,
        missing_data_reason="no invocations gives no rate; idle is not failing (the scan "
        "heartbeat catches a scanner that stopped running)",
    )


def lambda_throttles(key: str, function_name: pulumi.Input[str]) -> AlarmSpec:
    """Any throttled invocation in two 5-minute periods in a row."""
    return _any_event(
        f"{key}-throttles",
        f"{key}: invocations throttled for ten minutes (concurrency exhausted)",
        MetricRef(
            "throttles", "AWS/Lambda", "Throttles", "Sum", FIVE_MINUTES,
            {"FunctionName": function_name},
        ),
        periods=2,
    )  # fmt: skip


def dead_letters(key: str, queue_name: pulumi.Input[str]) -> AlarmSpec:
    """Any visible message in a dead-letter or on-failure queue."""
    return AlarmSpec(
        purpose=f"{key}-dead-letters",
        description=f"{key}: a message failed for good and waits in the queue; read and redrive it",
        metrics=(
            MetricRef(
                "visible",
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                "Maximum",
                FIVE_MINUTES,
                {"QueueName": queue_name},
            ),
        ),
        comparison="GreaterThanThreshold",
        threshold=0,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        treat_missing_data="notBreaching",
        missing_data_reason="SQS reports every queue every 5 minutes; a gap is not a message",
    )


def no_completed_scan(scanner: str, account_id: str) -> AlarmSpec:
    """No ``ScanCompleted`` for ``scanner`` in ``account_id`` in the last 26 hours."""
    return AlarmSpec(
        purpose=f"no-scan-{scanner}-{account_id}",
        description=f"no completed {scanner} scan of account {account_id} in {NO_SCAN_HOURS} hours",
        metrics=(
            MetricRef(
                "completed",
                catalog.ESTATE_NAMESPACE,
                catalog.SCAN_COMPLETED,
                "Sum",
                HOUR,
                {"Scanner": scanner, "Account": account_id},
            ),
        ),
        comparison="LessThanThreshold",
        threshold=1,
        evaluation_periods=NO_SCAN_HOURS,
        datapoints_to_alarm=NO_SCAN_HOURS,
        treat_missing_data="breaching",
        missing_data_reason="the metric exists only when a scan completes: silence is the "
        "failure this alarm is for",
    )


def failed_executions(key: str, state_machine_arn: pulumi.Input[str]) -> AlarmSpec:
    """Any failed execution of a scan's state machine."""
    return _any_event(
        f"{key}-failed-executions",
        f"{key}: a scan's state machine execution failed",
        MetricRef(
            "failed", "AWS/States", "ExecutionsFailed", "Sum", FIVE_MINUTES,
            {"StateMachineArn": state_machine_arn},
        ),
    )  # fmt: skip


def api_5xx_rate(
    api_name: pulumi.Input[str],
    stage: pulumi.Input[str],
    threshold: float = DEFAULT_ERROR_RATE_PERCENT,
) -> AlarmSpec:
    """100 x 5XXError / Count above ``threshold`` % for two periods."""
    dims = {"ApiName": api_name, "Stage": stage}
    return _rate(
        "api-5xx-rate",
        f"API: more than {threshold:g} % of requests failed with 5xx, twice in a row",
        MetricRef("errors", "AWS/ApiGateway", "5XXError", "Sum", FIVE_MINUTES, dims),
        MetricRef("requests", "AWS/ApiGateway", "Count", "Sum", FIVE_MINUTES, dims),
        threshold=threshold,
        missing_data_reason="no requests gives no rate; no traffic is not an outage",
    )


def api_p99_latency(
    api_name: pulumi.Input[str], stage: pulumi.Input[str], limit_ms: float = API_P99_LATENCY_MS
) -> AlarmSpec:
    """p99 latency above ``limit_ms`` for three 5-minute periods in a row."""
    return AlarmSpec(
        purpose="api-p99-latency",
        description=f"API: p99 latency above {limit_ms:g} ms for fifteen minutes",
        metrics=(
            MetricRef(
                "latency",
                "AWS/ApiGateway",
                "Latency",
                "p99",
                FIVE_MINUTES,
                {"ApiName": api_name, "Stage": stage},
            ),
        ),
        comparison="GreaterThanThreshold",
        threshold=limit_ms,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        treat_missing_data="missing",
        missing_data_reason="no requests means no latency to judge; keep the last state",
    )


def provisioned_spillover(function_name: pulumi.Input[str], alias: pulumi.Input[str]) -> AlarmSpec:
    """Invocations of ``function:alias`` beyond its provisioned concurrency (cold starts)."""
    return _any_event(
        "api-provisioned-spillover",
        "API: requests spilled over provisioned concurrency (cold starts); raise "
        "sizes.api_provisioned_concurrency",
        MetricRef(
            "spillover", "AWS/Lambda", "ProvisionedConcurrencySpilloverInvocations", "Sum",
            FIVE_MINUTES,
            {
                "FunctionName": function_name,
                "Resource": pulumi.Output.concat(function_name, ":", alias),
            },
        ),
        periods=2,
    )  # fmt: skip


def new_critical_findings() -> AlarmSpec:
    """Any finding that became new or reopened at CRITICAL (counted by core's alerts)."""
    return _any_event(
        "new-critical-findings",
        "a CRITICAL finding appeared (new or reopened); see the alert e-mail",
        MetricRef(
            "critical", catalog.ESTATE_NAMESPACE, catalog.NEW_CRITICAL, "Sum", FIVE_MINUTES,
            {catalog.CORE_FUNCTION_DIMENSION: catalog.NEW_CRITICAL_FUNCTION},
        ),
    )  # fmt: skip
