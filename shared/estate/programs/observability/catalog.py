"""Every metric an alarm or a dashboard may read: what our code emits, and what AWS publishes.

Our own metrics come from the code that emits them (``estate_runtime.metrics`` for the
scanners, ``estate_core.config`` for core, the fleet's planner for scan completion), never a
copy. AWS's are the service metrics the platform's alarms and widgets read, each from the
service's CloudWatch metrics page; a test fails when an alarm or widget reads a metric in
neither set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from estate_core.config import ALL_METRIC_NAMES as CORE_METRIC_NAMES
from estate_core.config import METRIC_NEW_CRITICAL, METRICS_NAMESPACE
from estate_runtime import metrics as scanner_metrics

ESTATE_NAMESPACE: Final = scanner_metrics.NAMESPACE
# The fleet's planner publishes this once per completed scan (dimensions Scanner, Account).
# The name is the planner's COMPLETION_METRIC_NAMES; a test holds them equal once the
# planner exists.
SCAN_COMPLETED: Final = "ScanCompleted"
FLEET_METRIC_NAMES: Final = frozenset({SCAN_COMPLETED, "ScanShardsFailed"})
NEW_CRITICAL: Final = METRIC_NEW_CRITICAL
# core's metrics carry one dimension, Function: the core function that counted them.
CORE_FUNCTION_DIMENSION: Final = "Function"
NEW_CRITICAL_FUNCTION: Final = "alerts"


def _emitted() -> dict[str, frozenset[str]]:
    by_namespace: dict[str, frozenset[str]] = {}
    for namespace, names in (
        (scanner_metrics.NAMESPACE, scanner_metrics.ALL_METRIC_NAMES),
        (METRICS_NAMESPACE, CORE_METRIC_NAMES),
        (ESTATE_NAMESPACE, FLEET_METRIC_NAMES),
    ):
        by_namespace[namespace] = by_namespace.get(namespace, frozenset()) | names
    return by_namespace


EMITTED: Final[Mapping[str, frozenset[str]]] = _emitted()

# AWS service metrics the platform reads (docs: "<service> CloudWatch metrics").
AWS_PUBLISHED: Final[Mapping[str, frozenset[str]]] = {
    "AWS/Lambda": frozenset(
        {
            "Invocations",
            "Errors",
            "Throttles",
            "Duration",
            "ConcurrentExecutions",
            "ProvisionedConcurrencySpilloverInvocations",
            "ProvisionedConcurrencyUtilization",
        }
    ),
    "AWS/SQS": frozenset(
        {
            "ApproximateNumberOfMessagesVisible",
            "ApproximateAgeOfOldestMessage",
            "NumberOfMessagesReceived",
        }
    ),
    "AWS/States": frozenset(
        {"ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut"}
    ),
    "AWS/ApiGateway": frozenset({"Count", "4XXError", "5XXError", "Latency"}),
    "AWS/DynamoDB": frozenset({"ThrottledRequests", "ReadThrottleEvents", "WriteThrottleEvents"}),
}


def is_known(namespace: str, name: str) -> bool:
    """True when our code emits the metric or AWS publishes it."""
    return name in EMITTED.get(namespace, frozenset()) or name in AWS_PUBLISHED.get(
        namespace, frozenset()
    )
