"""The report's numbers: scans, the latest scan per scanner, compliance and lifecycle changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from estate.report.model import CHANGES, build_accounts, collect_scans, next_state
from estate.report.sources import read_findings
from estate_runtime.findings import SEVERITIES
from tests.support import report_truth

History = tuple[Path, list[dict[str, Any]]]


def _replay(statuses: list[str]) -> str | None:
    """The state change at the last status, by the report's state machine."""
    state: str | None = None
    for status in statuses[:-1]:
        state = next_state(state, status)
    after = next_state(state, statuses[-1])
    return after if after != state and after in CHANGES else None


@given(st.lists(st.sampled_from(["PASS", "FAIL", "ERROR"]), min_size=2, max_size=8))
def test_the_lifecycle_change_equals_the_last_known_status_rule(statuses: list[str]) -> None:
    assert _replay(statuses) == report_truth.changes(statuses)


def test_error_never_resolves_and_a_fail_after_resolved_reopens() -> None:
    assert _replay(["FAIL", "ERROR"]) is None
    assert _replay(["FAIL", "ERROR", "PASS"]) == "resolved"
    assert _replay(["FAIL", "PASS", "ERROR", "FAIL"]) == "reopened"
    assert _replay(["PASS", "PASS", "FAIL"]) == "new"
    assert _replay(["FAIL", "FAIL"]) is None  # open: still failing, not a change


def test_headline_counts_cover_each_scanners_latest_scan_only(history: History) -> None:
    root, findings = history
    accounts = build_accounts(collect_scans(read_findings([str(root)])))
    truth = report_truth.headline(findings)

    assert [a.account_id for a in accounts] == sorted(truth)
    for account in accounts:
        expected = truth[account.account_id]
        assert dict(account.counts) == {s: expected[s] for s in ("PASS", "FAIL", "ERROR")}
        assert account.failed_by_severity == {s: expected[f"fail-{s.lower()}"] for s in SEVERITIES}
        assert {s.scan_id for s in account.latest} == {
            scan
            for (acc, _), scan in report_truth.latest_scans(findings).items()
            if acc == account.account_id
        }
        judged = expected["PASS"] + expected["FAIL"]
        assert account.compliance == 100.0 * expected["PASS"] / judged


def test_changes_since_the_previous_scan_equal_the_replayed_history(history: History) -> None:
    root, findings = history
    accounts = build_accounts(collect_scans(read_findings([str(root)])))
    truth = report_truth.change_counts(findings)

    for account in accounts:
        assert account.changes is not None
        counted = {change: len(account.changes[change]) for change in CHANGES}
        assert counted == {change: truth[account.account_id][change] for change in CHANGES}
        assert all(counted.values()), "the synthetic history should hold every kind of change"


def test_failing_checks_are_grouped_worst_first_with_their_controls(history: History) -> None:
    root, findings = history
    accounts = build_accounts(collect_scans(read_findings([str(root)])))
    latest = set(report_truth.latest_scans(findings).values())
    for account in accounts:
        failing = [
            f
            for f in findings
            if f["scan_id"] in latest
            and f["account_id"] == account.account_id
            and f["status"] == "FAIL"
        ]
        assert {c.check_id: len(c.findings) for c in account.failures} == {
            check: sum(f["check_id"] == check for f in failing)
            for check in {f["check_id"] for f in failing}
        }
        ranks = [SEVERITIES.index(c.severity) for c in account.failures]
        assert ranks == sorted(ranks)
        for check in account.failures:
            assert set(check.controls) == {
                c for f in failing if f["check_id"] == check.check_id for c in f["controls"]
            }


def test_one_scan_has_no_previous_scan_to_compare(history: History) -> None:
    _, findings = history
    first = [f for f in findings if f["scan_id"].endswith("-000")]
    accounts = build_accounts(collect_scans(first))
    assert all(account.changes is None for account in accounts)


def test_a_finding_seen_twice_in_one_scan_counts_once(history: History) -> None:
    _, findings = history
    scans = collect_scans(findings + findings[:10])
    assert sum(len(s.findings) for s in scans) == len(findings)
