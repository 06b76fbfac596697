"""`estate scan`: scans what the credentials reach, reports, and exits 0, 1 or 2 as documented."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import boto3
import pytest

from estate.cli.main import main
from estate_scanners.s3.checks import account_checks, bucket_checks
from tests.support.scan_cli_world import REGION, make_buckets, make_instances


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


@pytest.mark.usefixtures("mocked_aws")
def test_s3_scan_prints_one_finding_per_bucket_and_check_as_json_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_buckets()
    assert main(["scan", "s3", "--format", "jsonl", "--required-tag", "Owner"]) == 0
    findings = _lines(capsys)
    per_bucket = {f["resource_id"] for f in findings if f["resource_type"] == "AWS::S3::Bucket"}
    assert per_bucket == {"open-bucket", "quiet-bucket"}
    public = {f["resource_id"]: f["status"] for f in findings if f["check_id"] == "s3.public_read"}
    assert public == {"open-bucket": "FAIL", "quiet-bucket": "PASS"}
    tags = {f["resource_id"]: f["status"] for f in findings if f["check_id"] == "s3.required_tags"}
    assert tags == {"open-bucket": "FAIL", "quiet-bucket": "PASS"}


@pytest.mark.usefixtures("mocked_aws")
def test_fail_on_exits_1_only_when_such_a_failure_exists(
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_buckets()
    assert main(["scan", "s3", "--format", "table", "--fail-on", "critical"]) == 1
    assert "s3.public_read" in capsys.readouterr().out
    boto3.client("s3", region_name=REGION).put_bucket_acl(Bucket="open-bucket", ACL="private")
    assert main(["scan", "s3", "--format", "table", "--fail-on", "CRITICAL"]) == 0


@pytest.mark.usefixtures("mocked_aws")
def test_tags_scan_writes_findings_to_a_file_and_a_summary_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_instances()
    output = tmp_path / "findings.jsonl.gz"
    assert (
        main(
            [
                "scan",
                "tags",
                "--required-tag",
                "Owner",
                "--regions",
                REGION,
                "--output",
                str(output),
                "--format",
                "table",
            ]
        )
        == 0
    )
    findings = [json.loads(line) for line in gzip.decompress(output.read_bytes()).splitlines()]
    assert sorted(f["status"] for f in findings) == ["FAIL", "PASS"]
    failed = next(f for f in findings if f["status"] == "FAIL")
    assert failed["evidence"]["missing"] == ["Owner"]
    table = capsys.readouterr().out
    assert "ec2.required_tags" in table and "PASS: 1" in table and "FAIL: 1" in table


@pytest.mark.usefixtures("mocked_aws")
def test_a_folder_output_holds_report_parts_in_the_findings_layout(tmp_path: Path) -> None:
    make_buckets()
    assert (
        main(
            [
                "scan",
                "s3",
                "--format",
                "jsonl",
                "--output",
                f"{tmp_path}/",
                "--scan-id",
                "nightly-1",
            ]
        )
        == 0
    )
    parts = sorted(
        tmp_path.glob("findings/scanner=s3/account=123456789012/dt=*/nightly-1-*.jsonl.gz")
    )
    findings = [
        json.loads(line)
        for part in parts
        for line in gzip.decompress(part.read_bytes()).splitlines()
    ]
    assert parts and {f["scan_id"] for f in findings} == {"nightly-1"}
    assert len(findings) == 2 * len(bucket_checks()) + len(account_checks())


def test_an_endpoint_url_works_against_a_moto_server(
    moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # In-process moto hides S3 Control's host prefix; only a real server shows it (docs/emulator-facts.md).
    make_buckets(moto_endpoint)
    assert main(["scan", "s3", "--endpoint-url", moto_endpoint, "--format", "jsonl"]) == 0
    account = [f for f in _lines(capsys) if f["check_id"] == "s3.account_public_access_block"]
    assert [f["status"] for f in account] == ["FAIL"]


def test_missing_credentials_exit_2_with_one_line(
    aws_credentials: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["scan", "s3"]) == 2
    assert "cannot reach AWS: Unable to locate credentials" in capsys.readouterr().err
