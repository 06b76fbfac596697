"""`estate report` on the command line: folders and S3 in, one file out; bad input is one
line naming the source and the fix, exit 2, nothing written."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest

from estate.cli.main import main
from estate_runtime.report_writer import S3Sink, decode_part

History = tuple[Path, list[dict[str, Any]]]


def _one_part(root: Path) -> Path:
    return sorted(root.rglob("*.jsonl.gz"))[0]


def test_a_folder_gives_a_report_and_a_one_line_summary(
    history: History, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, findings = history
    output = tmp_path / "r.html"
    assert main(["report", "--from", str(root), "--output", str(output)]) == 0
    out = capsys.readouterr().out
    scans = len({f["scan_id"] for f in findings})
    assert f"2 account(s), {scans} scan(s), {len(findings)} finding(s)" in out
    assert str(output) in out and output.read_text().startswith("<!DOCTYPE html>")


def test_accounts_are_labelled_with_their_names_from_the_accounts_folder(
    history: History, tmp_path: Path
) -> None:
    root, _ = history
    output = tmp_path / "r.html"
    assert main(["report", "--from", str(root), "--output", str(output)]) == 0
    assert "dev (111111111111)" in output.read_text()  # accounts/dev.yaml holds that id


def test_parts_in_s3_are_read_like_a_folder(
    history: History, tmp_path: Path, mocked_aws: None
) -> None:
    root, _ = history
    client = boto3.client("s3", region_name="eu-west-1")
    bucket = "estate-reports"
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    sink = S3Sink(client, bucket)
    for part in root.rglob("*.jsonl.gz"):
        sink.put(part.relative_to(root).as_posix(), part.read_bytes())

    from_s3, from_folder = tmp_path / "s3.html", tmp_path / "dir.html"
    assert main(["report", "--from", f"s3://{bucket}/findings/", "--output", str(from_s3)]) == 0
    assert main(["report", "--from", str(root), "--output", str(from_folder)]) == 0
    # Everything after the header line (which names the sources) is the same.
    assert from_s3.read_text().split("</p>", 1)[1] == from_folder.read_text().split("</p>", 1)[1]


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("truncate", "not a gzip report part"),
        ("not-json", "a line is not JSON"),
        ("invalid", "finding.severity"),
    ],
)
def test_a_damaged_part_is_named_and_nothing_is_written(
    history: History,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    damage: str,
    expected: str,
) -> None:
    root, _ = history
    copy = tmp_path / "parts"
    shutil.copytree(root, copy)
    part = _one_part(copy)
    if damage == "truncate":
        part.write_bytes(part.read_bytes()[:-20])
    elif damage == "not-json":
        part.write_bytes(gzip.compress(b"{not json\n"))
    else:
        finding = next(decode_part(part.read_bytes())) | {"severity": "URGENT"}
        part.write_bytes(gzip.compress(json.dumps(finding).encode() + b"\n"))
    output = tmp_path / "r.html"

    assert main(["report", "--from", str(copy), "--output", str(output)]) == 2

    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(part) in err and expected in err
    assert not output.exists()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("missing", "no such file or folder"),
        ("empty", "no report parts"),
        ("s3://", "no bucket name; write s3://BUCKET[/PREFIX]"),
    ],
)
def test_a_source_without_parts_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str, expected: str
) -> None:
    (tmp_path / "empty").mkdir()
    given = source if source.startswith("s3") else str(tmp_path / source)
    output = tmp_path / "r.html"
    assert main(["report", "--from", given, "--output", str(output)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"estate: report: --from {given}: ") and expected in err
    assert not output.exists()
