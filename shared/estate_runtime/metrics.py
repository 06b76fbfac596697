"""A scan's counters published as CloudWatch embedded metric format (EMF), one blob per scan.

Namespace ``Estate``; every metric carries the dimensions ``Scanner`` (``s3`` or ``tags``)
and ``Account`` (the scanned account id). Findings are counted under *separate metric names*
rather than a ``Status``/``Severity`` dimension: one EMF document holds one dimension set, so
separate names publish everything in one line, and a dashboard or alarm reads each number
without metric math over dimension values.

- ``FindingsPass`` / ``FindingsFail`` / ``FindingsError``: findings by status.
- ``FailedFindingsCritical`` … ``FailedFindingsInformational``: FAIL findings by severity (a
  PASS has a severity too, but counting passes by severity tells nobody anything).
- ``BucketsScanned`` (s3), ``InstancesScanned`` (tags), ``AnalysisExecutionTime``
  (milliseconds of the invocation's scan).
- ``ScanCompleted`` (1 per completed scan) and ``ScanShardsFailed`` (its shards that ended
  failed): published once per scan by the fleet's planner when the scan's state machine
  completes it (``estate_scanners.planner_handler``), with the same two dimensions.
- ``ScanErrors``: the units of work that ended in at least one ERROR finding, one definition
  for both scanners — for s3 the buckets with an ERROR finding plus the account when one of
  its own checks is ERROR; for tags the regions that could not be read (a region's ERROR is
  its one finding). Failed *calls* are not counted: a bucket whose every call failed is one
  error, as it is one bucket the report cannot vouch for; botocore's retried calls are not
  errors at all.

The names are constants here so the observability project can check its dashboards and
alarms against them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import (
    AmazonCloudWatchEMFProvider,
)

from estate_runtime.findings import SEVERITIES, STATUSES

NAMESPACE: Final = "Estate"
DIMENSION_SCANNER: Final = "Scanner"
DIMENSION_ACCOUNT: Final = "Account"

BUCKETS_SCANNED: Final = "BucketsScanned"
INSTANCES_SCANNED: Final = "InstancesScanned"
SCAN_ERRORS: Final = "ScanErrors"
ANALYSIS_EXECUTION_TIME: Final = "AnalysisExecutionTime"
SCAN_COMPLETED: Final = "ScanCompleted"
SCAN_SHARDS_FAILED: Final = "ScanShardsFailed"
# Published once per scan on completion (the planner), not per invocation.
COMPLETION_METRIC_NAMES: Final[frozenset[str]] = frozenset({SCAN_COMPLETED, SCAN_SHARDS_FAILED})
FINDINGS_BY_STATUS: Final[Mapping[str, str]] = {
    status: f"Findings{status.capitalize()}" for status in STATUSES
}
FAILED_FINDINGS_BY_SEVERITY: Final[Mapping[str, str]] = {
    severity: f"FailedFindings{severity.capitalize()}" for severity in SEVERITIES
}
ALL_METRIC_NAMES: Final[frozenset[str]] = frozenset(
    {BUCKETS_SCANNED, INSTANCES_SCANNED, SCAN_ERRORS, ANALYSIS_EXECUTION_TIME}
    | COMPLETION_METRIC_NAMES
    | set(FINDINGS_BY_STATUS.values())
    | set(FAILED_FINDINGS_BY_SEVERITY.values())
)
_RESOURCES_METRIC: Final[Mapping[str, str]] = {"s3": BUCKETS_SCANNED, "tags": INSTANCES_SCANNED}


@dataclass(frozen=True)
class ScanCounters:
    """What one scan invocation counted."""

    scanner: str
    account_id: str
    resources_scanned: int
    findings_by_status: Mapping[str, int] = field(default_factory=dict)
    failed_by_severity: Mapping[str, int] = field(default_factory=dict)
    errors: int = 0  # ScanErrors: units of work with an ERROR finding (see the module doc)
    elapsed_ms: float = 0.0


def scan_metrics(counters: ScanCounters, *, namespace: str = NAMESPACE) -> Metrics:
    """A Powertools ``Metrics`` holding the scan's counters, with its own (unshared) state.

    ``Metrics()`` instances share one module-level store by default; a provider of our own
    keeps two scans in one process from mixing their numbers.
    """
    if counters.scanner not in _RESOURCES_METRIC:
        raise ValueError(f"unknown scanner {counters.scanner!r}")
    provider = AmazonCloudWatchEMFProvider(
        metric_set={},
        dimension_set={},
        metadata_set={},
        default_dimensions={},
        namespace=namespace,
        # "" rather than None: None would let POWERTOOLS_SERVICE_NAME add a "service"
        # dimension, and a changed dimension set is a different metric to CloudWatch.
        service="",
    )
    metrics = Metrics(namespace=namespace, service="", provider=provider)
    metrics.add_dimension(name=DIMENSION_SCANNER, value=counters.scanner)
    metrics.add_dimension(name=DIMENSION_ACCOUNT, value=counters.account_id)
    count = MetricUnit.Count
    metrics.add_metric(_RESOURCES_METRIC[counters.scanner], count, counters.resources_scanned)
    for status, name in FINDINGS_BY_STATUS.items():
        metrics.add_metric(name, count, counters.findings_by_status.get(status, 0))
    for severity, name in FAILED_FINDINGS_BY_SEVERITY.items():
        metrics.add_metric(name, count, counters.failed_by_severity.get(severity, 0))
    metrics.add_metric(SCAN_ERRORS, count, counters.errors)
    metrics.add_metric(ANALYSIS_EXECUTION_TIME, MetricUnit.Milliseconds, counters.elapsed_ms)
    return metrics


def publish_scan_metrics(counters: ScanCounters, *, namespace: str = NAMESPACE) -> dict[str, Any]:
    """Print the scan's EMF document to stdout (Lambda's log stream turns it into metrics).

    Returns the document printed, for logging or tests.
    """
    metrics = scan_metrics(counters, namespace=namespace)
    document: dict[str, Any] = dict(metrics.serialize_metric_set())
    metrics.flush_metrics()
    return document
