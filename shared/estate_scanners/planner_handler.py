"""Lambda entry point of the fleet's planner: cut a scan into items, then record its completion.

Two actions, both run by the scan's state machine:

- ``{"action": "plan", "scanner": "s3"|"tags", "scan_id", "scan_started", "request": {...}}``
  — ``request`` is the schedule's payload (``account_id``, ``role_arn``, ``external_id``,
  ``required_tags``, ``regions`` for tags, optionally ``shard_size``). For S3 it lists the
  target account's buckets with the target's credentials; it writes the items as one JSON
  array with its own credentials and returns where they lie and how many there are.
- ``{"action": "complete", "scanner", "scan_id", "scan_started", "account_id",
  "shards": [{label, status, runs, error?, cause?}]}`` — writes the scan manifest (the
  parts the scan wrote, listed from the reports bucket, and each failed shard with its
  error) and publishes the ``ScanCompleted`` and ``ScanShardsFailed`` metrics (EMF,
  namespace ``Estate``, dimensions ``Scanner`` and ``Account``).

Environment: ``REPORTS_BUCKET`` (required), ``REPORTS_KMS_KEY_ID`` (optional).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import (
    AmazonCloudWatchEMFProvider,
)

from estate_runtime.deadline import LambdaContext
from estate_runtime.events import (
    REGION_PATTERN,
    EventInvalid,
    parse_scan_target,
    require_mapping,
    require_str_list,
)
from estate_runtime.invocation import reach_target
from estate_runtime.metrics import (
    COMPLETION_METRIC_NAMES,  # noqa: F401 - re-exported: observability reads the planner's names
    DIMENSION_ACCOUNT,
    DIMENSION_SCANNER,
    NAMESPACE,
    SCAN_COMPLETED,
    SCAN_SHARDS_FAILED,
)
from estate_runtime.report_writer import PART_SUFFIX, SHARD_PATTERN, PartLocation
from estate_runtime.settings import (
    REPORTS_BUCKET,
    REPORTS_KMS_KEY_ID,
    SettingInvalid,
    reports_client,
)
from estate_scanners.planner import (
    manifest,
    manifest_key,
    plan_key,
    read_outcomes,
    read_scanner,
    read_shard_size,
    s3_items,
    tag_items,
    target_fields,
)
from estate_scanners.s3.collector import list_bucket_pages

LOGGER: Final = Logger(service="estate-scan-planner")
_TARGET_FIELDS: Final = ("account_id", "role_arn", "external_id")


def handler(event: dict[str, Any], _context: LambdaContext) -> dict[str, Any]:
    """Dispatch on ``action``."""
    body = require_mapping(event)
    action = body.get("action")
    if action == "plan":
        return plan(body)
    if action == "complete":
        return complete(body)
    raise EventInvalid("action", f"{action!r} is not plan or complete")


def plan(body: Mapping[str, Any]) -> dict[str, Any]:
    """Write the scan's items and say where they lie."""
    scanner = read_scanner(body)
    request = require_mapping(body.get("request"), "request")
    target = parse_scan_target(
        {
            "scan_id": body.get("scan_id"),
            "scan_started": body.get("scan_started"),
            **{name: request[name] for name in _TARGET_FIELDS if name in request},
        }
    )
    session, account_id = reach_target(target, max_pool_connections=10)
    common = target_fields(target, request.get("required_tags"))
    common["account_id"] = account_id
    if scanner == "s3":
        names = [ref.name for page in list_bucket_pages(session.client("s3")) for ref in page]
        items = s3_items(common, names, read_shard_size(request))
    else:
        items = tag_items(common, require_str_list(request, "regions", REGION_PATTERN, "a region"))
    key = plan_key(scanner, account_id, target.scan_started.date(), target.scan_id)
    _put_json(key, [item.to_json() for item in items])
    answer = {
        "scanner": scanner,
        "scan_id": target.scan_id,
        "scan_started": common["scan_started"],
        "account_id": account_id,
        "bucket": _bucket(),
        "key": key,
        "items": len(items),
    }
    LOGGER.info("scan planned", extra={"plan": answer})
    return answer


def complete(body: Mapping[str, Any]) -> dict[str, Any]:
    """Write the manifest, publish the completion metrics, return the manifest's summary."""
    scanner = read_scanner(body)
    target = parse_scan_target(
        {key: body.get(key) for key in ("scan_id", "scan_started", "account_id")}
    )
    if target.account_id is None:
        raise EventInvalid("account_id", "required")
    outcomes = read_outcomes(body.get("shards"))
    scan_date = target.scan_started.date()
    location = PartLocation(scanner, target.account_id, target.scan_id, scan_date)
    record = manifest(
        scanner=scanner,
        account_id=target.account_id,
        scan_id=target.scan_id,
        scan_started=str(body["scan_started"]),
        completed_at=datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        outcomes=outcomes,
        parts=_parts_of(location),
    )
    key = manifest_key(scanner, target.account_id, scan_date, target.scan_id)
    _put_json(key, record)
    publish_completion(scanner, target.account_id, record["shards"]["failed"])
    summary = {name: value for name, value in record.items() if name != "parts"}
    summary["parts"] = len(record["parts"])
    summary["manifest"] = key
    LOGGER.info("scan completed", extra={"manifest": summary})
    return summary


def publish_completion(scanner: str, account_id: str, failed_shards: int) -> dict[str, Any]:
    """Print the completion's EMF document (``ScanCompleted`` = 1) and return it."""
    provider = AmazonCloudWatchEMFProvider(
        metric_set={},
        dimension_set={},
        metadata_set={},
        default_dimensions={},
        namespace=NAMESPACE,
        service="",  # as in estate_runtime.metrics: no "service" dimension
    )
    metrics = Metrics(namespace=NAMESPACE, service="", provider=provider)
    metrics.add_dimension(name=DIMENSION_SCANNER, value=scanner)
    metrics.add_dimension(name=DIMENSION_ACCOUNT, value=account_id)
    metrics.add_metric(SCAN_COMPLETED, MetricUnit.Count, 1)
    metrics.add_metric(SCAN_SHARDS_FAILED, MetricUnit.Count, failed_shards)
    document: dict[str, Any] = dict(metrics.serialize_metric_set())
    metrics.flush_metrics()
    return document


def _bucket() -> str:
    bucket = os.environ.get(REPORTS_BUCKET)
    if not bucket:
        raise SettingInvalid(f"environment variable {REPORTS_BUCKET} is not set")
    return bucket


def _put_json(key: str, document: object) -> None:
    kms_key = os.environ.get(REPORTS_KMS_KEY_ID) or None
    encryption = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key} if kms_key else {}
    reports_client().put_object(
        Bucket=_bucket(),
        Key=key,
        Body=json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8"),
        ContentType="application/json",
        **encryption,
    )


def _parts_of(location: PartLocation) -> list[str]:
    """The scan's part keys: ``<scan_id>-<shard>-<seq>`` exactly, since scan ids may hold
    ``-`` and scan ``a``'s prefix also matches scan ``a-b``'s parts."""
    head = f"{location.folder}{location.scan_id}-"
    tail = re.compile(rf"{SHARD_PATTERN.pattern}-[0-9]{{5,}}{re.escape(PART_SUFFIX)}")
    paginator = reports_client().get_paginator("list_objects_v2")
    return [
        key
        for page in paginator.paginate(Bucket=_bucket(), Prefix=head)
        for item in page.get("Contents", [])
        if tail.fullmatch((key := str(item["Key"]))[len(head) :])
    ]
