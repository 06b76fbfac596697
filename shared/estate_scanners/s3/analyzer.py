"""Scan an account's buckets (or a shard) into findings, in deterministic parts, until a deadline.

Buckets are processed in name order, in fixed-size batches, and each batch is written as
exactly one part, its findings sorted. A run that starts a scan writes the account-level
findings as part `first_part` and batch `i` as part `first_part + 1 + i`; a continuation
(or a shard, which skips account checks) writes batch `i` as `first_part + i`. A rerun of
the same scan therefore maps every bucket to the same part key and overwrites it,
wherever a deadline cut the earlier run; a completed run deletes parts a longer earlier
run left behind. Before each batch the deadline is asked whether the slowest batch so
far still fits; if not, the run stops and returns a continuation:

- for a shard: `{"buckets": [remaining names, sorted], "next_part": n}`;
- for a whole-account scan: `{"start_after": last name done, "next_part": n}` — a
  cursor, because a list of ten thousand names would not fit the 256 KB a Step
  Functions state may carry.

Everything analysed before the stop is already written.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from estate_runtime.aws import TargetSession
from estate_runtime.deadline import Deadline
from estate_runtime.findings import make_finding
from estate_runtime.report_writer import PartLocation, ReportWriter, Sink, stale_parts_cleanup
from estate_scanners.s3.check_model import BucketSubject, CheckSpec, TagRuleSet, Verdict
from estate_scanners.s3.checks import account_checks, bucket_checks, needed_facts
from estate_scanners.s3.collector import (
    DEFAULT_CONCURRENCY,
    REFETCH_PAUSE_S,
    BucketRef,
    Collector,
)
from estate_scanners.s3.facts import AccountFacts, BucketFacts
from estate_scanners.s3.judging import judge_account, judge_bucket

SCANNER = "s3"
DEFAULT_BATCH_SIZE = 32


@dataclass(frozen=True)
class S3ScanResult:
    """What one run did: counts, written part keys, and where a next run should resume."""

    account_id: str
    buckets_scanned: int
    findings_by_status: dict[str, int]
    failed_by_severity: dict[str, int]
    fetch_errors: int
    calls: int
    keys: tuple[str, ...]
    continuation: dict[str, Any] | None
    # Resources (buckets, and the account for its own checks) with at least one ERROR
    # finding: the `ScanErrors` metric (estate_runtime.metrics).
    resources_in_error: int = 0
    # Items fetched a second time after failing transiently (estate_runtime.retries).
    refetched: int = 0

    @property
    def findings(self) -> int:
        """How many findings the run wrote."""
        return sum(self.findings_by_status.values())


@dataclass
class _Tally:
    keys: list[str] = field(default_factory=list)
    by_status: Counter[str] = field(default_factory=Counter)
    failed_by_severity: Counter[str] = field(default_factory=Counter)
    buckets: int = 0
    in_error: set[str] = field(default_factory=set)

    def count(self, finding: dict[str, Any]) -> None:
        self.by_status[finding["status"]] += 1
        if finding["status"] == "FAIL":
            self.failed_by_severity[finding["severity"]] += 1
        if finding["status"] == "ERROR":
            self.in_error.add(finding["resource_arn"])


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
) -> S3ScanResult:
    """Scan the account's buckets (or the shard `buckets`), writing findings part by part.

    `include_account_checks` defaults to True for a fresh whole-account scan and False for
    a shard or a continuation: an orchestrator fanning out sets it on exactly one shard.
    A bucket list that cannot be read raises `BucketListingFailed` before anything is written.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    deadline = deadline or Deadline.unbounded()
    tag_rules = tag_rules or TagRuleSet()
    if include_account_checks is None:
        include_account_checks = buckets is None and start_after is None
    location = PartLocation(SCANNER, account_id, scan_id, scan_started.date(), shard)
    tally = _Tally()
    continuation: dict[str, Any] | None = None
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
            _write_part(sink, location, part, _account_findings(account, scan_id), tally)
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
                findings.extend(_bucket_findings(facts, account, tag_rules, scan_id))
                tally.buckets += 1
            _write_part(sink, location, part + index, findings, tally)
            slowest_ms = max(slowest_ms, (time.monotonic() - started) * 1000.0)
        if continuation is None:
            stale_parts_cleanup(sink, location, next_part=part + len(batches))
    return S3ScanResult(
        account_id=account_id,
        buckets_scanned=tally.buckets,
        findings_by_status=dict(tally.by_status),
        failed_by_severity=dict(tally.failed_by_severity),
        fetch_errors=collector.stats.fetch_errors,
        calls=collector.stats.calls,
        keys=tuple(tally.keys),
        continuation=continuation,
        resources_in_error=len(tally.in_error),
        refetched=collector.stats.refetched,
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
) -> dict[str, Any]:
    """Where the next run resumes; with nothing done, exactly where this run started."""
    if shard is not None:
        return {"buckets": [ref.name for ref in refs[done:]], "next_part": next_part}
    if done == 0:
        # A continuation that did no batch must hand its own cursor back: None would
        # restart the scan at the first bucket and write every bucket before it twice.
        return {"start_after": incoming_cursor, "next_part": next_part}
    return {"start_after": refs[done - 1].name, "next_part": next_part}


def _account_findings(account: AccountFacts, scan_id: str) -> list[dict[str, Any]]:
    verdicts = ((check, judge_account(check, account)) for check in account_checks())
    return _findings(scan_id, account, (account.account_id, account.arn, account.region), verdicts)


def _bucket_findings(
    facts: BucketFacts, account: AccountFacts, tag_rules: TagRuleSet, scan_id: str
) -> list[dict[str, Any]]:
    subject = BucketSubject(bucket=facts, account=account, tag_rules=tag_rules)
    verdicts = ((check, judge_bucket(check, subject)) for check in bucket_checks())
    return _findings(scan_id, account, (facts.name, facts.arn, facts.region), verdicts)


def _findings(
    scan_id: str,
    account: AccountFacts,
    resource: tuple[str, str, str],
    verdicts: Iterable[tuple[CheckSpec, Verdict]],
) -> list[dict[str, Any]]:
    """One finding per verdict on one resource (id, ARN, region), all observed at one moment."""
    observed = datetime.now(UTC)
    resource_id, resource_arn, region = resource
    return [
        make_finding(
            scan_id=scan_id,
            scanner=SCANNER,
            account_id=account.account_id,
            region=region,
            resource_type=check.resource_type,
            resource_id=resource_id,
            resource_arn=resource_arn,
            check_id=check.check_id,
            status=verdict.status,
            severity=check.severity,
            message=verdict.message,
            evidence=verdict.evidence,
            controls=check.controls_for(verdict),
            observed_at=observed,
        )
        for check, verdict in verdicts
    ]


def _write_part(
    sink: Sink, location: PartLocation, part: int, findings: list[dict[str, Any]], tally: _Tally
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
        writer.add(finding)
        tally.count(finding)
    tally.keys.extend(writer.close().keys)
