"""What the report says, computed from findings alone: scans, compliance, changes, failures.

A *scan* is one (scanner, account, scan_id); its time is the earliest ``observed_at`` of its
findings. Per account and scanner, scans are ordered by that time and each finding, keyed
by (resource ARN, check), is replayed through the findings lifecycle that core's ingest
applies: the first FAIL is ``new``, a FAIL after a FAIL ``open``, a PASS after a FAIL
``resolved``, a FAIL after ``resolved`` ``reopened``; ERROR never changes a state (the check
could not be evaluated, so nothing is known to have been fixed). "Since the previous scan"
lists the findings whose state *changed* at the latest scan: ``new``, ``reopened``,
``resolved``. With a single scan there is no previous scan and no change list.

The headline of an account adds up the latest scan of each of its scanners. Compliance is
PASS / (PASS + FAIL): an ERROR is neither, and is shown beside it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from estate_runtime.findings import SEVERITIES, STATUSES

PASS, FAIL, ERROR = STATUSES
CHANGES: Final = ("new", "reopened", "resolved")

FindingKey = tuple[str, str]  # (resource_arn, check_id) within one account and scanner


def next_state(state: str | None, status: str) -> str | None:
    """The lifecycle state after a finding is observed with ``status`` (core's rules)."""
    if status == FAIL:
        if state is None:
            return "new"
        return "reopened" if state == "resolved" else "open"
    if status == PASS and state in {"new", "open", "reopened"}:
        return "resolved"
    return state  # ERROR, or a PASS of something that never failed


@dataclass
class Scan:
    """One scan's findings (deduplicated by resource and check) and its time."""

    scanner: str
    account_id: str
    scan_id: str
    started: str = ""
    findings: dict[FindingKey, dict[str, Any]] = field(default_factory=dict)
    _counts: Counter[str] | None = field(default=None, repr=False, compare=False)

    def add(self, finding: dict[str, Any]) -> None:
        """Keep one finding; the same resource and check twice keeps the later line."""
        self.findings[(finding["resource_arn"], finding["check_id"])] = finding
        self._counts = None
        observed = finding["observed_at"]
        if not self.started or observed < self.started:
            self.started = observed

    def by_status(self) -> Counter[str]:
        """How many findings have each status (counted once, until the next ``add``)."""
        if self._counts is None:
            self._counts = Counter(f["status"] for f in self.findings.values())
        return Counter(self._counts)

    def compliance(self) -> float | None:
        """PASS / (PASS + FAIL) in percent, or None when nothing was judged."""
        counts = self.by_status()
        judged = counts[PASS] + counts[FAIL]
        return 100.0 * counts[PASS] / judged if judged else None


@dataclass(frozen=True)
class CheckFailures:
    """The FAIL findings of one check in one account's latest scans."""

    check_id: str
    severity: str
    controls: tuple[str, ...]
    findings: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class AccountReport:
    """Everything the report shows for one account."""

    account_id: str
    latest: tuple[Scan, ...]  # the latest scan of each scanner
    history: tuple[Scan, ...]  # every scan, oldest first
    counts: Mapping[str, int]  # by status over the latest scans
    resources: int
    failed_by_severity: Mapping[str, int]
    failures: tuple[CheckFailures, ...]  # by severity (highest first), then count, then id
    changes: Mapping[str, tuple[dict[str, Any], ...]] | None  # None: no previous scan

    @property
    def compliance(self) -> float | None:
        """PASS / (PASS + FAIL) over the latest scans, in percent."""
        judged = self.counts[PASS] + self.counts[FAIL]
        return 100.0 * self.counts[PASS] / judged if judged else None


def collect_scans(findings: Iterable[dict[str, Any]]) -> list[Scan]:
    """Group findings into scans."""
    scans: dict[tuple[str, str, str], Scan] = {}
    for finding in findings:
        key = (finding["scanner"], finding["account_id"], finding["scan_id"])
        scan = scans.get(key)
        if scan is None:
            scan = scans[key] = Scan(*key)
        scan.add(finding)
    return list(scans.values())


def build_accounts(scans: Iterable[Scan]) -> list[AccountReport]:
    """One report per account, in account id order."""
    by_account: dict[str, dict[str, list[Scan]]] = defaultdict(lambda: defaultdict(list))
    for scan in scans:
        by_account[scan.account_id][scan.scanner].append(scan)
    return [_account(account_id, by_account[account_id]) for account_id in sorted(by_account)]


def _account(account_id: str, by_scanner: Mapping[str, list[Scan]]) -> AccountReport:
    latest: list[Scan] = []
    history: list[Scan] = []
    changes: dict[str, list[dict[str, Any]]] | None = None
    for scanner in sorted(by_scanner):
        ordered = sorted(by_scanner[scanner], key=lambda s: (s.started, s.scan_id))
        latest.append(ordered[-1])
        history.extend(ordered)
        if len(ordered) > 1:
            changes = changes or {change: [] for change in CHANGES}
            for change, finding in _changes_at_last(ordered):
                changes[change].append(finding)
    counts: Counter[str] = Counter({PASS: 0, FAIL: 0, ERROR: 0})
    failed: list[dict[str, Any]] = []
    resources: set[str] = set()
    for scan in latest:
        counts.update(scan.by_status())
        failed.extend(f for f in scan.findings.values() if f["status"] == FAIL)
        resources.update(arn for arn, _ in scan.findings)
    return AccountReport(
        account_id=account_id,
        latest=tuple(latest),
        history=tuple(sorted(history, key=lambda s: (s.started, s.scanner, s.scan_id))),
        counts=dict(counts),
        resources=len(resources),
        failed_by_severity={s: sum(f["severity"] == s for f in failed) for s in SEVERITIES},
        failures=_by_check(failed),
        changes=(
            None
            if changes is None
            else {change: tuple(_worst_first(found)) for change, found in changes.items()}
        ),
    )


def _changes_at_last(ordered: list[Scan]) -> Iterable[tuple[str, dict[str, Any]]]:
    """(change, finding) for each finding whose state changed at the last scan."""
    states: dict[FindingKey, str | None] = {}
    for scan in ordered[:-1]:
        for key, finding in scan.findings.items():
            states[key] = next_state(states.get(key), finding["status"])
    for key, finding in ordered[-1].findings.items():
        before = states.get(key)
        after = next_state(before, finding["status"])
        if after != before and after in CHANGES:
            yield after, finding


def _by_check(failed: list[dict[str, Any]]) -> tuple[CheckFailures, ...]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in failed:
        groups[finding["check_id"]].append(finding)
    checks = []
    for check_id, found in groups.items():
        ordered = _worst_first(found)
        checks.append(
            CheckFailures(
                check_id=check_id,
                severity=ordered[0]["severity"],
                controls=tuple(sorted({c for f in found for c in f["controls"]})),
                findings=tuple(ordered),
            )
        )
    return tuple(
        sorted(checks, key=lambda c: (SEVERITIES.index(c.severity), -len(c.findings), c.check_id))
    )


def _worst_first(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(
        findings,
        key=lambda f: (SEVERITIES.index(f["severity"]), f["check_id"], f["resource_id"]),
    )
