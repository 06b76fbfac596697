"""``alerts.error_rate_percent``: the account's error-rate alarm threshold, validated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from estate.accounts import load_estate
from estate.accounts.model import DEFAULT_ERROR_RATE_PERCENT
from estate.cli.main import main


def _set_rate(accounts: Path, value: str) -> None:
    path = accounts / "dev.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  min_severity: HIGH\n" in text
    path.write_text(
        text.replace(
            "  min_severity: HIGH\n", f"  min_severity: HIGH\n  error_rate_percent: {value}\n"
        ),
        encoding="utf-8",
    )


def test_an_account_without_the_key_gets_the_default(accounts_copy: Path) -> None:
    estate = load_estate(accounts_copy)
    assert {a.alerts.error_rate_percent for a in estate} == {DEFAULT_ERROR_RATE_PERCENT}


@pytest.mark.parametrize(("written", "read"), [("2.5", 2.5), ("10", 10.0), ("99.9", 99.9)])
def test_a_percentage_is_read(accounts_copy: Path, written: str, read: float) -> None:
    _set_rate(accounts_copy, written)
    assert load_estate(accounts_copy).account("dev").alerts.error_rate_percent == read


@pytest.mark.parametrize("written", ["0", "-1", "100", "250", ".nan", ".inf", "true", "five", "''"])
def test_anything_else_is_one_line_naming_the_field_and_the_fix(
    accounts_copy: Path, capsys: pytest.CaptureFixture[str], written: str
) -> None:
    _set_rate(accounts_copy, written)
    assert main(["accounts", "check", "--dir", str(accounts_copy)]) == 2
    lines = capsys.readouterr().err.splitlines()
    (problem,) = lines[:-1]
    assert re.fullmatch(
        r".*dev\.yaml: alerts\.error_rate_percent: .*is not a percentage above 0 and below 100; "
        r"write a number such as 5",
        problem,
    ), problem
    assert lines[-1].endswith("nothing was used")
