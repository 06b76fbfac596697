"""What one run of either scanner did: one tally, one result type, one continuation type.

Both scanners write every finding through `Tally.write`, the one place findings are
counted: by status, FAIL by severity, and the units of work (a bucket, the account, a
region) that ended with an ERROR finding. The run then returns a `ScanResult`; each
handler words it in its own event format (`s3_analyzer_handler.summarize`,
`tag_checker_handler.summarize`), which the scanner fleet's state machine reads.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from estate_runtime.report_writer import ReportWriter, WrittenReport


class Continuation(ABC):
    """Where an unfinished run resumes; its JSON form travels back in the next event."""

    @abstractmethod
    def to_json(self) -> dict[str, Any]:
        """The JSON form handed back to the orchestrator and accepted by the handler."""


class Tally:
    """The counts of one run, kept as findings are written; safe to call from worker threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_status: Counter[str] = Counter()
        self._failed_by_severity: Counter[str] = Counter()
        self._units_in_error: dict[str, str] = {}
        self._part_keys: list[str] = []
        self._resources = 0

    def write(self, writer: ReportWriter, finding: Mapping[str, Any]) -> None:
        """Hand one finding to its writer, then count it (a refused finding is not counted)."""
        writer.add(finding)
        with self._lock:
            status = finding["status"]
            self._by_status[status] += 1
            if status == "FAIL":
                self._failed_by_severity[finding["severity"]] += 1
            if status == "ERROR":
                self._units_in_error.setdefault(finding["resource_id"], finding["message"])

    def judged(self, resources: int = 1) -> None:
        """Count resources whose findings were all written (buckets, instances)."""
        with self._lock:
            self._resources += resources

    def closed(self, report: WrittenReport) -> None:
        """Record the part keys a closed writer wrote."""
        with self._lock:
            self._part_keys.extend(report.keys)

    def result(
        self,
        *,
        scanner: str,
        account_id: str,
        scan_id: str,
        continuation: Continuation | None,
        elapsed_ms: float,
        fetch_errors: int,
        calls: int,
        refetched: int = 0,
        next_part: Mapping[str, int] | None = None,
        stale_parts_removed: int = 0,
    ) -> ScanResult:
        """The run's result, with the counts as they stand."""
        with self._lock:
            return ScanResult(
                scanner=scanner,
                account_id=account_id,
                scan_id=scan_id,
                resources_scanned=self._resources,
                findings_by_status=dict(self._by_status),
                failed_by_severity=dict(self._failed_by_severity),
                units_in_error=dict(self._units_in_error),
                part_keys=tuple(self._part_keys),
                continuation=continuation,
                fetch_errors=fetch_errors,
                calls=calls,
                refetched=refetched,
                next_part=dict(next_part or {}),
                stale_parts_removed=stale_parts_removed,
                elapsed_ms=elapsed_ms,
            )


@dataclass(frozen=True)
class ScanResult:
    """What one run did, and where the next run resumes (`continuation`, None when done).

    `resources_scanned`: buckets or instances judged. `units_in_error`: each unit of work
    (bucket, account, region) with an ERROR finding, by resource id, and the first such
    finding's message — its size is the `ScanErrors` metric (estate_runtime.metrics).
    `calls`: AWS calls that answered (S3: every call of the collector; tags: the
    DescribeInstances pages read). `fetch_errors`: AWS reads that failed for good (after the one retry: a fact for S3, a
    region's page for tags); `refetched`: items read on their second try
    (estate_runtime.retries; only the S3 collector counts them). `next_part`: the
    next free part number of each writer's shard (the S3 shard, or each region for tags).
    """

    scanner: str
    account_id: str
    scan_id: str
    resources_scanned: int
    findings_by_status: Mapping[str, int]
    failed_by_severity: Mapping[str, int]
    units_in_error: Mapping[str, str]
    part_keys: tuple[str, ...]
    continuation: Continuation | None
    fetch_errors: int
    calls: int
    refetched: int
    next_part: Mapping[str, int]
    stale_parts_removed: int
    elapsed_ms: float

    @property
    def findings(self) -> int:
        """How many findings the run wrote."""
        return sum(self.findings_by_status.values())

    @property
    def done(self) -> bool:
        """Whether the scan is complete (no continuation)."""
        return self.continuation is None
