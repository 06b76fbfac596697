"""Findings written as deterministic gzip JSON Lines parts, to S3, a folder or memory."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estate_runtime.findings import FindingInvalid, make_finding, validate_finding
from estate_runtime.report_writer import (
    DirectorySink,
    MemorySink,
    PartLocation,
    ReportWriter,
    S3Sink,
    decode_part,
)

SCAN_DATE = date(2025, 1, 31)
FOLDER = "findings/scanner=tags/account=111111111111/dt=2025-01-31/"


def finding(number: int, scan_id: str = "scan-1", **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "scan_id": scan_id,
        "scanner": "tags",
        "account_id": "111111111111",
        "region": "eu-west-1",
        "resource_type": "AWS::EC2::Instance",
        "resource_id": f"i-{number:017x}",
        "resource_arn": f"arn:aws:ec2:eu-west-1:111111111111:instance/i-{number:017x}",
        "check_id": "ec2.required_tags",
        "status": "PASS",
        "severity": "LOW",
        "message": "Instance carries every required tag.",
        "evidence": {"missing": []},
        "controls": [],
        "observed_at": datetime(2025, 1, 31, 23, 59, 59, tzinfo=UTC),
    }
    fields.update(overrides)
    return make_finding(**fields)


def writer(sink: Any, **overrides: Any) -> ReportWriter:
    options: dict[str, Any] = {
        "scanner": "tags",
        "account_id": "111111111111",
        "scan_id": "scan-1",
        "scan_date": SCAN_DATE,
        "part_size": 2,
    }
    options.update(overrides)
    return ReportWriter(sink, **options)


def write_run(sink: Any, numbers: Iterable[int], **overrides: Any) -> ReportWriter:
    """A writer (``overrides`` as for ``writer``) that wrote ``finding(n)`` for each number."""
    with writer(sink, **overrides) as report_writer:
        for number in numbers:
            report_writer.add(finding(number))
    return report_writer


def test_parts_follow_the_design_key_layout_with_shard_and_five_digit_seq() -> None:
    sink = MemorySink()
    report = write_run(sink, range(5), shard="0007").close()
    assert report.keys == tuple(f"{FOLDER}scan-1-0007-{seq:05d}.jsonl.gz" for seq in range(3))
    assert report.findings_count == 5
    assert report.next_part == 3
    assert sorted(sink.objects) == list(report.keys)


def test_each_part_is_gzip_json_lines_of_valid_findings_in_order() -> None:
    sink = MemorySink()
    write_run(sink, range(4), part_size=3)
    first = sink.objects[f"{FOLDER}scan-1-0000-00000.jsonl.gz"]
    lines = gzip.decompress(first).decode().splitlines()
    assert len(lines) == 3
    written = sink.findings()
    assert [item["resource_id"] for item in written] == [f"i-{n:017x}" for n in range(4)]
    for item in written:
        validate_finding(item)


def test_a_full_buffer_is_written_at_once_so_memory_stays_flat() -> None:
    sink = MemorySink()
    report_writer = writer(sink, part_size=2)
    report_writer.add(finding(1))
    assert sink.puts == []
    report_writer.add(finding(2))
    assert sink.puts == [f"{FOLDER}scan-1-0000-00000.jsonl.gz"]
    report_writer.add(finding(3))
    assert len(sink.puts) == 1
    report_writer.close()
    assert len(sink.puts) == 2


def test_an_invalid_finding_is_refused_before_it_is_buffered() -> None:
    sink = MemorySink()
    report_writer = writer(sink)
    with pytest.raises(FindingInvalid, match=r"finding\.status"):
        report_writer.add({**finding(1), "status": "MAYBE"})
    assert report_writer.close().findings_count == 0
    assert sink.objects == {}


def test_evidence_that_is_not_json_is_refused_naming_evidence() -> None:
    with pytest.raises(FindingInvalid, match=r"finding\.evidence: not representable as JSON"):
        writer(MemorySink()).add(finding(1, evidence={"when": datetime(2025, 1, 1, tzinfo=UTC)}))


@pytest.mark.parametrize(
    ("field", "value"), [("scan_id", "scan-2"), ("scanner", "s3"), ("account_id", "222222222222")]
)
def test_a_finding_of_another_scan_or_account_is_refused(field: str, value: str) -> None:
    with pytest.raises(ValueError, match=f"finding.{field} is '{value}'"):
        writer(MemorySink()).add({**finding(1), field: value})


def test_the_writer_refuses_adds_after_close_and_close_twice_is_harmless() -> None:
    report_writer = writer(MemorySink())
    report_writer.add(finding(1))
    first = report_writer.close()
    assert report_writer.close() == first
    with pytest.raises(RuntimeError, match="closed"):
        report_writer.add(finding(2))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"shard": "a-b"}, "shard 'a-b'"),
        ({"scanner": "iam"}, "scanner 'iam'"),
        ({"account_id": "12"}, "account_id '12'"),
        ({"scan_id": "-bad"}, "scan_id '-bad'"),
        ({"part_size": 0}, "part_size"),
        ({"first_part": -1}, "first_part"),
    ],
)
def test_bad_writer_settings_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        writer(MemorySink(), **options)


def test_a_rerun_of_the_same_scan_overwrites_its_parts_byte_for_byte() -> None:
    sink = MemorySink()
    for _ in range(2):
        write_run(sink, range(4))
    assert len(sink.objects) == 2
    assert len(sink.puts) == 4
    assert len(sink.findings()) == 4


def test_a_continuation_keeps_numbering_from_first_part() -> None:
    sink = MemorySink()
    first = write_run(sink, range(3))
    second = write_run(sink, [3], first_part=first.close().next_part)
    assert second.close().keys == (f"{FOLDER}scan-1-0000-00002.jsonl.gz",)
    assert len(sink.findings()) == 4


def test_a_shorter_rerun_removes_the_stale_parts_of_the_longer_run_only() -> None:
    sink = MemorySink()
    write_run(sink, range(7))
    write_run(sink, [100], shard="0001")
    with writer(sink, scan_id="scan-1-0000") as lookalike_scan:
        lookalike_scan.add(finding(200, scan_id="scan-1-0000"))
    shorter = write_run(sink, range(3))
    removed = shorter.remove_stale_parts()
    assert removed == [f"{FOLDER}scan-1-0000-{seq:05d}.jsonl.gz" for seq in (2, 3)]
    ids = sorted(item["resource_id"] for item in sink.findings())
    assert ids == sorted([f"i-{n:017x}" for n in (0, 1, 2, 100, 200)])


def test_stale_cleanup_needs_a_closed_writer() -> None:
    with pytest.raises(RuntimeError, match="close the writer"):
        writer(MemorySink()).remove_stale_parts()


@settings(max_examples=40, deadline=None)
@given(
    first_run=st.integers(min_value=0, max_value=9),
    second_run=st.integers(min_value=0, max_value=9),
    part_size=st.integers(min_value=1, max_value=4),
)
def test_rerun_then_cleanup_leaves_exactly_the_rerun_findings(
    first_run: int, second_run: int, part_size: int
) -> None:
    sink = MemorySink()
    for count in (first_run, second_run):
        write_run(sink, range(count), part_size=part_size).remove_stale_parts()
    ids = [item["resource_id"] for item in sink.findings()]
    assert sorted(ids) == sorted(f"i-{n:017x}" for n in range(second_run))


def test_part_location_decodes_only_its_own_keys() -> None:
    location = PartLocation("tags", "111111111111", "scan-1", SCAN_DATE, "0000")
    assert location.seq_of(location.key(42)) == 42
    assert location.seq_of(location.key(123456)) == 123456
    assert location.seq_of(f"{FOLDER}scan-1-0000-x-00001.jsonl.gz") is None
    assert location.seq_of(f"{FOLDER}scan-1-0000-00001.json") is None


def test_directory_sink_keeps_the_same_relative_keys_and_cleans_up(tmp_path: Path) -> None:
    sink = DirectorySink(tmp_path)
    write_run(sink, range(5))
    write_run(sink, [0]).remove_stale_parts()
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert files == [f"{FOLDER}scan-1-0000-00000.jsonl.gz"]
    assert [f["resource_id"] for f in decode_part((tmp_path / files[0]).read_bytes())] == [
        f"i-{0:017x}"
    ]


def test_directory_sink_refuses_keys_that_escape_its_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="escapes the output folder"):
        DirectorySink(tmp_path / "out").put("../outside.jsonl.gz", b"")


def test_s3_sink_writes_json_lines_gzip_with_sse_kms(mocked_aws: None) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    kms = boto3.client("kms", region_name="us-east-1")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    s3.create_bucket(Bucket="reports")
    write_run(S3Sink(s3, "reports", kms_key_id=key_id), range(3))
    key = f"{FOLDER}scan-1-0000-00000.jsonl.gz"
    head = s3.head_object(Bucket="reports", Key=key)
    assert head["ContentType"] == "application/x-ndjson"
    assert head["ContentEncoding"] == "gzip"
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"].endswith(key_id)
    body = s3.get_object(Bucket="reports", Key=key)["Body"].read()
    assert len(list(decode_part(body))) == 2


def test_s3_sink_lists_every_page_and_deletes_stale_parts(mocked_aws: None) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="reports")
    sink = S3Sink(s3, "reports")
    write_run(sink, range(1005), part_size=1)
    removed = write_run(sink, [0], part_size=1).remove_stale_parts()
    assert len(removed) == 1004
    remaining = s3.list_objects_v2(Bucket="reports")
    assert [item["Key"] for item in remaining["Contents"]] == [
        f"{FOLDER}scan-1-0000-00000.jsonl.gz"
    ]
