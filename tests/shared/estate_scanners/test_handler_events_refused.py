"""Every refused handler event: one `event.<path>: reason` line naming the field, raised
before the first AWS call, and nothing written to the reports bucket."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estate_runtime.events import EventInvalid
from estate_scanners import s3_analyzer_handler, tag_checker_handler
from estate_scanners.s3.request import CONTINUATION_FIELDS as S3_CONTINUATION_FIELDS
from estate_scanners.s3.request import EVENT_FIELDS as S3_FIELDS
from estate_scanners.tags.continuation import FIELDS as TAGS_CONTINUATION_FIELDS
from estate_scanners.tags.request import EVENT_FIELDS as TAGS_FIELDS
from tests.lambda_fixtures import reports_bucket

REPORTS = "estate-reports"
BASE = {"scan_id": "scan-1", "scan_started": "2026-03-01T06:00:00Z"}
S3_EVENT: dict[str, Any] = dict(BASE)
TAGS_EVENT: dict[str, Any] = dict(
    BASE, regions=["eu-west-1"], required_tags=[{"key": "Owner", "values": None, "pattern": None}]
)
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
HANDLERS: dict[str, tuple[Handler, dict[str, Any]]] = {
    "s3": (s3_analyzer_handler.handler, S3_EVENT),
    "tags": (tag_checker_handler.handler, TAGS_EVENT),
}

# (scanner, changes to its valid event, the field path the line must name)
REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("s3", {"bucket": ["a"]}, "bucket"),
    ("s3", {"Buckets": ["a"]}, "Buckets"),
    ("s3", {"regions": ["eu-west-1"]}, "regions"),
    ("s3", {"continuation": {"next_part": "3", "start_after": "a"}}, "continuation.next_part"),
    ("s3", {"continuation": {"next_part": -1, "start_after": "a"}}, "continuation.next_part"),
    ("s3", {"continuation": {"start_after": "a"}}, "continuation.next_part"),
    ("s3", {"continuation": {"next_part": 1, "start_afer": "a"}}, "continuation.start_afer"),
    (
        "s3",
        {"continuation": {"next_part": 1, "start_after": "a", "buckets": ["b"]}},
        "continuation.start_after",
    ),
    ("s3", {"continuation": {"next_part": 1, "buckets": ["bad/name"]}}, "continuation.buckets[0]"),
    ("s3", {"continuation": []}, "continuation"),
    ("s3", {"scan_id": "bad id!"}, "scan_id"),
    ("s3", {"scan_started": "2026-03-01T06:00:00"}, "scan_started"),
    ("tags", {"region": ["eu-west-1"]}, "region"),
    ("tags", {"buckets": ["a"]}, "buckets"),
    ("tags", {"regions": ["eu-west-1", "nowhere"]}, "regions[1]"),
    (
        "tags",
        {"continuation": {"regions": ["eu-west-1"], "next_parts": {}}},
        "continuation.next_parts",
    ),
    (
        "tags",
        {"continuation": {"regions": ["eu-west-1"], "next_part": {"eu-west-1": -1}}},
        "continuation.next_part",
    ),
    ("tags", {"continuation": {"regions": ["us-east-2"], "next_part": {}}}, "continuation.regions"),
    ("tags", {"required_tags": [{"key": "Owner", "colour": "red"}]}, "required_tags[0]"),
]


@pytest.fixture
def reports(mocked_aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from reports_bucket(monkeypatch, REPORTS, reserve_ms=0)


def refused_line(handler: Handler, event: dict[str, Any], context: Any) -> EventInvalid:
    with pytest.raises(EventInvalid) as refused:
        handler(event, context)
    assert len(str(refused.value).splitlines()) == 1
    field = refused.value.field
    assert str(refused.value).startswith(f"event.{field if field.isprintable() else repr(field)}: ")
    return refused.value


@pytest.mark.parametrize(("scanner", "changes", "field"), REFUSED)
def test_a_refused_event_names_its_field_in_one_line_and_writes_nothing(
    scanner: str,
    changes: dict[str, Any],
    field: str,
    reports: Any,
    lambda_context: Callable[..., Any],
) -> None:
    handler, valid = HANDLERS[scanner]
    refused = refused_line(handler, {**valid, **changes}, lambda_context())

    assert refused.field == field
    assert reports.list_objects_v2(Bucket=REPORTS).get("KeyCount", 0) == 0


def test_a_typo_names_the_field_it_probably_meant(lambda_context: Callable[..., Any]) -> None:
    refused = refused_line(s3_analyzer_handler.handler, {**S3_EVENT, "bucket": ["a"]}, None)
    assert "did you mean 'buckets'?" in str(refused)


@pytest.mark.parametrize(
    ("scanner", "documented"),
    [("s3", S3_FIELDS), ("tags", TAGS_FIELDS)],
)
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.text(min_size=1, max_size=30))
def test_any_undocumented_event_key_is_refused_by_name(
    scanner: str, documented: frozenset[str], key: str
) -> None:
    if key in documented:
        return  # a documented key is the premise's complement, not a counterexample
    handler, valid = HANDLERS[scanner]
    assert refused_line(handler, {**valid, key: 1}, None).field == key


@pytest.mark.parametrize(
    ("scanner", "documented", "resume"),
    [
        ("s3", S3_CONTINUATION_FIELDS, {"next_part": 1, "start_after": "a"}),
        ("tags", TAGS_CONTINUATION_FIELDS, {"regions": ["eu-west-1"], "next_part": {}}),
    ],
)
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=20))
def test_any_undocumented_continuation_key_is_refused_with_its_full_path(
    scanner: str, documented: frozenset[str], resume: dict[str, Any], key: str
) -> None:
    if key in documented:
        return
    handler, valid = HANDLERS[scanner]
    event = {**valid, "continuation": {**resume, key: 1}}
    assert refused_line(handler, event, None).field == f"continuation.{key}"
