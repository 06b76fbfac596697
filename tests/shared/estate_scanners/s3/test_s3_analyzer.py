"""The analyzer's run: deterministic parts, deadline continuations, reruns that never duplicate."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest

from estate_runtime.deadline import Deadline
from estate_runtime.findings import SCHEMA_PATH
from estate_scanners.s3.checks import account_checks, bucket_checks
from estate_scanners.s3.continuation import BucketContinuation
from estate_scanners.scan_result import ScanResult
from tests.support.s3_world import ACCOUNT_ID, S3World


def resumed(result: ScanResult) -> BucketContinuation:
    """The run's continuation, which must be there."""
    assert isinstance(result.continuation, BucketContinuation)
    return result.continuation


BUCKET_CHECKS = len(bucket_checks())
ACCOUNT_CHECKS = len(account_checks())
NAMES = [f"bucket-{letter}" for letter in "abcdefg"]


def stops_after(batches: int) -> Deadline:
    """A deadline that allows `batches` batches, then says stop (no clock involved)."""
    asked = {"count": 0}

    def remaining() -> float:
        asked["count"] += 1
        return 1_000.0 if asked["count"] <= batches else 0.0

    return Deadline(remaining, reserve_ms=1.0)


def keyed(findings: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    return Counter((f["resource_id"], f["check_id"]) for f in findings)


@pytest.fixture
def seven_buckets(world: S3World) -> S3World:
    for name in reversed(NAMES):  # created out of order: the scan sorts
        world.bucket(name)
    return world


def test_batches_map_to_parts_in_bucket_name_order(seven_buckets: S3World) -> None:
    result = seven_buckets.scan(batch_size=3)

    parts = {
        key: {f["resource_id"] for f in seven_buckets.sink.read(key)} for key in result.part_keys
    }
    prefix = f"findings/scanner=s3/account={ACCOUNT_ID}/dt=2026-03-01/scan-test-0000-"
    assert parts == {
        f"{prefix}00000.jsonl.gz": {ACCOUNT_ID},
        f"{prefix}00001.jsonl.gz": set(NAMES[0:3]),
        f"{prefix}00002.jsonl.gz": set(NAMES[3:6]),
        f"{prefix}00003.jsonl.gz": set(NAMES[6:7]),
    }
    first = list(seven_buckets.sink.read(f"{prefix}00001.jsonl.gz"))
    assert first == sorted(first, key=lambda f: (f["resource_id"], f["check_id"]))
    assert result.continuation is None


def test_the_deadline_returns_a_cursor_and_the_rerun_completes_without_gaps_or_repeats(
    seven_buckets: S3World,
) -> None:
    first = seven_buckets.scan(batch_size=3, deadline=stops_after(1))

    assert resumed(first) == BucketContinuation(next_part=2, start_after="bucket-c")
    assert first.resources_scanned == 3

    second = seven_buckets.scan(
        batch_size=3,
        start_after=resumed(first).start_after,
        first_part=resumed(first).next_part,
    )

    assert second.continuation is None
    assert second.resources_scanned == 4
    counts = keyed(seven_buckets.findings())
    assert set(counts.values()) == {1}
    assert {bucket for bucket, _ in counts} == {*NAMES, ACCOUNT_ID}
    assert len(counts) == len(NAMES) * BUCKET_CHECKS + ACCOUNT_CHECKS
    assert set(first.part_keys).isdisjoint(second.part_keys)


def test_a_shard_continues_with_the_list_of_remaining_buckets(seven_buckets: S3World) -> None:
    shard = ["bucket-g", "bucket-b", "bucket-e", "bucket-a"]

    first = seven_buckets.scan(buckets=shard, shard="0003", batch_size=2, deadline=stops_after(1))

    assert resumed(first) == BucketContinuation(next_part=1, buckets=("bucket-e", "bucket-g"))
    second = seven_buckets.scan(
        buckets=resumed(first).buckets,
        shard="0003",
        first_part=resumed(first).next_part,
        batch_size=2,
    )
    assert second.continuation is None
    counts = keyed(seven_buckets.findings())
    assert {bucket for bucket, _ in counts} == set(shard)  # a shard skips account checks
    assert set(counts.values()) == {1}
    assert all("-0003-" in key for key in first.part_keys + second.part_keys)


def test_a_deadline_before_the_first_batch_still_writes_the_account_finding(
    seven_buckets: S3World,
) -> None:
    result = seven_buckets.scan(deadline=stops_after(0))

    assert resumed(result) == BucketContinuation(next_part=1, start_after=None)
    assert [f["resource_id"] for f in seven_buckets.findings()] == [ACCOUNT_ID] * ACCOUNT_CHECKS

    rest = seven_buckets.scan(first_part=1, start_after=None, include_account_checks=False)
    assert rest.resources_scanned == len(NAMES)
    assert set(keyed(seven_buckets.findings()).values()) == {1}


def test_rerunning_the_same_scan_overwrites_its_parts(seven_buckets: S3World) -> None:
    first = seven_buckets.scan(batch_size=3)
    stored = dict(seven_buckets.sink.objects)

    second = seven_buckets.scan(batch_size=3)

    assert second.part_keys == first.part_keys
    assert set(seven_buckets.sink.objects) == set(stored)
    assert set(keyed(seven_buckets.findings()).values()) == {1}


def test_a_shorter_rerun_removes_the_parts_a_longer_run_left(seven_buckets: S3World) -> None:
    seven_buckets.scan(batch_size=2)
    for name in NAMES[2:]:
        seven_buckets.admin().delete_bucket(Bucket=name)

    result = seven_buckets.scan(batch_size=2)

    assert set(seven_buckets.sink.objects) == set(result.part_keys)
    assert {f["resource_id"] for f in seven_buckets.findings()} == {*NAMES[:2], ACCOUNT_ID}


def test_every_finding_validates_against_the_findings_json_schema(
    seven_buckets: S3World, statement: Callable[..., dict[str, Any]]
) -> None:
    seven_buckets.grant_public("bucket-a", "READ", "WRITE")
    seven_buckets.policy("bucket-b", statement("bucket-b", Action="s3:*"))
    seven_buckets.fail_bucket("bucket-c", code="AccessDenied")
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))

    seven_buckets.scan()

    findings = seven_buckets.findings()
    assert {f["status"] for f in findings} == {"PASS", "FAIL", "ERROR"}
    for finding in findings:
        validator.validate(finding)


def test_the_result_counts_what_was_written(seven_buckets: S3World) -> None:
    seven_buckets.fail_bucket("bucket-d", code="AccessDenied")

    result = seven_buckets.scan()

    findings = seven_buckets.findings()
    assert result.findings == len(findings)
    assert result.findings_by_status == dict(Counter(f["status"] for f in findings))
    assert result.failed_by_severity == dict(
        Counter(f["severity"] for f in findings if f["status"] == "FAIL")
    )
    assert result.findings_by_status["ERROR"] == BUCKET_CHECKS
    assert result.resources_scanned == len(NAMES)


def test_an_account_without_buckets_still_reports_the_account_check(world: S3World) -> None:
    result = world.scan()

    assert result.resources_scanned == 0
    assert [f["check_id"] for f in world.findings()] == [c.check_id for c in account_checks()]


def test_a_continuation_that_stops_before_its_first_batch_hands_back_its_own_cursor(
    seven_buckets: S3World,
) -> None:
    first = seven_buckets.scan(batch_size=3, deadline=stops_after(1))
    assert resumed(first) == BucketContinuation(next_part=2, start_after="bucket-c")

    stalled = seven_buckets.scan(
        batch_size=3, start_after="bucket-c", first_part=2, deadline=stops_after(0)
    )

    assert stalled.resources_scanned == 0
    assert resumed(stalled) == BucketContinuation(next_part=2, start_after="bucket-c")
    rest = seven_buckets.scan(
        batch_size=3,
        start_after=resumed(stalled).start_after,
        first_part=resumed(stalled).next_part,
    )
    assert rest.continuation is None
    assert rest.resources_scanned == len(NAMES) - 3
    counts = keyed(seven_buckets.findings())
    assert set(counts.values()) == {1}
    assert {bucket for bucket, _ in counts} == {*NAMES, ACCOUNT_ID}
    assert len(counts) == len(NAMES) * BUCKET_CHECKS + ACCOUNT_CHECKS
