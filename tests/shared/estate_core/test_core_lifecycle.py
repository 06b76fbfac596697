"""The lifecycle as a law over any sequence of observations of one (resource, check)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from estate_core import layout
from estate_core.config import AccountInfo
from estate_core.lifecycle import apply_change, normalised_time, observe
from estate_runtime.findings import make_finding

ACCOUNT = AccountInfo("111111111111", "dev", "dev")
START = datetime(2026, 1, 1, tzinfo=UTC)


def _finding(status: str, minute: int) -> dict[str, Any]:
    return make_finding(
        scan_id=f"scan-{minute}",
        scanner="s3",
        account_id=ACCOUNT.account_id,
        region="eu-west-1",
        resource_type="AWS::S3::Bucket",
        resource_id="data",
        resource_arn="arn:aws:s3:::data",
        check_id="s3.versioning",
        status=status,  # type: ignore[arg-type]
        severity="MEDIUM",
        message=f"{status} at {minute}",
        evidence={"minute": minute},
        controls=["SecurityHub:S3.14"],
        observed_at=START + timedelta(minutes=minute),
    )


def _expected(statuses: list[str]) -> str:
    """The state by the issue's words, from the statuses alone (ERRORs do not count)."""
    judged = [s for s in statuses if s != "ERROR"]
    if not judged:
        return layout.UNKNOWN
    if "FAIL" not in judged:
        return layout.PASSING
    if judged[-1] == "PASS":
        return layout.RESOLVED
    trailing_fails = len(judged) - len("".join(s[0] for s in judged).rstrip("F"))
    if trailing_fails >= 2:
        return layout.OPEN
    failed_before = "FAIL" in judged[:-1]
    return layout.REOPENED if failed_before else layout.NEW


@given(st.lists(st.sampled_from(["PASS", "FAIL", "ERROR"]), min_size=1, max_size=12))
def test_the_state_follows_the_statuses_and_error_never_changes_it(statuses: list[str]) -> None:
    item: dict[str, Any] | None = None
    for minute, status in enumerate(statuses):
        change = observe(item, _finding(status, minute), ACCOUNT)
        assert change is not None
        item = apply_change(item, change)
    assert item is not None
    assert item[layout.STATE] == _expected(statuses)
    judged = [s for s in statuses if s != "ERROR"]
    assert item["status"] == (judged[-1] if judged else "ERROR")
    assert ("last_error" in item) == (statuses[-1] == "ERROR")
    assert item["first_seen"] == normalised_time(_finding("PASS", 0)["observed_at"])


@given(st.sampled_from(["PASS", "FAIL", "ERROR"]), st.integers(0, 5))
def test_an_observation_no_newer_than_the_item_changes_nothing(status: str, earlier: int) -> None:
    item = apply_change(None, observe(None, _finding("FAIL", 5), ACCOUNT))  # type: ignore[arg-type]
    assert observe(item, _finding(status, earlier), ACCOUNT) is None


def test_an_error_on_a_known_item_keeps_its_message_and_evidence() -> None:
    item = apply_change(None, observe(None, _finding("FAIL", 0), ACCOUNT))  # type: ignore[arg-type]
    change = observe(item, _finding("ERROR", 1), ACCOUNT)
    assert change is not None and change.needs_whole_item
    after = apply_change(item, change)
    assert (after["status"], after["message"], after[layout.STATE]) == (
        "FAIL",
        "FAIL at 0",
        layout.NEW,
    )
    assert after["last_error"] == "ERROR at 1"


def test_times_compare_as_strings_once_normalised() -> None:
    assert normalised_time("2026-01-01T00:00:00.5Z") > normalised_time("2026-01-01T00:00:00Z")


@given(
    st.sampled_from(["PASS", "FAIL", "ERROR"]),
    st.integers(0, 59),
    st.integers(1, 59),
    st.integers(0, 120),
)
def test_an_earlier_started_scan_never_changes_an_item_whenever_it_observed(
    status: str, started: int, head_start: int, observed: int
) -> None:
    later_scan = START + timedelta(minutes=60)
    item = apply_change(
        None,
        observe(None, _finding("FAIL", 60), ACCOUNT, scan_started=later_scan.isoformat()),  # type: ignore[arg-type]
    )
    earlier_scan = later_scan - timedelta(minutes=head_start)
    finding = _finding(status, 60 + observed)  # observed at or after the later scan's finding
    assert observe(item, finding, ACCOUNT, scan_started=earlier_scan.isoformat()) is None


def test_of_one_scan_start_the_later_observation_wins() -> None:
    started = START.isoformat()
    item = apply_change(None, observe(None, _finding("FAIL", 1), ACCOUNT, scan_started=started))  # type: ignore[arg-type]
    change = observe(item, _finding("PASS", 2), ACCOUNT, scan_started=started)
    assert change is not None and change.state == layout.RESOLVED
    assert observe(item, _finding("PASS", 1), ACCOUNT, scan_started=started) is None
