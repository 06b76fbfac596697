"""The planner's pure half: shards, items, outcomes and the manifest."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estate_runtime.events import EventInvalid, parse_scan_target
from estate_scanners.planner import (
    cut_shards,
    manifest,
    read_outcomes,
    read_shard_size,
    s3_items,
    tag_items,
    target_fields,
)

NAMES = st.lists(st.from_regex(r"[a-z0-9][a-z0-9.-]{2,20}", fullmatch=True), max_size=60)
COMMON = {"scan_id": "scan-1", "scan_started": "2026-03-01T12:00:00Z", "account_id": "1" * 12}


@given(names=NAMES, size=st.integers(min_value=1, max_value=25))
def test_shards_cover_every_bucket_once_in_order_and_are_full_but_the_last(
    names: list[str], size: int
) -> None:
    shards = cut_shards(names, size)
    assert [name for shard in shards for name in shard] == sorted(set(names))
    assert len(shards) == math.ceil(len(set(names)) / size)
    assert all(len(shard) == size for shard in shards[:-1])
    assert all(1 <= len(shard) <= size for shard in shards)


@given(names=NAMES.filter(bool), size=st.integers(min_value=1, max_value=25))
def test_exactly_the_first_shard_runs_the_account_checks(names: list[str], size: int) -> None:
    items = s3_items(COMMON, names, size)
    assert [item.event["include_account_checks"] for item in items] == [True] + [False] * (
        len(items) - 1
    )
    assert [item.label for item in items] == [item.event["shard"] for item in items]
    assert len({item.label for item in items}) == len(items)


def test_an_account_without_buckets_still_gets_its_account_checks() -> None:
    [item] = s3_items(COMMON, [], 10)
    assert item.event == {**COMMON, "shard": "0000", "include_account_checks": True}


def test_the_tag_checker_gets_one_item_per_region() -> None:
    items = tag_items(COMMON, ["eu-west-1", "us-east-1"])
    assert [(i.label, i.event["regions"]) for i in items] == [
        ("eu-west-1", ["eu-west-1"]),
        ("us-east-1", ["us-east-1"]),
    ]


def test_the_target_travels_to_every_worker_and_absent_fields_stay_absent() -> None:
    target = parse_scan_target(
        {
            "scan_id": "scan-1",
            "scan_started": "2026-03-01T13:00:00+01:00",
            "role_arn": "arn:aws:iam::111111111111:role/scanner",
            "external_id": "estate-scan-1",
        }
    )
    fields = target_fields(target, None)
    assert fields == {
        "scan_id": "scan-1",
        "scan_started": "2026-03-01T12:00:00Z",
        "role_arn": "arn:aws:iam::111111111111:role/scanner",
        "external_id": "estate-scan-1",
    }


@pytest.mark.parametrize(
    ("request_body", "field"),
    [({"shard_size": 0}, "shard_size"), ({"shard_size": 1001}, "shard_size")],
)
def test_a_shard_size_out_of_bounds_is_refused(request_body: dict[str, int], field: str) -> None:
    with pytest.raises(EventInvalid, match=f"event.{field}: "):
        read_shard_size(request_body)


def test_outcomes_are_read_and_a_bad_status_is_named() -> None:
    outcomes = read_outcomes([{"label": "0000", "status": "done", "runs": 2}])
    assert outcomes[0].runs == 2
    with pytest.raises(EventInvalid, match=r"event.shards\[0\].status: 'lost'"):
        read_outcomes([{"label": "0000", "status": "lost"}])


def test_the_manifest_is_partial_when_a_shard_failed_and_names_it() -> None:
    outcomes = read_outcomes(
        [
            {"label": "0001", "status": "failed", "runs": 1, "error": "E", "cause": "x" * 5000},
            {"label": "0000", "status": "done", "runs": 3},
        ]
    )
    record = manifest(
        scanner="s3",
        account_id="1" * 12,
        scan_id="scan-1",
        scan_started="2026-03-01T12:00:00Z",
        completed_at=datetime(2026, 3, 1, 12, 5, tzinfo=UTC).isoformat(),
        outcomes=outcomes,
        parts=["b", "a"],
    )
    assert record["status"] == "partial"
    assert record["shards"] == {"total": 2, "done": 1, "failed": 1}
    assert record["runs"] == 4
    assert record["parts"] == ["a", "b"]
    [failed] = record["failed_shards"]
    assert failed["label"] == "0001"
    assert len(failed["cause"]) == 2048  # bounded: a stack trace must not bloat the state
