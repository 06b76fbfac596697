"""Handler events read into types, every bad field reported in one line."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from estate_runtime.events import (
    REGION_PATTERN,
    EventInvalid,
    optional_int,
    parse_scan_target,
    require_str_list,
)

GOOD: dict[str, Any] = {
    "scan_id": "daily-2025-01-31",
    "scan_started": "2025-01-31T23:59:00+01:00",
    "account_id": "111111111111",
    "role_arn": "arn:aws:iam::111111111111:role/estate/scanner",
    "external_id": "estate-dev",
}


def test_a_good_event_is_read_with_its_start_in_utc() -> None:
    target = parse_scan_target(GOOD)
    assert target.scan_id == "daily-2025-01-31"
    assert target.scan_started == datetime(2025, 1, 31, 22, 59, tzinfo=UTC)
    assert target.role_arn == "arn:aws:iam::111111111111:role/estate/scanner"
    assert target.continuation is None


def test_optional_fields_may_be_absent() -> None:
    target = parse_scan_target({"scan_id": "s", "scan_started": "2025-01-31T03:00:00Z"})
    assert (target.account_id, target.role_arn, target.external_id) == (None, None, None)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scan_id": None}, "event.scan_id: required"),
        ({"scan_id": "bad id"}, "event.scan_id: 'bad id' is not 1-128 characters"),
        ({"scan_started": "yesterday"}, "event.scan_started: 'yesterday' is not an ISO 8601"),
        ({"scan_started": "2025-01-31T03:00:00"}, "event.scan_started: .* has no time zone"),
        ({"account_id": 111111111111}, "event.account_id: expected a string, got int"),
        ({"role_arn": "arn:aws:iam::1:user/x"}, "event.role_arn: .* is not an IAM role ARN"),
        ({"role_arn": None}, "event.external_id: given without role_arn"),
        ({"continuation": [1]}, "event.continuation: expected an object or null"),
    ],
)
def test_a_bad_field_is_one_line_naming_it(change: dict[str, Any], message: str) -> None:
    event = {**GOOD, **change}
    if change.get("scan_id", "") is None:
        del event["scan_id"]
    with pytest.raises(EventInvalid, match=message) as caught:
        parse_scan_target(event)
    assert "\n" not in str(caught.value)


def test_a_non_object_event_is_refused() -> None:
    with pytest.raises(EventInvalid, match=r"event\.\(root\): expected an object, got list"):
        parse_scan_target([])


def test_string_lists_must_be_non_empty_distinct_and_well_formed() -> None:
    assert require_str_list({"regions": ["eu-west-1"]}, "regions", REGION_PATTERN) == ("eu-west-1",)
    with pytest.raises(EventInvalid, match=r"event\.regions: expected a non-empty list"):
        require_str_list({"regions": []}, "regions")
    with pytest.raises(EventInvalid, match=r"event\.regions: lists an item twice"):
        require_str_list({"regions": ["a", "a"]}, "regions")
    with pytest.raises(EventInvalid, match=r"event\.regions\[1\]: 'Europe' is not a region"):
        require_str_list(
            {"regions": ["eu-west-1", "Europe"]}, "regions", REGION_PATTERN, "a region"
        )


def test_bounded_integers() -> None:
    assert optional_int({}, "concurrency", minimum=1, maximum=8) is None
    assert optional_int({"concurrency": 4}, "concurrency", minimum=1, maximum=8) == 4
    for bad in (0, 9, True, "4"):
        with pytest.raises(
            EventInvalid, match=r"event\.concurrency: expected an integer from 1 to 8"
        ):
            optional_int({"concurrency": bad}, "concurrency", minimum=1, maximum=8)
