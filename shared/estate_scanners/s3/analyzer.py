"""Scan an account's buckets (or a shard) into findings, in deterministic parts, until a deadline.

Buckets are processed in name order, in fixed-size batches, and each batch is written as
exactly one part, its findings sorted. A run that starts a scan writes the account-level
findings as part `first_part` and batch `i` as part `first_part + 1 + i`; a continuation
(or a shard, which skips account checks) writes batch `i` as `first_part + i`. A rerun of
the same scan therefore maps every bucket to the same part key and overwrites it,
wherever a deadline cut the earlier run; a completed run deletes parts a longer earlier
run left behind. Before each batch the deadline is asked whether the slowest batch so
far still fits; if not, the run stops and returns a `BucketContinuation` (the shard's
remaining buckets, or a cursor for a whole-account scan). Everything analysed before the
stop is already written; every finding is written and counted through one `Tally`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from estate_runtime.aws import TargetSession
from estate_runtime.deadline import Deadline
from estate_runtime.report_writer import PartLocation, ReportWriter, Sink, stale_parts_cleanup
from estate_scanners.check_model import FindingContext, Resource
from estate_scanners.s3.check_model import BucketSubject, FactCheck, TagRuleSet, Verdict
from estate_scanners.s3.checks import account_checks, bucket_checks, needed_facts
from estate_scanners.s3.collector import (
    DEFAULT_CONCURRENCY,
    REFETCH_PAUSE_S,
    BucketRef,
    Collector,
)
from estate_scanners.s3.continuation import BucketContinuation
from estate_scanners.s3.facts import AccountFacts, BucketFacts
from estate_scanners.s3.judging import judge_account, judge_bucket
from estate_scanners.scan_result import ScanResult, Tally

SCANNER = "s3"
DEFAULT_BATCH_SIZE = 32


def scan_buckets(
    session: TargetSession,
    *,
    account_id: str,
    scan_id: str,
    scan_started: datetime,
    sink: Sink,
    tag_rules: TagRuleSet | None = None,
    deadline: Deadline | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    buckets: Sequence[str] | None = None,
    start_after: str | None = None,
    shard: str = "0000",
    first_part: int = 0,
    include_account_checks: bool | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    refetch_pause_s: float = REFETCH_PAUSE_S,
) -> ScanResult:
    """Scan the account's buckets (or the shard `buckets`), writing findings part by part.

    `include_account_checks` defaults to True for a fresh whole-account scan and False for
    a shard or a continuation: an orchestrator fanning out sets it on exactly one shard.
    A bucket list that cannot be read raises `BucketListingFailed` before anything is written.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    started_at = time.monotonic()
    deadline = deadline or Deadline.unbounded()
    tag_rules = tag_rules or TagRuleSet()
    if include_account_checks is None:
        include_account_checks = buckets is None and start_after is None
    location = PartLocation(SCANNER, account_id, scan_id, scan_started.date(), shard)
    context = FindingContext(SCANNER, scan_id, account_id)
    tally = Tally()
    continuation: BucketContinuation | None = None
    with Collector(
        session,
        account_id=account_id,
        facts=needed_facts(),
        concurrency=concurrency,
        refetch_pause_s=refetch_pause_s,
    ) as collector:
        refs = _targets(collector, buckets, start_after)
        account = collector.account_facts()
        part = first_part
        if include_account_checks:
            _write_part(sink, location, part, _account_findings(account, context), tally)
            part += 1
        batches = [refs[i : i + batch_size] for i in range(0, len(refs), batch_size)]
        slowest_ms = 0.0
        for index, batch in enumerate(batches):
            if deadline.should_stop(slowest_ms):
                continuation = _continuation(
                    refs, index * batch_size, buckets, part + index, start_after
                )
                break
            started = time.monotonic()
            findings: list[dict[str, Any]] = []
            for facts in collector.collect(batch):
                findings.extend(_bucket_findings(facts, account, tag_rules, context))
            _write_part(sink, location, part + index, findings, tally)
            tally.judged(len(batch))
            slowest_ms = max(slowest_ms, (time.monotonic() - started) * 1000.0)
        if continuation is None:
            stale_parts_cleanup(sink, location, next_part=part + len(batches))
    return tally.result(
        scanner=SCANNER,
        account_id=account_id,
        scan_id=scan_id,
        continuation=continuation,
        elapsed_ms=(time.monotonic() - started_at) * 1000.0,
        fetch_errors=collector.stats.fetch_errors,
        calls=collector.stats.calls,
        refetched=collector.stats.refetched,
        next_part={shard: continuation.next_part if continuation else part + len(batches)},
    )


def _targets(
    collector: Collector, buckets: Sequence[str] | None, start_after: str | None
) -> list[BucketRef]:
    if buckets is not None:
        names = sorted(set(buckets))
        return [BucketRef(name) for name in names if start_after is None or name > start_after]
    listed = collector.list_buckets()
    return [ref for ref in listed if start_after is None or ref.name > start_after]


def _continuation(
    refs: list[BucketRef],
    done: int,
    shard: Sequence[str] | None,
    next_part: int,
    incoming_cursor: str | None,
) -> BucketContinuation:
    """Where the next run resumes; with nothing done, exactly where this run started."""
    if shard is not None:
        return BucketContinuation(next_part, buckets=tuple(ref.name for ref in refs[done:]))
    if done == 0:
        # A continuation that did no batch must hand its own cursor back: None would
        # restart the scan at the first bucket and write every bucket before it twice.
        return BucketContinuation(next_part, start_after=incoming_cursor)
    return BucketContinuation(next_part, start_after=refs[done - 1].name)


def _account_findings(account: AccountFacts, context: FindingContext) -> list[dict[str, Any]]:
    verdicts = ((check, judge_account(check, account)) for check in account_checks())
    return _findings(context, (account.account_id, account.arn, account.region), verdicts)


def _bucket_findings(
    facts: BucketFacts, account: AccountFacts, tag_rules: TagRuleSet, context: FindingContext
) -> list[dict[str, Any]]:
    subject = BucketSubject(bucket=facts, account=account, tag_rules=tag_rules)
    verdicts = ((check, judge_bucket(check, subject)) for check in bucket_checks())
    return _findings(context, (facts.name, facts.arn, facts.region), verdicts)


def _findings(
    context: FindingContext,
    resource: tuple[str, str, str],
    verdicts: Iterable[tuple[FactCheck, Verdict]],
) -> list[dict[str, Any]]:
    """One finding per verdict on one resource (id, ARN, region), all observed at one moment."""
    observed = datetime.now(UTC)
    resource_id, resource_arn, region = resource
    return [
        context.finding(
            check,
            verdict,
            Resource(check.resource_type, resource_id, resource_arn, region),
            observed,
        )
        for check, verdict in verdicts
    ]


def _write_part(
    sink: Sink, location: PartLocation, part: int, findings: list[dict[str, Any]], tally: Tally
) -> None:
    """Write one batch as exactly one part, findings sorted, so reruns give the same part."""
    if not findings:
        return
    findings.sort(key=lambda finding: (finding["resource_id"], finding["check_id"]))
    writer = ReportWriter(
        sink,
        scanner=location.scanner,
        account_id=location.account_id,
        scan_id=location.scan_id,
        scan_date=location.scan_date,
        shard=location.shard,
        part_size=len(findings),
        first_part=part,
    )
    for finding in findings:
        tally.write(writer, finding)
    tally.closed(writer.close())
