"""Alerts: one message per (scan, account) about findings that became new or reopened.

"Per (scan, account)" within one stream batch: the function sees a batch at a time, so a
scan whose alerting transitions span several batches (over 1,000 in one account, or
several shards) sends one message per batch, each with its own counts. Only transitions
count, so a daily rescan of a known problem (open -> open) says nothing:
it alerted once, the day it was new. Each account's ``alerts.min_severity`` filters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from estate_core import layout
from estate_core.config import AccountInfo
from estate_core.stream import Transition
from estate_runtime.findings import SEVERITIES, severity_at_least

TOP_ITEMS: Final = 10
SUBJECT_MAX: Final = 100  # SNS refuses longer subjects


@dataclass(frozen=True)
class Alert:
    """One message: its account and scan, the transitions it reports, its text."""

    account_id: str
    scan_id: str
    transitions: tuple[Transition, ...]
    subject: str
    message: str


def alerting(transition: Transition, account: AccountInfo) -> bool:
    """Whether people hear about this transition."""
    return transition.state in layout.ALERTING_STATES and severity_at_least(
        str(transition.item["severity"]), account.min_severity
    )


def group_alerts(
    transitions: Iterable[Transition], accounts: Mapping[str, AccountInfo]
) -> list[Alert]:
    """One alert per (account, scan) among the transitions that alert."""
    groups: dict[tuple[str, str], list[Transition]] = defaultdict(list)
    for transition in transitions:
        account_id = str(transition.item[layout.ACCOUNT])
        account = accounts.get(account_id) or AccountInfo(account_id, account_id, "unknown")
        if alerting(transition, account):
            groups[(account_id, str(transition.item["last_scan_id"]))].append(transition)
    alerts = []
    for (account_id, scan_id), members in sorted(groups.items()):
        account = accounts.get(account_id) or AccountInfo(account_id, account_id, "unknown")
        ordered = tuple(sorted(members, key=lambda t: str(t.item[layout.RANK_KEY])))
        alerts.append(
            Alert(
                account_id=account_id,
                scan_id=scan_id,
                transitions=ordered,
                subject=_subject(account, ordered),
                message=_message(account, scan_id, ordered),
            )
        )
    return alerts


def _subject(account: AccountInfo, members: Sequence[Transition]) -> str:
    subject = f"estate: {len(members)} new finding(s) in {account.name} ({account.account_id})"
    return subject[:SUBJECT_MAX]


def _message(account: AccountInfo, scan_id: str, members: Sequence[Transition]) -> str:
    counts: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
    for member in members:
        counts[str(member.item["severity"])] += 1
    lines = [
        f"Account {account.name} ({account.account_id}, {account.stage}), scan {scan_id}:",
        f"{len(members)} finding(s) became new or reopened at {account.min_severity} or above.",
        "",
        "By severity: " + ", ".join(f"{s} {n}" for s, n in counts.items() if n),
        "",
        f"Top {min(TOP_ITEMS, len(members))}:",
    ]
    for member in members[:TOP_ITEMS]:
        item: Mapping[str, Any] = member.item
        lines.append(
            f"- [{item['severity']}] {item['check_id']} on {item['resource_id']} "
            f"({member.state}): {item.get('message', '')}"
        )
    if len(members) > TOP_ITEMS:
        lines.append(f"... and {len(members) - TOP_ITEMS} more; query the findings API.")
    return "\n".join(lines)
