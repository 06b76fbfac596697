"""The Lambda handler, given/when/then: event in, findings in the reports bucket, EMF out."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from estate_runtime import aws as runtime_aws
from estate_runtime import invocation
from estate_runtime.events import EventInvalid
from estate_runtime.report_writer import SCAN_STARTED_METADATA, decode_part
from estate_runtime.settings import SettingInvalid
from estate_scanners import s3_analyzer_handler
from estate_scanners.s3.checks import account_checks, bucket_checks
from estate_scanners.s3.request import parse_request
from tests.lambda_fixtures import reports_bucket
from tests.support.s3_world import ACCOUNT_ID, OTHER_ACCOUNT_ID, error_response, targets_bucket

REPORTS = "estate-reports"
EVENT: dict[str, Any] = {"scan_id": "scan-2026-03-01", "scan_started": "2026-03-01T06:00:00Z"}


@pytest.fixture
def reports(mocked_aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A reports bucket named by the function's environment; the handler's cached client reset."""
    yield from reports_bucket(monkeypatch, REPORTS, reserve_ms=1000)


def stored_findings(client: Any, skip: str = REPORTS) -> list[dict[str, Any]]:
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=REPORTS).get("Contents", [])]
    return [
        finding
        for key in sorted(keys)
        for finding in decode_part(client.get_object(Bucket=REPORTS, Key=key)["Body"].read())
    ]


def test_given_an_account_when_invoked_then_findings_land_in_the_reports_bucket_and_metrics_print(
    reports: Any, lambda_context: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("app-data", "app-logs"):
        reports.create_bucket(Bucket=name)

    result = s3_analyzer_handler.handler(dict(EVENT), lambda_context())

    assert result["done"] is True
    assert result["continuation"] is None
    assert result["account_id"] == ACCOUNT_ID
    assert result["buckets_scanned"] == 3  # the reports bucket is in the account too
    findings = stored_findings(reports)
    assert len(findings) == result["findings"] == 3 * len(bucket_checks()) + len(account_checks())
    assert {f["scan_id"] for f in findings} == {"scan-2026-03-01"}
    # Every part declares its scan's start, which core orders overlapping scans by.
    for item in reports.list_objects_v2(Bucket=REPORTS)["Contents"]:
        metadata = reports.head_object(Bucket=REPORTS, Key=item["Key"])["Metadata"]
        assert metadata == {SCAN_STARTED_METADATA: EVENT["scan_started"]}
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert len(emf) == 1
    assert emf[0]["BucketsScanned"] == [3.0]
    assert emf[0]["FindingsFail"] == [result["findings_by_status"]["FAIL"]]
    assert emf[0]["Scanner"] == "s3"


def test_given_little_time_when_invoked_then_it_returns_a_continuation_that_completes_the_scan(
    reports: Any, lambda_context: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCAN_BATCH_SIZE", "2")
    for index in range(5):
        reports.create_bucket(Bucket=f"data-{index}")
    # 119.5 s are left and every look at the clock costs 59.5 s: the handler's look at the
    # start and the first batch's fit; after that batch no time beyond the 1 s reserve remains.
    first = s3_analyzer_handler.handler(
        dict(EVENT), lambda_context(remaining_ms=119_500, ms_per_check=59_500)
    )

    assert first["done"] is False
    assert first["continuation"]["next_part"] == 2
    second = s3_analyzer_handler.handler(
        dict(EVENT, continuation=first["continuation"]), lambda_context()
    )

    assert second["done"] is True
    counts = Counter((f["resource_id"], f["check_id"]) for f in stored_findings(reports))
    assert set(counts.values()) == {1}
    assert len(counts) == 6 * len(bucket_checks()) + len(account_checks())


def test_given_a_shard_with_required_tags_when_invoked_then_only_the_shard_is_judged(
    reports: Any, lambda_context: Callable[..., Any]
) -> None:
    reports.create_bucket(Bucket="tagged")
    reports.put_bucket_tagging(
        Bucket="tagged", Tagging={"TagSet": [{"Key": "Owner", "Value": "a"}]}
    )
    reports.create_bucket(Bucket="not-in-shard")
    event = dict(EVENT, buckets=["tagged"], shard="0002", required_tags=[{"key": "Owner"}])

    result = s3_analyzer_handler.handler(event, lambda_context())

    findings = stored_findings(reports)
    assert {f["resource_id"] for f in findings} == {"tagged"}
    assert next(f for f in findings if f["check_id"] == "s3.required_tags")["status"] == "PASS"
    assert result["shard"] == "0002"


def test_given_a_role_arn_when_invoked_then_the_other_account_is_scanned(
    reports: Any, lambda_context: Callable[..., Any]
) -> None:
    role_arn = f"arn:aws:iam::{OTHER_ACCOUNT_ID}:role/estate-scanner"
    credentials = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=role_arn, RoleSessionName="setup"
    )["Credentials"]
    boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    ).create_bucket(Bucket="theirs")

    result = s3_analyzer_handler.handler(
        dict(EVENT, role_arn=role_arn, external_id="estate-external-id"), lambda_context()
    )

    findings = stored_findings(reports)
    assert result["account_id"] == OTHER_ACCOUNT_ID
    assert {f["account_id"] for f in findings} == {OTHER_ACCOUNT_ID}
    assert {f["resource_id"] for f in findings} == {"theirs", OTHER_ACCOUNT_ID}


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({"scan_started": "2026-03-01T06:00:00Z"}, "scan_id"),
        (dict(EVENT, buckets=[]), "buckets"),
        (dict(EVENT, buckets=["bad/name"]), "buckets[0]"),
        (dict(EVENT, shard="a-b"), "shard"),
        (dict(EVENT, include_account_checks="yes"), "include_account_checks"),
        (dict(EVENT, required_tags=[{"key": "Owner", "colour": "red"}]), "required_tags[0]"),
        (dict(EVENT, continuation={"start_after": "x"}), "continuation.next_part"),
        (dict(EVENT, continuation={"next_part": 1}), "continuation.buckets"),
        (dict(EVENT, continuation={"buckets": [], "next_part": 1}), "continuation.buckets"),
        (
            dict(EVENT, buckets=["a"], continuation={"start_after": "a", "next_part": 1}),
            "continuation.start_after",
        ),
    ],
)
def test_a_bad_event_is_refused_naming_the_field(event: dict[str, Any], field: str) -> None:
    with pytest.raises(EventInvalid) as refused:
        parse_request(event)

    assert refused.value.field == field


def test_a_continuation_replaces_the_targets_and_never_repeats_account_checks() -> None:
    request = parse_request(
        dict(EVENT, buckets=["a", "b", "c"], continuation={"buckets": ["c"], "next_part": 4})
    )

    assert request.buckets == ("c",)
    assert request.first_part == 4
    assert request.include_account_checks is False


def test_a_fresh_event_keeps_the_callers_choice_of_account_checks() -> None:
    assert parse_request(dict(EVENT)).include_account_checks is None
    assert parse_request(
        dict(EVENT, buckets=["a"], include_account_checks=True)
    ).include_account_checks


def test_bad_environment_settings_are_refused(
    reports: Any, lambda_context: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCAN_CONCURRENCY", "500")

    with pytest.raises(ValueError, match="SCAN_CONCURRENCY=500 is outside"):
        s3_analyzer_handler.handler(dict(EVENT), lambda_context())


@pytest.mark.parametrize("remaining_ms", [1_000, 400])
def test_given_a_reserve_that_leaves_no_time_when_invoked_then_it_is_refused_before_any_call(
    reports: Any, lambda_context: Callable[..., Any], remaining_ms: int
) -> None:
    reports.create_bucket(Bucket="app-data")
    context = lambda_context(remaining_ms=remaining_ms)  # SCAN_RESERVE_MS is 1000 here

    with pytest.raises(SettingInvalid) as refused:
        s3_analyzer_handler.handler(dict(EVENT), context)

    message = str(refused.value)
    assert "\n" not in message
    assert "SCAN_RESERVE_MS=1000" in message
    assert f"started with {remaining_ms} ms left" in message
    assert "function timeout" in message
    assert stored_findings(reports) == []


def test_given_failing_buckets_when_invoked_then_scan_errors_counts_buckets_in_error_not_calls(
    reports: Any,
    lambda_context: Callable[..., Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("locked", "half-locked", "healthy"):
        reports.create_bucket(Bucket=name)
    real_target_session = runtime_aws.target_session

    def deny(request: Any, event_name: str, **_: Any) -> Any:
        whole = targets_bucket(request.url, "locked")
        two_items = targets_bucket(request.url, "half-locked") and event_name.endswith(
            (".GetBucketVersioning", ".GetBucketLogging")
        )
        if whole or two_items:
            return error_response(request.url, 403, "AccessDenied", "denied by the test")
        return None

    def faulty_target_session(**options: Any) -> Any:
        session = real_target_session(**options)
        session.boto_session.events.register("before-send.s3", deny)
        return session

    monkeypatch.setattr(invocation, "target_session", faulty_target_session)
    capsys.readouterr()

    result = s3_analyzer_handler.handler(dict(EVENT), lambda_context())

    # "locked" fails at its location call (1), "half-locked" at two items: 3 failed calls.
    assert result["fetch_errors"] == 3
    assert result["resources_in_error"] == 2
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert emf[0]["ScanErrors"] == [2.0]


def test_the_session_into_the_target_names_the_scan_and_sets_its_source_identity(
    reports: Any, lambda_context: Callable[..., Any]
) -> None:
    sent: list[dict[str, Any]] = []
    original_client = boto3.Session.client

    def recording_client(self: boto3.Session, *args: Any, **kwargs: Any) -> Any:
        client = original_client(self, *args, **kwargs)
        client.meta.events.register(
            "provide-client-params.sts.AssumeRole", lambda params, **_: sent.append(dict(params))
        )
        return client

    role_arn = f"arn:aws:iam::{OTHER_ACCOUNT_ID}:role/estate-scanner"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(boto3.Session, "client", recording_client)
        s3_analyzer_handler.handler(dict(EVENT, role_arn=role_arn), lambda_context())

    expected = f"estate-{EVENT['scan_id']}"
    assert [(p["RoleSessionName"], p["SourceIdentity"]) for p in sent] == [(expected, expected)]


def test_a_rerun_of_the_same_scan_id_with_a_later_start_replaces_its_findings(
    reports: Any, lambda_context: Callable[..., Any]
) -> None:
    for name in ("app-data", "app-logs"):
        reports.create_bucket(Bucket=name)
    s3_analyzer_handler.handler(dict(EVENT), lambda_context())
    first = stored_findings(reports)

    later = dict(EVENT, scan_started="2026-03-02T06:00:00Z")
    s3_analyzer_handler.handler(later, lambda_context())

    findings = stored_findings(reports)
    pairs = [(f["resource_id"], f["check_id"]) for f in findings]
    assert len(pairs) == len(set(pairs)) == len(first)
    keys = [o["Key"] for o in reports.list_objects_v2(Bucket=REPORTS)["Contents"]]
    assert keys and all("/dt=2026-03-02/" in key for key in keys)


def test_a_reports_bucket_that_does_not_exist_fails_naming_the_variable_before_the_scan(
    reports: Any, lambda_context: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPORTS_BUCKET", "estate-reports-typo")
    scanned: list[str] = []
    original_client = boto3.Session.client

    def recording_client(self: boto3.Session, *args: Any, **kwargs: Any) -> Any:
        client = original_client(self, *args, **kwargs)
        client.meta.events.register(
            "before-call.s3.ListBuckets", lambda **_: scanned.append("ListBuckets")
        )
        return client

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(boto3.Session, "client", recording_client)
        with pytest.raises(SettingInvalid) as refused:
            s3_analyzer_handler.handler(dict(EVENT), lambda_context())

    assert "REPORTS_BUCKET='estate-reports-typo': the bucket does not exist" in str(refused.value)
    assert scanned == []
