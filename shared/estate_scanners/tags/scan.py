"""The EC2 tag compliance scan of one account: collect, judge, write — callable without Lambda.

One ``ec2.required_tags`` finding per live instance. A region that cannot be read yields one
``ERROR`` finding for that region (resource type ``AWS::::Account``, resource id the region,
since the account itself is fine elsewhere) and the other regions go on.

The check maps to Security Hub control EC2.38 ("EC2 instances should be tagged", in the AWS
Resource Tagging Standard), whose severity is LOW; ours is LOW too. EC2.38 only checks keys;
this check also checks values.

Each region writes its own parts, under shard label ``<shard>_<region without dashes>``
(``0000_euwest1``), numbered from 0 in page order: a rerun of the same scan maps the same
region and pages to the same keys and overwrites them. When the deadline comes first, the
result carries a continuation; running the same scan with it finishes the remaining regions
from their page tokens, each writing from its own ``next_part`` on. A region whose work ends
(complete or failed) removes the parts an earlier, longer run left in its shard, so a scan id
never holds a finding twice. When the whole run completes (no continuation), the parts of
regions the scan id no longer covers (an earlier run of it listed more regions) go too.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from estate_runtime.deadline import Deadline
from estate_runtime.findings import (
    Severity,
    Status,
    account_arn,
    make_finding,
    partition_for_region,
)
from estate_runtime.report_writer import PartLocation, ReportWriter, Sink, remove_other_shards
from estate_runtime.responses import code_and_message
from estate_scanners.tags.collector import (
    PAGE_SIZE,
    REFETCH_PAUSE_S,
    InstancePage,
    RegionOutcome,
    collect_instances,
)
from estate_scanners.tags.continuation import TagScanContinuation
from estate_scanners.tags.evaluate import evaluate_instance
from estate_scanners.tags.rules import TagRule

SCANNER: Final = "tags"
CHECK_ID: Final = "ec2.required_tags"
SEVERITY: Final[Mapping[str, Severity]] = {CHECK_ID: "LOW"}
CONTROLS: Final[Mapping[str, tuple[str, ...]]] = {CHECK_ID: ("SecurityHub:EC2.38",)}
# Regions paged at once: each 1,000-instance page in flight costs ~40 MB while botocore
# parses it (bench/README.md), so Lambda memory, not speed, sets this.
DEFAULT_CONCURRENCY: Final = 4
_MESSAGE_LIMIT: Final = 1024


class ClientSource(Protocol):
    """Anything that hands out a client per service and region (``TargetSession`` does)."""

    def client(self, service: str, region: str | None = None) -> Any:
        """The client of ``service`` in ``region``."""


@dataclass(frozen=True)
class TagScanResult:
    """What one run of the scan did, and where to resume if it did not finish."""

    account_id: str
    scan_id: str
    instances_scanned: int
    findings_by_status: Mapping[str, int]
    failed_by_severity: Mapping[str, int]
    region_errors: Mapping[str, str]
    written_keys: tuple[str, ...]
    findings_written: int
    next_part: Mapping[str, int]
    stale_parts_removed: int
    continuation: TagScanContinuation | None
    elapsed_ms: float

    @property
    def errors(self) -> int:
        """Regions that could not be read: the units that ended in an ERROR finding, the
        ``ScanErrors`` metric (estate_runtime.metrics)."""
        return len(self.region_errors)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able summary (what the Lambda handler returns)."""
        return {
            "scanner": SCANNER,
            "account_id": self.account_id,
            "scan_id": self.scan_id,
            "done": self.continuation is None,
            "instances_scanned": self.instances_scanned,
            "findings_by_status": dict(self.findings_by_status),
            "failed_by_severity": dict(self.failed_by_severity),
            "region_errors": dict(self.region_errors),
            "findings_written": self.findings_written,
            "parts_written": len(self.written_keys),
            "written_keys": list(self.written_keys),
            "next_part": dict(self.next_part),
            "stale_parts_removed": self.stale_parts_removed,
            "continuation": self.continuation.to_json() if self.continuation else None,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }


def scan_tags(
    session: ClientSource,
    *,
    account_id: str,
    regions: Sequence[str],
    rules: Sequence[TagRule],
    scan_id: str,
    scan_started: datetime,
    sink: Sink,
    deadline: Deadline | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    continuation: TagScanContinuation | None = None,
    shard: str = "0000",
    part_size: int = 1000,
    page_size: int = PAGE_SIZE,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    refetch_pause_s: float = REFETCH_PAUSE_S,
) -> TagScanResult:
    """Check every live instance of ``regions`` (or of the continuation) against ``rules``."""
    started = time.monotonic()
    todo = continuation.regions if continuation else tuple(regions)
    judge = _Judge(account_id, scan_id, tuple(rules), clock)
    first_parts = continuation.next_part if continuation else {}
    writers = {
        region: ReportWriter(
            sink,
            scanner=SCANNER,
            account_id=account_id,
            scan_id=scan_id,
            scan_date=scan_started.astimezone(UTC).date(),
            shard=region_shard(shard, region),
            part_size=part_size,
            first_part=first_parts.get(region, 0),
        )
        for region in todo
    }
    try:
        outcomes = collect_instances(
            lambda region: session.client("ec2", region),
            todo,
            on_page=lambda page: judge.page(page, writers[page.region]),
            start_tokens=continuation.next_token if continuation else None,
            deadline=deadline,
            concurrency=concurrency,
            page_size=page_size,
            refetch_pause_s=refetch_pause_s,
        )
        for outcome in outcomes:
            if outcome.status == "failed":
                judge.region_failed(outcome, writers[outcome.region])
    finally:
        reports = {region: writer.close() for region, writer in writers.items()}
    # A region whose work ended (complete or failed) drops what a longer run left in its shard.
    stale = [
        key
        for outcome in outcomes
        if outcome.status != "stopped"
        for key in writers[outcome.region].remove_stale_parts()
    ]
    next_part = {region: report.next_part for region, report in reports.items()}
    resumed = _continuation(outcomes, next_part)
    if resumed is None:
        location = PartLocation(
            SCANNER, account_id, scan_id, scan_started.astimezone(UTC).date(), shard
        )
        stale += remove_other_shards(
            sink,
            location,
            prefix=f"{shard}_",
            keep={region_shard(shard, region) for region in regions},
        )
    return TagScanResult(
        account_id=account_id,
        scan_id=scan_id,
        instances_scanned=judge.instances,
        findings_by_status=dict(judge.by_status),
        failed_by_severity=dict(judge.failed_by_severity),
        region_errors=dict(judge.region_errors),
        written_keys=tuple(key for report in reports.values() for key in report.keys),
        findings_written=sum(report.findings_count for report in reports.values()),
        next_part=next_part,
        stale_parts_removed=len(stale),
        continuation=resumed,
        elapsed_ms=(time.monotonic() - started) * 1000.0,
    )


def region_shard(shard: str, region: str) -> str:
    """The shard label of one region's parts: ``<shard>_<region without dashes>``.

    Each region writes its own numbered parts, so which instances land in which part depends
    only on the scan, the region and its page order — never on how region threads interleave.
    """
    return f"{shard}_{region.replace('-', '')}"


def _continuation(
    outcomes: Sequence[RegionOutcome], next_part: Mapping[str, int]
) -> TagScanContinuation | None:
    stopped = [outcome for outcome in outcomes if outcome.status == "stopped"]
    if not stopped:
        return None
    return TagScanContinuation(
        regions=tuple(outcome.region for outcome in stopped),
        next_token={o.region: o.next_token for o in stopped if o.next_token is not None},
        next_part={o.region: next_part[o.region] for o in stopped},
    )


class _Judge:
    """Turns pages into findings and counts them; called from the collector's threads."""

    def __init__(
        self,
        account_id: str,
        scan_id: str,
        rules: tuple[TagRule, ...],
        clock: Callable[[], datetime],
    ) -> None:
        self._account_id = account_id
        self._scan_id = scan_id
        self._rules = rules
        self._clock = clock
        self._lock = threading.Lock()
        self.instances = 0
        self.by_status: Counter[str] = Counter()
        self.failed_by_severity: Counter[str] = Counter()
        self.region_errors: dict[str, str] = {}

    def page(self, page: InstancePage, writer: ReportWriter) -> None:
        observed_at = self._clock()
        partition = partition_for_region(page.region)
        for instance in page.instances:
            verdict = evaluate_instance(instance.tags, self._rules)
            if verdict.status == "PASS":
                message = (
                    f"Instance {instance.instance_id} carries every required tag "
                    f"({', '.join(verdict.required)}) with an allowed value."
                )
            else:
                message = (
                    f"Instance {instance.instance_id} breaks the tag rules: {verdict.summary()}."
                )
            self._report(
                writer,
                region=page.region,
                resource_type="AWS::EC2::Instance",
                resource_id=instance.instance_id,
                resource_arn=(
                    f"arn:{partition}:ec2:{page.region}:{self._account_id}"
                    f":instance/{instance.instance_id}"
                ),
                status=verdict.status,
                message=message,
                evidence=verdict.evidence(),
                observed_at=observed_at,
            )

    def region_failed(self, outcome: RegionOutcome, writer: ReportWriter) -> None:
        code, detail = _describe_error(outcome.error)
        read = f" after {outcome.pages} page(s) were read" if outcome.pages else ""
        message = (
            f"DescribeInstances failed in {outcome.region} ({code}){read}; instances of that "
            f"region {'beyond those pages ' if outcome.pages else ''}were not checked."
        )
        self._report(
            writer,
            region=outcome.region,
            resource_type="AWS::::Account",
            resource_id=outcome.region,
            resource_arn=account_arn(self._account_id, outcome.region),
            status="ERROR",
            message=message,
            evidence={
                "operation": "DescribeInstances",
                "error_code": code,
                "error_message": detail[:_MESSAGE_LIMIT],
                "pages_read_before_error": outcome.pages,
            },
            observed_at=self._clock(),
        )
        with self._lock:
            self.region_errors[outcome.region] = f"{code}: {detail}"[:_MESSAGE_LIMIT]

    def _report(
        self,
        writer: ReportWriter,
        *,
        region: str,
        resource_type: str,
        resource_id: str,
        resource_arn: str,
        status: Status,
        message: str,
        evidence: Mapping[str, Any],
        observed_at: datetime,
    ) -> None:
        """Write one finding, its message clipped to the schema's limit, and count it."""
        severity = SEVERITY[CHECK_ID]
        finding = make_finding(
            scan_id=self._scan_id,
            scanner=SCANNER,
            account_id=self._account_id,
            region=region,
            resource_type=resource_type,
            resource_id=resource_id,
            resource_arn=resource_arn,
            check_id=CHECK_ID,
            status=status,
            severity=severity,
            message=_clip(message),
            evidence=evidence,
            controls=CONTROLS[CHECK_ID],
            observed_at=observed_at,
        )
        writer.add(finding)
        with self._lock:
            self.by_status[status] += 1
            if status == "FAIL":
                self.failed_by_severity[severity] += 1
            if status != "ERROR":
                self.instances += 1


def _describe_error(error: Exception | None) -> tuple[str, str]:
    return code_and_message(error) if error is not None else ("Unknown", "")


def _clip(message: str) -> str:
    return message if len(message) <= _MESSAGE_LIMIT else message[: _MESSAGE_LIMIT - 1] + "…"
