"""A deterministic history of scans written as real report parts, for the report and Athena.

Every S3 check of the scanners' registry runs on every bucket (and the account-level checks
once per account), and the tag check on every instance, with the checks' own severities and
controls. Each (resource, check) has a fixed hash: about a third fail in every scan; of those,
one in ten is fixed at one scan and fails again the next (resolved, then reopened); of the
passing ones, one in twenty starts failing at one scan (new); about one in a hundred is ERROR
at one scan. So three scans or more hold every lifecycle change. Parts are written through
``ReportWriter`` (validated, gzip JSON Lines, the real key layout) into a folder.

Bucket names and evidence carry characters HTML and JSON treat specially (``<``, ``&``,
quotes), so a report that fails to escape shows it.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from estate_runtime.findings import make_finding
from estate_runtime.report_writer import DirectorySink, ReportWriter
from estate_scanners.s3.checks import account_checks, bucket_checks
from estate_scanners.tags.checks import all_checks as instance_checks

REGION: Final = "eu-west-1"
HOSTILE_TAG: Final = '<script>alert("owner")</script> & co'
FIRST_SCAN: Final = datetime(
    2026, 11, 22, 3, 0, tzinfo=UTC
)  # a Sunday: the scans span a week start


@dataclass(frozen=True)
class Estate:
    """The shape of the synthetic estate."""

    accounts: Sequence[str] = ("111111111111", "222222222222")
    buckets: int = 12
    instances: int = 6
    scans: int = 3
    part_size: int = 1000
    day: timedelta = timedelta(days=1)


def _hash(*parts: object) -> int:
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def status_at(resource: str, check_id: str, scan: int) -> str:
    """The status of one (resource, check) at scan number ``scan`` (0 is the first)."""
    h = _hash(resource, check_id)
    if (h >> 20) % 100 == scan:
        return "ERROR"
    failing = h % 100 < 35
    if failing and (h // 100) % 10 == scan % 10 and scan > 0:
        return "PASS"  # fixed at this scan; fails again at the next one: resolved, reopened
    if not failing and (h // 100) % 20 == scan and scan > 0:
        return "FAIL"  # a regression: new at this scan
    return "FAIL" if failing else "PASS"


def scan_id(account_id: str, scanner: str, scan: int) -> str:
    """The scan id of scan number ``scan``."""
    return f"{scanner}-{account_id}-{scan:03d}"


def _finding(
    *,
    account_id: str,
    scanner: str,
    scan: int,
    when: datetime,
    resource_type: str,
    resource_id: str,
    arn: str,
    check_id: str,
    severity: Any,
    controls: Sequence[str],
) -> dict[str, Any]:
    status: Any = status_at(arn, check_id, scan)
    evidence: dict[str, Any] = {"setting": check_id.partition(".")[2], "observed": status}
    if status == "FAIL":
        evidence["tags"] = {"Owner": HOSTILE_TAG}
    if status == "ERROR":
        evidence = {"error_code": "AccessDenied", "operation": "GetBucketPolicy"}
    return make_finding(
        scan_id=scan_id(account_id, scanner, scan),
        scanner=scanner,
        account_id=account_id,
        region=REGION,
        resource_type=resource_type,
        resource_id=resource_id,
        resource_arn=arn,
        check_id=check_id,
        status=status,
        severity=severity,
        message=f"{check_id} is {status.lower()} on {resource_id} (owner {HOSTILE_TAG})",
        evidence=evidence,
        controls=controls,
        observed_at=when,
    )


def bucket_name(account_id: str, index: int) -> str:
    """A valid bucket name; dots and dashes included."""
    return f"data.{account_id[-4:]}-bucket-{index:05d}"


def s3_findings(estate: Estate, account_id: str, scan: int) -> Iterator[dict[str, Any]]:
    """One S3 scan: every bucket check per bucket, every account check once."""
    when = FIRST_SCAN + scan * estate.day
    for index in range(estate.buckets):
        name = bucket_name(account_id, index)
        for check in bucket_checks():
            yield _finding(
                account_id=account_id,
                scanner="s3",
                scan=scan,
                when=when + timedelta(milliseconds=index),
                resource_type="AWS::S3::Bucket",
                resource_id=name,
                arn=f"arn:aws:s3:::{name}",
                check_id=check.check_id,
                severity=check.severity,
                controls=check.controls,
            )
    for account_check in account_checks():
        yield _finding(
            account_id=account_id,
            scanner="s3",
            scan=scan,
            when=when,
            resource_type="AWS::::Account",
            resource_id=account_id,
            arn=f"arn:aws:iam::{account_id}:root",
            check_id=account_check.check_id,
            severity=account_check.severity,
            controls=account_check.controls,
        )


def tag_findings(estate: Estate, account_id: str, scan: int) -> Iterator[dict[str, Any]]:
    """One tag scan: every tag check per instance."""
    when = FIRST_SCAN + scan * estate.day + timedelta(minutes=5)
    for index, check in itertools.product(range(estate.instances), instance_checks()):
        instance = f"i-{account_id[-4:]}{index:013x}"
        yield _finding(
            account_id=account_id,
            scanner="tags",
            scan=scan,
            when=when,
            resource_id=instance,
            arn=f"arn:aws:ec2:{REGION}:{account_id}:instance/{instance}",
            resource_type=check.resource_type,
            check_id=check.check_id,
            severity=check.severity,
            controls=check.controls,
        )


def write_history(root: Path, estate: Estate = Estate()) -> list[dict[str, Any]]:
    """Write every scan of every account as report parts under ``root``; return the findings."""
    sink = DirectorySink(root)
    written: list[dict[str, Any]] = []
    for account_id in estate.accounts:
        for scan in range(estate.scans):
            for scanner, findings in (
                ("s3", s3_findings(estate, account_id, scan)),
                ("tags", tag_findings(estate, account_id, scan)),
            ):
                when = FIRST_SCAN + scan * estate.day
                with ReportWriter(
                    sink,
                    scanner=scanner,
                    account_id=account_id,
                    scan_id=scan_id(account_id, scanner, scan),
                    scan_date=when.date(),
                    part_size=estate.part_size,
                ) as writer:
                    for finding in findings:
                        writer.add(finding)
                        written.append(finding)
    return written
