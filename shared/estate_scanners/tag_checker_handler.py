"""Lambda entry point of the EC2 tag compliance checker: read the event, scan, publish, return.

The required-tag rules travel in the event, not in the environment or a parameter store:
the schedule's payload is generated from ``accounts/<name>.yaml`` at deploy time, so a rule
change is a reviewed deploy, and each run's event records the rules it applied.

Environment: ``REPORTS_BUCKET`` (required) and ``REPORTS_KMS_KEY_ID`` (optional) say where
findings go, written with the function's own credentials (the bucket is confirmed
with one HeadBucket before the scan); ``SCAN_CONCURRENCY`` bounds the
regions paged at once (default 4); ``SCAN_RESERVE_MS`` is the time kept back from the
deadline (default 15,000 ms). EC2 is read with the target account's credentials (the event's
``role_arn`` and ``external_id``). When ``account_id`` is given it must be the account those
credentials act in — a guard against a role pointing at the wrong account.

The result carries ``continuation`` (null when the scan is done): the orchestrator runs the
same event again with it.
"""

from __future__ import annotations

from typing import Any, Final

from aws_lambda_powertools import Logger

from estate_runtime.deadline import LambdaContext
from estate_runtime.invocation import finish_run, invocation_deadline, reach_target
from estate_runtime.metrics import ScanCounters
from estate_runtime.settings import env_int, reports_sink
from estate_scanners.scan_result import ScanResult
from estate_scanners.tags.request import parse_request
from estate_scanners.tags.scan import DEFAULT_CONCURRENCY, scan_tags

LOGGER: Final = Logger(service="estate-tag-checker")
MAX_CONCURRENCY: Final = 32


def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Check the target account's instances in every region of the event (or what is left)."""
    request = parse_request(event)
    deadline = invocation_deadline(context)  # first: a reserve that leaves no time is refused
    concurrency = env_int("SCAN_CONCURRENCY", DEFAULT_CONCURRENCY, maximum=MAX_CONCURRENCY)
    # Before the scan: a wrong REPORTS_BUCKET fails naming it. Parts declare the scan's
    # start, so core keeps the newer of two overlapping scans (docs/core.md).
    sink = reports_sink(request.target.scan_started)
    session, account_id = reach_target(request.target, max_pool_connections=10)
    result = scan_tags(
        session,
        account_id=account_id,
        regions=request.regions,
        tag_rules=request.tag_rules,
        scan_id=request.target.scan_id,
        scan_started=request.target.scan_started,
        sink=sink,
        deadline=deadline,
        concurrency=concurrency,
        continuation=request.continuation,
        shard=request.shard,
    )
    counters = ScanCounters(
        scanner="tags",
        account_id=account_id,
        resources_scanned=result.resources_scanned,
        findings_by_status=result.findings_by_status,
        failed_by_severity=result.failed_by_severity,
        errors=len(result.units_in_error),
        elapsed_ms=result.elapsed_ms,
    )
    return finish_run(LOGGER, "tag scan run finished", counters, summarize(result))


def summarize(result: ScanResult) -> dict[str, Any]:
    """The handler's answer: counts, the parts written, and the continuation (null when done).

    ``region_errors`` maps each unit that ended in ERROR — a region that could not be read (or
    an instance whose check crashed) — to its ERROR finding's message.
    """
    return {
        "scanner": result.scanner,
        "account_id": result.account_id,
        "scan_id": result.scan_id,
        "done": result.done,
        "instances_scanned": result.resources_scanned,
        "findings_by_status": dict(result.findings_by_status),
        "failed_by_severity": dict(result.failed_by_severity),
        "region_errors": dict(result.units_in_error),
        "findings_written": result.findings,
        "parts_written": len(result.part_keys),
        "written_keys": list(result.part_keys),
        "next_part": dict(result.next_part),
        "stale_parts_removed": result.stale_parts_removed,
        "continuation": result.continuation.to_json() if result.continuation else None,
        "elapsed_ms": round(result.elapsed_ms, 1),
    }
