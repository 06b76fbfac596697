"""Ingest in moto, as the plan wires it: quarantine, partial batches, idempotence, overlap."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from estate_core import layout
from estate_core.ingest_handler import handler as ingest_handler
from estate_core.store import FindingsStore
from tests.support.core_world import CoreWorld, session_in, versioning_finding

ACCOUNT = "111111111111"
KEY = "findings/scanner=s3/account=111111111111/dt=2026-03-01/scan-q-0000-{:05d}.jsonl.gz"


def _finding(
    index: int, *, status: str = "FAIL", observed: str = "2026-03-01T06:00:00Z"
) -> dict[str, Any]:
    return versioning_finding(index, status=status, observed=observed)


def _lines(findings: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(f).encode() + b"\n" for f in findings)


@pytest.fixture
def s3(core_world: CoreWorld) -> Any:
    """An S3 client in the stack's account."""
    return session_in(core_world).client("s3")


def _ids(world: CoreWorld) -> set[str]:
    return {item["resource_id"] for item in world.items()}


def test_a_bad_line_and_a_truncated_part_are_quarantined_and_the_rest_is_ingested(
    core_world: CoreWorld, s3: Any
) -> None:
    bucket = str(core_world.outputs["reports_bucket_name"])
    bad_severity = {**_finding(2), "severity": "URGENT"}
    part_a = gzip.compress(
        _lines([_finding(0), _finding(1)]) + b"{not json\n" + _lines([bad_severity, _finding(3)])
    )
    whole = gzip.compress(_lines([_finding(10), _finding(11), _finding(12)]))
    part_b = whole[: len(whole) - 30]  # cut inside the last line's compressed data and trailer
    s3.put_object(Bucket=bucket, Key=KEY.format(0), Body=part_a)
    s3.put_object(Bucket=bucket, Key=KEY.format(1), Body=part_b)

    reason_a = json.loads(
        s3.get_object(Bucket=bucket, Key=f"quarantine/{KEY.format(0)}.reason.json")["Body"].read()
    )
    assert [line["line"] for line in reason_a["bad_lines"]] == [3, 4]
    assert reason_a["bad_lines"][0]["reason"].startswith("not JSON")
    assert "finding.severity" in reason_a["bad_lines"][1]["reason"]
    assert reason_a["damage"] is None
    reason_b = json.loads(
        s3.get_object(Bucket=bucket, Key=f"quarantine/{KEY.format(1)}.reason.json")["Body"].read()
    )
    assert reason_b["damage"].startswith("truncated gzip stream")
    assert s3.get_object(Bucket=bucket, Key=f"quarantine/{KEY.format(1)}")["Body"].read() == part_b
    ingested = _ids(core_world)
    assert {"bucket-0", "bucket-1", "bucket-3"} <= ingested
    assert "bucket-2" not in ingested
    # Whatever of part B decompressed whole before the cut is in the table, never more.
    assert len(ingested & {"bucket-10", "bucket-11", "bucket-12"}) == reason_b["findings_ingested"]
    assert reason_b["findings_ingested"] < 3


def test_one_bad_message_fails_alone_and_the_rest_of_the_batch_is_ingested(
    core_world: CoreWorld, s3: Any
) -> None:
    # moto delivers one SQS record per invocation and ignores batchItemFailures: the batch
    # Lambda would deliver is built here and given to the handler directly.
    bucket = str(core_world.outputs["reports_bucket_name"])
    s3.put_object(Bucket=bucket, Key=KEY.format(5), Body=gzip.compress(_lines([_finding(5)])))
    good = {
        "Records": [
            {
                "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": bucket}, "object": {"key": KEY.format(5)}},
            }
        ]
    }
    event = {
        "Records": [
            {"messageId": "good", "body": json.dumps(good)},
            {"messageId": "poison", "body": "this is no S3 event"},
        ]
    }
    env = {"FINDINGS_TABLE": str(core_world.outputs["findings_table_name"])}
    with core_world.as_account(), pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        result = ingest_handler(event, None)
    assert result == {"batchItemFailures": [{"itemIdentifier": "poison"}]}
    assert "bucket-5" in _ids(core_world)


def test_a_part_delivered_twice_changes_nothing_and_an_older_scan_never_overwrites_a_newer(
    core_world: CoreWorld,
) -> None:
    table = str(core_world.outputs["findings_table_name"])
    with core_world.as_account():
        store = FindingsStore(core_world.client("dynamodb"), table)
        newer = [_finding(i, status="PASS", observed="2026-03-02T06:00:00Z") for i in range(3)]
        older = [_finding(i, status="FAIL", observed="2026-03-01T06:00:00Z") for i in range(3)]
        assert store.upsert(newer).written == 3
        before = sorted(core_world.items(), key=lambda item: item["id"])
        again = store.upsert(newer)
        late = store.upsert(older)
    assert (again.written, again.skipped) == (0, 3)
    assert (late.written, late.skipped) == (0, 3)
    assert sorted(core_world.items(), key=lambda item: item["id"]) == before
    assert {item[layout.STATE] for item in before} == {layout.PASSING}


def _part(scan_id: str, status: str, observed: str) -> bytes:
    findings = [
        {**_finding(i, status=status, observed=observed), "scan_id": scan_id} for i in (0, 1)
    ]
    return gzip.compress(_lines(findings))


def _put_part(s3: Any, bucket: str, key: str, body: bytes, metadata: dict[str, str]) -> None:
    """Store a part with its metadata and let the notification run ingest once. moto
    notifies inside PutObject (and CompleteMultipartUpload's inner put) before it stores
    the metadata, where AWS notifies once the object is whole; a CopyObject stores the
    copy's metadata first and then notifies once."""
    staging = f"staging/{key}"  # outside the notification's findings/ prefix
    s3.put_object(Bucket=bucket, Key=staging, Body=body)
    s3.copy_object(
        Bucket=bucket,
        Key=key,
        CopySource={"Bucket": bucket, "Key": staging},
        Metadata=metadata,
        MetadataDirective="REPLACE",
    )


def _scan_key(scan_id: str) -> str:
    return f"findings/scanner=s3/account={ACCOUNT}/dt=2026-03-01/{scan_id}-0000-00000.jsonl.gz"


@pytest.mark.parametrize("declared", [True, False])
def test_of_two_overlapping_scans_the_later_started_wins_even_when_its_parts_arrive_first(
    core_world: CoreWorld, s3: Any, declared: bool
) -> None:
    # Scan "early" started 06:00 but is slow: it judges the buckets at 06:40. Scan "late"
    # started 06:30 and judges them at 06:35. The late scan's part arrives first.
    bucket = str(core_world.outputs["reports_bucket_name"])
    scans = {
        "late": ("2026-03-01T06:30:00Z", _part("late", "PASS", "2026-03-01T06:35:00Z")),
        "early": ("2026-03-01T06:00:00Z", _part("early", "FAIL", "2026-03-01T06:40:00Z")),
    }
    for scan_id, (started, body) in scans.items():  # the notification runs ingest each time
        metadata = {"scan-started": started} if declared else {}
        _put_part(s3, bucket, _scan_key(scan_id), body, metadata)
    items = core_world.items()
    assert len(items) == 2
    # Declared starts order the scans; undeclared, the later observation wins, as before.
    winner = "late" if declared else "early"
    assert {item["last_scan_id"] for item in items} == {winner}
    assert {item[layout.STATE] for item in items} == {layout.PASSING if declared else layout.NEW}


def test_a_part_with_an_unreadable_scan_start_waits_whole_in_quarantine(
    core_world: CoreWorld, s3: Any
) -> None:
    bucket = str(core_world.outputs["reports_bucket_name"])
    body = _part("odd", "FAIL", "2026-03-01T06:00:00Z")
    key = _scan_key("odd")
    _put_part(s3, bucket, key, body, {"scan-started": "yesterday"})
    reason = json.loads(
        s3.get_object(Bucket=bucket, Key=f"quarantine/{key}.reason.json")["Body"].read()
    )
    assert reason["damage"].startswith("metadata scan-started='yesterday' is not")
    assert reason["findings_ingested"] == 0
    assert s3.get_object(Bucket=bucket, Key=f"quarantine/{key}")["Body"].read() == body
    assert core_world.items() == []
