"""Every refused `estate scan` input: exit 2, one line naming the flag, nothing written, and
no AWS call (no credentials exist here: a call would fail with a line naming no flag)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estate.cli.main import main
from estate_runtime.events import REGION_PATTERN, SCAN_ID_PATTERN

ROLE = "arn:aws:iam::123456789012:role/estate-scanner"

# (arguments, the flag the one line must name). "{tmp}" is the test's empty folder.
REFUSED: list[tuple[list[str], str]] = [
    (["s3", "--output", "/proc/x.jsonl"], "--output"),
    (["s3", "--output", "/proc"], "--output"),
    (["s3", "--output", "/proc/"], "--output"),
    (["s3", "--output", "{tmp}/findings.txt"], "--output"),
    (["s3", "--output", "{tmp}/missing/findings.jsonl"], "--output"),
    (["s3", "--output", ""], "--output"),
    (["s3", "--output", "{tmp}/findings.json"], "--output"),  # OCSF or ASFF? the name says neither
    (["s3", "--output", "{tmp}/findings.csv.txt"], "--output"),
    (["s3", "--output", "{tmp}/findings.gz"], "--output"),
    (["s3", "--output", "{tmp}/findings.csv", "--output-format", "asff"], "--output-format"),
    (["s3", "--output", "{tmp}/f.ocsf.json.gz", "--output-format", "jsonl"], "--output-format"),
    (["s3", "--output", "{tmp}/missing/f.json", "--output-format", "ocsf"], "--output"),
    (["s3", "--output-format", "csv", "--format", "jsonl"], "--output-format"),
    (["s3", "--output", "{tmp}/out/", "--output-format", "xml"], "--output-format"),
    (["s3", "--format", "sarif"], "--format"),
    (["s3", "--endpoint-url", "notaurl"], "--endpoint-url"),
    (["s3", "--endpoint-url", "ftp://127.0.0.1:5000"], "--endpoint-url"),
    (["s3", "--endpoint-url", "http://127.0.0.1:port"], "--endpoint-url"),
    (["s3", "--scan-id", "bad id!"], "--scan-id"),
    (["s3", "--scan-id", ""], "--scan-id"),
    (["s3", "--scan-id", "-starts-with-a-dash"], "--scan-id"),
    (["s3", "--region", "Mars"], "--region"),
    (["s3", "--role-arn", "arn:aws:iam::1:role/x"], "--role-arn"),
    (["s3", "--external-id", "external-1"], "--external-id"),
    (["s3", "--role-arn", ROLE, "--external-id", "x"], "--external-id"),
    (["s3", "--concurrency", "0"], "--concurrency"),
    (["s3", "--concurrency", "65"], "--concurrency"),
    (["s3", "--concurrency", "many"], "--concurrency"),
    (["s3", "--regions", "eu-west-1"], "--regions"),
    (["s3", "--format", "xml"], "--format"),
    (["s3", "--fail-on", "severe"], "--fail-on"),
    (["s3", "--account", "qa"], "--account"),
    (["s3", "--required-tag", "Owner=["], "--required-tag"),
    (["tags"], "--required-tag"),
    (["tags", "--required-tag", "Owner", "--regions", "eu-west-1,not_a_region"], "--regions"),
    (["tags", "--required-tag", "Owner", "--regions", ","], "--regions"),
    (["tags", "--required-tag", "Owner", "--regions", "eu-west-1,eu-west-1"], "--regions"),
]


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, aws_credentials: None) -> None:
    """No credentials at all: any AWS call fails, naming no flag."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def run_cli(arguments: list[str]) -> int:
    """`estate scan ...`'s exit code, whether it returned or argparse exited."""
    try:
        return main(["scan", *arguments])
    except SystemExit as exit_:
        return int(exit_.code or 0)


def written(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.usefixtures("no_aws")
@pytest.mark.parametrize(("arguments", "flag"), REFUSED)
def test_a_refused_input_exits_2_with_one_line_naming_the_flag_and_writes_nothing(
    arguments: list[str],
    flag: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    arguments = [argument.replace("{tmp}", str(tmp_path)) for argument in arguments]
    if "--output" not in arguments and "--output-format" not in arguments:
        arguments += ["--output", f"{tmp_path}/out/"]  # a valid output that must stay unmade

    assert run_cli(arguments) == 2
    assert flag in one_line(capsys.readouterr().err)
    assert written(tmp_path) == []


@pytest.mark.usefixtures("no_aws")
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scan_id=st.text(max_size=140).filter(lambda text: not SCAN_ID_PATTERN.fullmatch(text)))
def test_any_malformed_scan_id_is_refused_naming_the_flag(
    scan_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["s3", f"--scan-id={scan_id}"]) == 2
    assert "--scan-id" in one_line(capsys.readouterr().err)


@pytest.mark.usefixtures("no_aws")
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    regions=st.lists(
        st.one_of(st.just("eu-west-1"), st.text(alphabet="abc-_1 ", max_size=12)),
        min_size=1,
        max_size=4,
    ).filter(lambda items: any(not REGION_PATTERN.fullmatch(item.strip()) for item in items))
)
def test_any_region_list_with_a_malformed_name_is_refused_naming_the_flag(
    regions: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_cli(["tags", "--required-tag", "Owner", f"--regions={','.join(regions)}"])
    assert code == 2
    assert "--regions" in one_line(capsys.readouterr().err)


def test_the_probe_refuses_a_folder_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_aws: None
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who may write anywhere (root)")
        assert run_cli(["s3", "--output", f"{locked}/out/"]) == 2
        assert "--output" in one_line(capsys.readouterr().err)
    finally:
        locked.chmod(0o700)
