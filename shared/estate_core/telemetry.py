"""core's counters as CloudWatch embedded metric format: one document per invocation.

Namespace ``Estate`` (beside the scanners'), dimension ``Function`` (ingest, alerts,
security-hub); the metric names are ``estate_core.config.ALL_METRIC_NAMES``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import (
    AmazonCloudWatchEMFProvider,
)

from estate_core.config import ALL_METRIC_NAMES, METRICS_NAMESPACE

DIMENSION_FUNCTION: Final = "Function"


def publish_counts(function: str, counts: Mapping[str, int]) -> dict[str, Any]:
    """Print one EMF document of ``counts`` (every name one of ALL_METRIC_NAMES); return it."""
    unknown = sorted(set(counts) - ALL_METRIC_NAMES)
    if unknown:
        raise ValueError(f"unknown core metrics {unknown}; add them to config.ALL_METRIC_NAMES")
    # An unshared provider: Metrics() instances otherwise share one module-level store.
    provider = AmazonCloudWatchEMFProvider(
        metric_set={},
        dimension_set={},
        metadata_set={},
        default_dimensions={},
        namespace=METRICS_NAMESPACE,
        service="",
    )
    metrics = Metrics(namespace=METRICS_NAMESPACE, service="", provider=provider)
    metrics.add_dimension(name=DIMENSION_FUNCTION, value=function)
    for name, value in sorted(counts.items()):
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    document: dict[str, Any] = dict(metrics.serialize_metric_set())
    metrics.flush_metrics()
    return document
