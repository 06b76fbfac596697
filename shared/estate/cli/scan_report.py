"""What a scan from the command line shows and keeps: counts, the worst findings, and the
findings themselves as JSON Lines (streamed) or OCSF, ASFF or CSV (rendered at the end)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from estate.cli.scan_cmd import FINDINGS_FORMATS
from estate.cli.scan_options import STREAMED_FORMAT
from estate_runtime.asff import render_asff
from estate_runtime.csv_findings import render_csv
from estate_runtime.findings import SEVERITIES, severity_at_least
from estate_runtime.ocsf import render_ocsf
from estate_runtime.report_writer import Sink, decode_part

ACCOUNT_RESOURCE_TYPE = "AWS::::Account"

WORST_SHOWN = 10
# The formats that need the whole scan (a JSON array, a CSV header): rendered at the end.
RENDERED_AT_END = frozenset(FINDINGS_FORMATS) - {STREAMED_FORMAT}


@dataclass(frozen=True)
class NotJudged:
    """A resource (or a region) with at least one ERROR finding, and the error codes why."""

    resource_id: str
    region: str
    is_region: bool
    codes: frozenset[str]

    def line(self) -> str:
        """One line for stderr."""
        what = f"region {self.region}" if self.is_region else f"{self.resource_id} ({self.region})"
        return f"not judged: {what}: {', '.join(sorted(self.codes))}"


def error_codes(finding: dict[str, Any]) -> frozenset[str]:
    """The error codes an ERROR finding's evidence names, wherever the check put them: a
    failed fetch's ``{"code", "message", "operation"}``, or the tag checker's ``error_code``."""
    codes: set[str] = set()
    stack: list[Any] = [finding.get("evidence")]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if {"code", "operation"} <= value.keys():
                codes.add(str(value["code"]))
            if isinstance(value.get("error_code"), str):
                codes.add(value["error_code"])
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return frozenset(codes or {"ERROR"})


@dataclass
class FindingsSummary:
    """Counts by status and severity, resources seen, the worst failures (bounded), and what
    could not be judged."""

    by_status: Counter[str] = field(default_factory=Counter)
    failed_by_severity: Counter[str] = field(default_factory=Counter)
    by_check: Counter[tuple[str, str]] = field(default_factory=Counter)
    resources: set[str] = field(default_factory=set)
    worst: list[dict[str, Any]] = field(default_factory=list)
    not_judged: dict[str, NotJudged] = field(default_factory=dict)

    def add(self, finding: dict[str, Any]) -> None:
        """Count one finding; keep it if it is among the worst so far."""
        status, severity = finding["status"], finding["severity"]
        self.by_status[status] += 1
        self.by_check[(finding["check_id"], status)] += 1
        self.resources.add(finding["resource_arn"])
        if status == "FAIL":
            self.failed_by_severity[severity] += 1
            self.worst.append(finding)
            self.worst.sort(
                key=lambda f: (SEVERITIES.index(f["severity"]), f["check_id"], f["resource_id"])
            )
            del self.worst[WORST_SHOWN:]
        if status == "ERROR":
            self._not_judged(finding)

    def _not_judged(self, finding: dict[str, Any]) -> None:
        arn, region = finding["resource_arn"], finding["region"]
        seen = self.not_judged.get(arn)
        self.not_judged[arn] = NotJudged(
            resource_id=finding["resource_id"],
            region=region,
            # The tag checker's "region could not be read" finding names the region itself.
            is_region=finding["resource_type"] == ACCOUNT_RESOURCE_TYPE
            and finding["resource_id"] == region,
            codes=error_codes(finding) | (seen.codes if seen else frozenset()),
        )

    def not_judged_lines(self, limit: int) -> list[str]:
        """One line per resource or region in error (at most ``limit``, then a count)."""
        entries = sorted(self.not_judged.values(), key=lambda n: (n.region, n.resource_id))
        lines = [entry.line() for entry in entries[:limit]]
        if len(entries) > limit:
            lines.append(f"... and {len(entries) - limit} more; the ERROR findings name each")
        return lines

    def incomplete_line(self) -> str | None:
        """How many resources and regions were not judged and why; None when all were."""
        if not self.not_judged:
            return None
        regions = [n for n in self.not_judged.values() if n.is_region]
        resources = [n for n in self.not_judged.values() if not n.is_region]
        reasons = Counter(code for n in self.not_judged.values() for code in n.codes)
        why = ", ".join(f"{code} {count}" for code, count in sorted(reasons.items()))
        return (
            f"incomplete scan: {len(resources)} of {len(self.resources) - len(regions)} "
            f"resource(s) and {len(regions)} region(s) not fully judged ({why})"
        )

    def failures_at_least(self, threshold: str) -> int:
        """How many FAIL findings have `threshold` severity or worse."""
        return sum(
            n
            for severity, n in self.failed_by_severity.items()
            if severity_at_least(severity, threshold)
        )

    def render(self) -> str:
        """A plain-text summary table."""
        lines = [
            f"resources: {len(self.resources)}   findings: {sum(self.by_status.values())}   "
            + "   ".join(
                f"{status}: {self.by_status.get(status, 0)}" for status in ("PASS", "FAIL", "ERROR")
            ),
            "failed by severity: "
            + ", ".join(
                f"{severity} {self.failed_by_severity.get(severity, 0)}" for severity in SEVERITIES
            ),
            "",
            f"{'check':<34} {'PASS':>6} {'FAIL':>6} {'ERROR':>6}",
        ]
        for check in sorted({check for check, _ in self.by_check}):
            counts = [self.by_check.get((check, status), 0) for status in ("PASS", "FAIL", "ERROR")]
            lines.append(f"{check:<34} {counts[0]:>6} {counts[1]:>6} {counts[2]:>6}")
        if self.worst:
            lines += ["", "worst failures:"]
            lines += [
                f"  {f['severity']:<13} {f['check_id']:<30} {f['resource_id']}: {f['message']}"
                for f in self.worst
            ]
        return "\n".join(lines)


class ObservingSink:
    """A Sink that shows every written finding to observers, then passes the part on."""

    def __init__(
        self, inner: Sink | None, observers: Sequence[Callable[[dict[str, Any]], None]]
    ) -> None:
        self.inner = inner
        self.observers = tuple(observers)

    def put(self, key: str, body: bytes) -> None:
        """Observe the part's findings, then store it in the inner sink (if any)."""
        for finding in decode_part(body):
            for observe in self.observers:
                observe(finding)
        if self.inner is not None:
            self.inner.put(key, body)

    def list_keys(self, prefix: str) -> Iterator[str]:
        """The inner sink's keys (none without one)."""
        return self.inner.list_keys(prefix) if self.inner is not None else iter(())

    def delete(self, keys: Sequence[str]) -> None:
        """Delete from the inner sink (if any)."""
        if self.inner is not None:
            self.inner.delete(keys)


class JsonLinesWriter:
    """Findings appended to one JSON Lines stream (a file or standard output)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def __call__(self, finding: dict[str, Any]) -> None:
        self.stream.write(json.dumps(finding, sort_keys=True, separators=(",", ":")) + "\n")


def render_findings(
    format_name: str, findings: Sequence[dict[str, Any]], *, asff_product_arn: str
) -> str:
    """The whole scan's findings in a format written at the end (docs/findings.md): OCSF and
    ASFF as one JSON array, CSV with its header row. (JSON Lines is streamed instead.)"""
    if format_name == "ocsf":
        return render_ocsf(findings) + "\n"
    if format_name == "asff":
        return render_asff(findings, product_arn=asff_product_arn) + "\n"
    if format_name == "csv":
        return render_csv(findings)
    raise ValueError(f"unknown findings format {format_name!r}")
