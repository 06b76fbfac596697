"""What the report must show, computed straight from the findings without the report's code."""

from __future__ import annotations

from collections import Counter
from typing import Any


def latest_scans(findings: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """(account, scanner) -> the scan id whose findings were observed last."""
    started: dict[tuple[str, str, str], str] = {}
    for f in findings:
        key = (f["account_id"], f["scanner"], f["scan_id"])
        started[key] = min(started.get(key, f["observed_at"]), f["observed_at"])
    latest: dict[tuple[str, str], tuple[str, str]] = {}
    for (account, scanner, scan), at in started.items():
        if (account, scanner) not in latest or at > latest[(account, scanner)][0]:
            latest[(account, scanner)] = (at, scan)
    return {key: scan for key, (_, scan) in latest.items()}


def headline(findings: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    """account -> counts of PASS/FAIL/ERROR and FAIL by severity over its latest scans."""
    latest = set(latest_scans(findings).values())
    counts: dict[str, Counter[str]] = {}
    for f in findings:
        if f["scan_id"] in latest:
            account = counts.setdefault(f["account_id"], Counter())
            account[f["status"]] += 1
            if f["status"] == "FAIL":
                account[f"fail-{f['severity'].lower()}"] += 1
    return counts


def changes(history: list[str]) -> str | None:
    """The lifecycle change at the last status of ``history``, said another way than core's
    state machine: the last *known* status before it (ERROR is not known) decides."""
    *before, last = history
    known = [s for s in before if s != "ERROR"]
    if last == "FAIL" and "FAIL" not in known:
        return "new"
    if last == "FAIL" and known[-1] == "PASS":
        return "reopened"
    if last == "PASS" and known and known[-1] == "FAIL":
        return "resolved"
    return None


def change_counts(findings: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    """account -> how many findings became new / reopened / resolved at the latest scan."""
    by_key: dict[tuple[str, str, str, str], list[tuple[str, str]]] = {}
    for f in findings:
        key = (f["account_id"], f["scanner"], f["resource_arn"], f["check_id"])
        by_key.setdefault(key, []).append((f["observed_at"], f["status"]))
    result: dict[str, Counter[str]] = {}
    for (account, _, _, _), seen in by_key.items():
        statuses = [status for _, status in sorted(seen)]
        counter = result.setdefault(account, Counter())
        if len(statuses) > 1 and (change := changes(statuses)):
            counter[change] += 1
    return result
