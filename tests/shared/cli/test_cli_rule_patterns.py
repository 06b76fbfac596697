"""A tag-rule pattern that can backtrack catastrophically is refused where a user writes it:
in accounts/ (`estate accounts check`) and on the command line (`estate scan --required-tag`),
each with one line naming the field, exit 2, nothing written and no AWS call."""

from __future__ import annotations

from pathlib import Path

import pytest

from estate.cli.main import main

# The issue's pattern: seconds on a 25-character value, doubling with each character.
ISSUE_PATTERN = r"^([a-z0-9]+[._-]?)+@acme\.example$"


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, aws_credentials: None) -> None:
    """No credentials at all: an AWS call would fail with a line naming no flag."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def exit_code(arguments: list[str]) -> int:
    try:
        return main(arguments)
    except SystemExit as exit_:
        return int(exit_.code or 0)


def test_accounts_check_refuses_the_pattern_naming_file_and_field(
    accounts_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dev = accounts_copy / "dev.yaml"
    safe = r'"^[a-z0-9._-]+@acme\\.example$"'
    assert safe in dev.read_text()
    dev.write_text(dev.read_text().replace(safe, f"'{ISSUE_PATTERN}'"))

    assert exit_code(["accounts", "check", "--dir", str(accounts_copy)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    (problem,) = [line for line in err.splitlines() if "dev.yaml" in line]
    assert "dev.yaml: required_tags[0].pattern: " in problem
    assert "is refused: nested quantifier" in problem


@pytest.mark.usefixtures("no_aws")
@pytest.mark.parametrize("scanner", ["tags", "s3"])
def test_scan_refuses_the_pattern_before_any_aws_call_and_writes_nothing(
    scanner: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    option = f"Owner={ISSUE_PATTERN}"
    arguments = ["scan", scanner, "--required-tag", option, "--output", f"{tmp_path}/out/"]

    assert exit_code(arguments) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"estate: --required-tag {option}: ")
    assert "is refused: nested quantifier" in lines[0]
    assert list(tmp_path.rglob("*")) == []
