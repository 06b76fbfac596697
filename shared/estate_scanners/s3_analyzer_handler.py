"""Lambda entry point of the S3 bucket analyzer: read the event, scan, publish metrics, return.

Environment: `REPORTS_BUCKET` (required) and `REPORTS_KMS_KEY_ID` (optional) say where
findings go (the bucket is confirmed with one HeadBucket before the scan);
`SCAN_CONCURRENCY` bounds concurrent AWS calls (default 64, the measured best);
`SCAN_BATCH_SIZE` is how many buckets make one report part (default 32);
`SCAN_RESERVE_MS` is the time kept back from the deadline (default 15,000 ms).
The result carries `continuation` (null when the scan is complete): the orchestrator
runs the same event again with it.
"""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools import Logger

from estate_runtime.deadline import LambdaContext
from estate_runtime.invocation import finish_run, invocation_deadline, reach_target
from estate_runtime.metrics import ScanCounters
from estate_runtime.settings import env_int, reports_sink
from estate_scanners.s3.analyzer import DEFAULT_BATCH_SIZE, scan_buckets
from estate_scanners.s3.collector import DEFAULT_CONCURRENCY
from estate_scanners.s3.request import S3ScanRequest, parse_request
from estate_scanners.scan_result import ScanResult

LOGGER = Logger(service="estate-s3-analyzer")
MAX_CONCURRENCY = 64
MAX_BATCH_SIZE = 1000


def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Scan the target account's buckets (or a shard) until done or near the deadline."""
    started = time.monotonic()
    request = parse_request(event)
    deadline = invocation_deadline(context)  # first: a reserve that leaves no time is refused
    concurrency = env_int("SCAN_CONCURRENCY", DEFAULT_CONCURRENCY, maximum=MAX_CONCURRENCY)
    # Before the scan: a wrong REPORTS_BUCKET fails naming it. Parts declare the scan's
    # start, so core keeps the newer of two overlapping scans (docs/core.md).
    sink = reports_sink(request.target.scan_started)
    # A pool as large as the thread count: no thread waits for a connection.
    session, account_id = reach_target(request.target, max_pool_connections=max(concurrency, 10))
    result = scan_buckets(
        session,
        account_id=account_id,
        scan_id=request.target.scan_id,
        scan_started=request.target.scan_started,
        sink=sink,
        tag_rules=request.tag_rules,
        deadline=deadline,
        concurrency=concurrency,
        buckets=request.buckets,
        start_after=request.start_after,
        shard=request.shard,
        first_part=request.first_part,
        include_account_checks=request.include_account_checks,
        batch_size=env_int("SCAN_BATCH_SIZE", DEFAULT_BATCH_SIZE, maximum=MAX_BATCH_SIZE),
    )
    counters = ScanCounters(
        scanner="s3",
        account_id=account_id,
        resources_scanned=result.resources_scanned,
        findings_by_status=result.findings_by_status,
        failed_by_severity=result.failed_by_severity,
        errors=len(result.units_in_error),
        elapsed_ms=(time.monotonic() - started) * 1000.0,
    )
    return finish_run(LOGGER, "s3 scan run finished", counters, summarize(request, result))


def summarize(request: S3ScanRequest, result: ScanResult) -> dict[str, Any]:
    """The handler's answer: counts, part count, and the continuation (null when done)."""
    return {
        "scan_id": result.scan_id,
        "account_id": result.account_id,
        "shard": request.shard,
        "done": result.done,
        "buckets_scanned": result.resources_scanned,
        "findings": result.findings,
        "findings_by_status": dict(result.findings_by_status),
        "failed_by_severity": dict(result.failed_by_severity),
        "fetch_errors": result.fetch_errors,
        "resources_in_error": len(result.units_in_error),
        "parts_written": len(result.part_keys),
        "continuation": result.continuation.to_json() if result.continuation else None,
    }
