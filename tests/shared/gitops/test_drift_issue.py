"""Drift issues: one per stack, opened, commented on, closed."""

from __future__ import annotations

import json

import pytest

from estate.gitops.drift_issue import LABEL, issue_title, main, reconcile
from tests.shared.gitops.fake_gh import FakeGh

STACK = "acme/core/prod"
RUN = "https://github.com/acme/estate/actions/runs/5"


def _open(*numbers_and_titles: tuple[int, str]) -> str:
    return json.dumps([{"number": n, "title": t} for n, t in numbers_and_titles])


@pytest.mark.parametrize(
    ("listing", "outcome", "expected_verb", "expected_target"),
    [
        (_open(), "failure", "create", None),
        (_open((4, issue_title(STACK))), "failure", "comment", "4"),
        (_open((4, issue_title("acme/core/dev"))), "failure", "create", None),
        (_open((4, issue_title(STACK))), "success", "close", "4"),
    ],
)
def test_a_check_opens_comments_on_or_closes_only_its_own_stacks_issue(
    listing: str, outcome: str, expected_verb: str, expected_target: str | None
) -> None:
    gh = FakeGh(listing=listing)
    reconcile(STACK, outcome, RUN, gh)
    ((arguments, stdin),) = gh.writes()
    assert arguments[:2] == ("issue", expected_verb)
    if expected_target is None:
        assert arguments[arguments.index("--title") + 1] == issue_title(STACK)
        assert arguments[arguments.index("--label") + 1] == LABEL
        assert RUN in (stdin or "")
    else:
        assert arguments[2] == expected_target


@pytest.mark.parametrize("outcome", ["success", "cancelled", "skipped"])
def test_no_drift_and_no_verdict_change_nothing_without_an_open_issue(outcome: str) -> None:
    gh = FakeGh(listing=_open((3, issue_title("acme/core/dev"))))
    assert reconcile(STACK, outcome, RUN, gh) == "nothing to do"
    assert gh.writes() == []


def test_main_reads_the_job_values_and_refuses_a_bad_stack(
    capsys: pytest.CaptureFixture[str],
) -> None:
    gh = FakeGh()
    environ = {
        "STACK": json.dumps({"project": "core", "stack": "prod", "pulumi_stack": STACK}),
        "OUTCOME": "failure",
        "RUN_URL": RUN,
    }
    assert main(environ, gh) == 0
    assert gh.writes()[0][0][:2] == ("issue", "create")
    assert main({**environ, "STACK": "{not json"}, FakeGh()) == 2
    assert "STACK is not JSON" in capsys.readouterr().err
