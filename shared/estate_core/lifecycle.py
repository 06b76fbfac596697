"""A finding's lifecycle: how one more observation changes its table item, decided purely.

first FAIL -> new; FAIL again -> open; FAIL -> PASS -> resolved; resolved -> FAIL ->
reopened. ERROR never resolves anything: the item keeps its last known status and state and
records the error.

Observations are ordered by their scan's start time, then by when they were made: an
observation whose (scan start, observed) is no later than the item's changes nothing. So a
redelivered part is a no-op, and a scan that started earlier never overwrites one that
started later, even when it is slower and observes the resource after it. A part that does
not declare its scan's start orders by its findings' ``observed_at`` (the scan started at
or before it).

The decision needs only a few attributes of the item (``DECISION_ATTRIBUTES``); the change
is expressed as attributes to set, to set only where absent, and to remove.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from estate_core import layout
from estate_core.config import AccountInfo

SCAN_STARTED: Final = "scan_started"

# What the decision reads of an existing item (the BatchGetItem projection): with these,
# every change but an ERROR on a known item rebuilds the whole item.
DECISION_ATTRIBUTES: Final = (
    layout.KEY,
    layout.STATE,
    "last_seen",
    SCAN_STARTED,
    "first_seen",
    "state_changed_at",
)


def normalised_time(timestamp: str) -> str:
    """ISO 8601 UTC with exactly six fractional digits, so string order is time order."""
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def next_state(previous: str | None, status: str) -> str:
    """The state after observing ``status`` in state ``previous`` (None: never seen)."""
    if status == "FAIL":
        if previous in layout.FAILING_STATES:
            return layout.OPEN
        return layout.REOPENED if previous == layout.RESOLVED else layout.NEW
    if status == "PASS":
        if previous in layout.FAILING_STATES or previous == layout.RESOLVED:
            return layout.RESOLVED
        return layout.PASSING
    # ERROR: the last known state stands; a never-judged item is unknown.
    return layout.UNKNOWN if previous is None else previous


@dataclass(frozen=True)
class ItemChange:
    """One item's update: set these, set those only where absent, remove the rest."""

    item_id: str
    previous_state: str | None
    state: str
    set: Mapping[str, Any]
    set_if_absent: Mapping[str, Any] = field(default_factory=dict)
    remove: tuple[str, ...] = ()

    @property
    def needs_whole_item(self) -> bool:
        """An ERROR on a known item keeps attributes the decision did not read."""
        return self.previous_state is not None and "status" in self.set_if_absent

    @property
    def changed_state(self) -> bool:
        """Whether the lifecycle moved (a new item always does)."""
        return self.previous_state != self.state


def order_of(finding: Mapping[str, Any], scan_started: str | None) -> tuple[str, str]:
    """(scan start, observed) of a finding, normalised: later tuples are newer observations."""
    observed = normalised_time(finding["observed_at"])
    return (observed if scan_started is None else normalised_time(scan_started)), observed


def item_order(item: Mapping[str, Any]) -> tuple[str, str]:
    """(scan start, last seen) of an item; one without a scan start orders by its last_seen."""
    seen = str(item["last_seen"])
    return str(item.get(SCAN_STARTED, seen)), seen


def observe(
    item: Mapping[str, Any] | None,
    finding: Mapping[str, Any],
    account: AccountInfo,
    *,
    scan_started: str | None = None,
) -> ItemChange | None:
    """The change ``finding`` (validated) of a scan started at ``scan_started`` (None: not
    declared) makes to ``item``; None when it is not newer."""
    started, observed = order_of(finding, scan_started)
    if item is not None and (started, observed) <= item_order(item):
        return None
    status = finding["status"]
    previous_state = None if item is None else str(item[layout.STATE])
    state = next_state(previous_state, status)
    values: dict[str, Any] = {
        layout.ACCOUNT: finding["account_id"],
        "account_name": account.name,
        "stage": account.stage,
        "scanner": finding["scanner"],
        "region": finding["region"],
        "resource_type": finding["resource_type"],
        "resource_id": finding["resource_id"],
        "resource_arn": finding["resource_arn"],
        "check_id": finding["check_id"],
        "severity": finding["severity"],
        layout.RANK_KEY: layout.rank_key(
            finding["severity"], finding["check_id"], finding["resource_id"]
        ),
        layout.STATE: state,
        "last_seen": observed,
        SCAN_STARTED: started,
        "last_scan_id": finding["scan_id"],
    }
    if state != previous_state:
        values["state_changed_at"] = observed
    judged = {
        "status": status,
        "message": finding["message"],
        "controls": list(finding["controls"]),
        # Evidence as JSON text: DynamoDB numbers cannot hold the floats boto3 is given.
        "evidence": json.dumps(finding["evidence"], sort_keys=True),
    }
    remediation = finding.get("remediation")
    if_absent: dict[str, Any] = {"first_seen": observed}
    remove: tuple[str, ...] = ()
    if status == "ERROR":
        values.update(last_error=finding["message"], last_error_at=observed)
        if_absent.update(judged)  # an item never judged shows the error as its status
    else:
        values.update(judged)
        remove = ("last_error", "last_error_at")
        if remediation:  # how to fix it travels with the judgement, to Security Hub too
            values["remediation"] = dict(remediation)
        else:
            remove += ("remediation",)
    return ItemChange(
        item_id=layout.finding_id(
            finding["account_id"], finding["resource_arn"], finding["check_id"]
        ),
        previous_state=previous_state,
        state=state,
        set=values,
        set_if_absent=if_absent,
        remove=remove,
    )


def apply_change(item: Mapping[str, Any] | None, change: ItemChange) -> dict[str, Any]:
    """The item after ``change``: what DynamoDB holds once the update succeeds."""
    result = {layout.KEY: change.item_id, **(item or {})}
    for name, value in change.set_if_absent.items():
        result.setdefault(name, value)
    result.update(change.set)
    for name in change.remove:
        result.pop(name, None)
    return result
