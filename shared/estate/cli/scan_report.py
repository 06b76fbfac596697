"""What a scan from the command line shows and keeps: counts, the worst findings, JSON Lines."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from estate_runtime.findings import SEVERITIES, severity_at_least
from estate_runtime.report_writer import Sink

WORST_SHOWN = 10


@dataclass
class FindingsSummary:
    """Counts by status and severity, resources seen, and the worst failures (bounded)."""

    by_status: Counter[str] = field(default_factory=Counter)
    failed_by_severity: Counter[str] = field(default_factory=Counter)
    by_check: Counter[tuple[str, str]] = field(default_factory=Counter)
    resources: set[str] = field(default_factory=set)
    worst: list[dict[str, Any]] = field(default_factory=list)

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


def decode_part(body: bytes) -> Iterator[dict[str, Any]]:
    """The findings of one gzip JSON Lines part."""
    for line in gzip.decompress(body).splitlines():
        if line.strip():
            yield json.loads(line)


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


def is_directory_target(path: Path) -> bool:
    """`--output` names a folder when it exists as one or ends with a slash."""
    return path.is_dir() or str(path).endswith(("/", "\\"))
