"""`estate accounts check` exits 0 on the shipped files, 2 with one line per problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from estate.cli.main import main


def test_shipped_accounts_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["accounts", "check"]) == 0
    assert "ok" in capsys.readouterr().out


def test_an_eleven_digit_account_id_exits_2_naming_file_and_field(
    accounts_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dev = accounts_copy / "dev.yaml"
    dev.write_text(dev.read_text().replace('"111111111111"', '"11111111111"'))
    assert main(["accounts", "check", "--dir", str(accounts_copy)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert any(
        line.endswith(
            "dev.yaml: account_id: '11111111111': is not a 12-digit AWS account id; write exactly 12 digits, quoted"
        )
        for line in err
    )
    assert "Traceback" not in "\n".join(err)


def test_a_missing_folder_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["accounts", "check", "--dir", str(tmp_path / "nope")]) == 2
    assert "is not a directory" in capsys.readouterr().err
