"""The pull request's one summary comment: recorded outcomes, a bounded table, upserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from estate.gitops.pr_summary import MARKER, MAX_COMMENT_CHARS, main, record, render, upsert_comment
from tests.shared.gitops.fake_gh import FakeGh

RUN = "https://github.com/acme/estate/actions/runs/1"


def _stack(project: str, stack: str) -> dict[str, str]:
    return {
        "project": project,
        "stack": stack,
        "reason": f"projects/{project} changed",
        "pulumi_stack": f"acme/{project}/{stack}",
    }


def _record(directory: Path, stack: dict[str, str], outcome: str) -> None:
    record(directory, {"STACK": json.dumps(stack), "OUTCOME": outcome, "RUN_URL": RUN})


def test_every_expected_stack_gets_a_row_in_order_and_missing_results_are_flagged(
    tmp_path: Path,
) -> None:
    stacks = [_stack("core", "dev"), _stack("core", "staging"), _stack("scanner-fleet", "dev")]
    _record(tmp_path, stacks[0], "success")
    _record(tmp_path, stacks[2], "failure")
    body = render(stacks, tmp_path)
    assert body.startswith(MARKER)
    rows = [line for line in body.splitlines() if line.startswith(("| core", "| scanner"))]
    assert [row.split(" | ")[:2] for row in rows] == [
        ["| core", "dev"],
        ["| core", "staging"],
        ["| scanner-fleet", "dev"],
    ]
    assert "✅" in rows[0] and "no result recorded" in rows[1] and "❌" in rows[2]
    assert "2 of 3 preview(s) need attention" in body


def test_the_comment_stays_under_githubs_limit_and_counts_the_rows_left_out(tmp_path: Path) -> None:
    stacks = [_stack(f"project-{i:04d}", "dev") | {"reason": "x" * 200} for i in range(600)]
    body = render(stacks, tmp_path)
    assert len(body) <= MAX_COMMENT_CHARS
    shown = sum(1 for line in body.splitlines() if line.startswith("| project-"))
    assert 0 < shown < 600
    assert f"| … | {600 - shown} more stack(s) |" in body


def test_a_pipe_in_a_reason_cannot_break_the_table(tmp_path: Path) -> None:
    stack = _stack("core", "dev") | {"reason": "a|b\nc"}
    body = render([stack], tmp_path)
    row = next(line for line in body.splitlines() if line.startswith("| core"))
    assert row.count(" | ") == 3 and "a\\|b c" in row


def test_upsert_edits_our_comment_and_leaves_others_alone() -> None:
    pages = json.dumps([{"id": 7, "body": "someone else"}]) + json.dumps(
        [{"id": 9, "body": MARKER + "\nold"}]
    )
    gh = FakeGh(listing=pages)
    assert upsert_comment("acme/estate", 12, "new body", gh) == "updated"
    ((arguments, stdin),) = gh.writes()
    assert arguments[:4] == ("api", "--method", "PATCH", "repos/acme/estate/issues/comments/9")
    assert json.loads(stdin or "") == {"body": "new body"}


def test_upsert_creates_the_comment_when_none_is_ours() -> None:
    gh = FakeGh(listing=json.dumps([{"id": 7, "body": "someone else"}]))
    assert upsert_comment("acme/estate", 12, "body", gh) == "created"
    ((arguments, _stdin),) = gh.writes()
    assert arguments[:4] == ("api", "--method", "POST", "repos/acme/estate/issues/12/comments")


def test_comment_command_reads_the_workflow_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stacks = [_stack("core", "dev")]
    _record(tmp_path, stacks[0], "success")
    monkeypatch.setenv("STACKS", json.dumps(stacks))
    monkeypatch.setenv("PR_NUMBER", "12")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/estate")
    gh = FakeGh()
    assert main(["comment", "--dir", str(tmp_path)], gh=gh) == 0
    ((_arguments, stdin),) = gh.writes()
    assert "| core | dev |" in json.loads(stdin or "")["body"]


def test_a_missing_workflow_value_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("STACK", raising=False)
    assert main(["record", "--dir", str(tmp_path)], gh=FakeGh()) == 2
    assert (
        capsys.readouterr().err
        == "pr_summary: environment variable STACK is not set; the workflow sets it\n"
    )
    assert not tmp_path.joinpath("core--dev.json").exists()
