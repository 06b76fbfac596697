"""The tag checker's Lambda handler: event in, findings to the reports bucket, EMF, summary."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from estate_runtime.events import EventInvalid
from estate_runtime.metrics import INSTANCES_SCANNED
from estate_runtime.report_writer import SCAN_STARTED_METADATA, decode_part
from estate_runtime.settings import SettingInvalid, confirm_reports_bucket, reports_client
from estate_scanners.tag_checker_handler import handler

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "222222222222"
REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-2"]


@pytest.fixture
def reports(mocked_aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A KMS-encrypted reports bucket named by the function's environment."""
    reports_client.cache_clear()
    confirm_reports_bucket.cache_clear()
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="estate-reports")
    key_id = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["KeyId"]
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("REPORTS_BUCKET", "estate-reports")
    monkeypatch.setenv("REPORTS_KMS_KEY_ID", key_id)
    monkeypatch.setenv("SCAN_RESERVE_MS", "0")
    yield {"bucket": "estate-reports", "key_id": key_id}
    reports_client.cache_clear()
    confirm_reports_bucket.cache_clear()


@pytest.fixture
def event(dev_rules_json: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "scan_id": "daily-20250131",
        "scan_started": "2025-01-31T03:00:00Z",
        "regions": REGIONS,
        "required_tags": dev_rules_json,
    }


def stored_findings(bucket: str) -> list[dict[str, Any]]:
    s3 = boto3.client("s3", region_name="us-east-1")
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return [
        finding
        for key in keys
        for finding in decode_part(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    ]


def test_a_scan_writes_encrypted_findings_prints_metrics_and_returns_a_summary(
    *,
    reports: dict[str, str],
    event: dict[str, Any],
    launch: Callable[..., list[str]],
    good_tags: dict[str, str],
    lambda_context: Callable[..., Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    launch(boto3.client("ec2", region_name="eu-west-1"), count=2, tags=good_tags)
    launch(boto3.client("ec2", region_name="us-east-1"), count=1)
    capsys.readouterr()

    summary = handler(event, lambda_context())

    assert json.loads(json.dumps(summary)) == summary
    assert summary["done"] is True
    assert summary["continuation"] is None
    assert summary["account_id"] == ACCOUNT
    assert summary["instances_scanned"] == 3
    assert summary["findings_by_status"] == {"PASS": 2, "FAIL": 1}
    key = summary["written_keys"][0]
    assert key == (
        f"findings/scanner=tags/account={ACCOUNT}/dt=2025-01-31/daily-20250131-0000_euwest1-00000.jsonl.gz"
    )
    head = boto3.client("s3", region_name="us-east-1").head_object(
        Bucket=reports["bucket"], Key=key
    )
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"].endswith(reports["key_id"])
    assert head["Metadata"] == {SCAN_STARTED_METADATA: event["scan_started"]}
    assert len(stored_findings(reports["bucket"])) == 3
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert len(emf) == 1
    assert emf[0][INSTANCES_SCANNED] == [3.0]
    assert emf[0]["FindingsFail"] == [1.0]
    assert emf[0]["Scanner"] == "tags"


def test_near_the_deadline_the_handler_returns_a_continuation_it_accepts_to_finish(
    reports: dict[str, str],
    event: dict[str, Any],
    launch: Callable[..., list[str]],
    lambda_context: Callable[..., Any],
) -> None:
    launched = [
        instance_id
        for region in REGIONS
        for instance_id in launch(boto3.client("ec2", region_name=region), count=2)
    ]
    # The handler looks at the clock once at the start; then one page fits (3,000 ms
    # estimated) and the next check finds too little time.
    first = handler(event, lambda_context(remaining_ms=4_500, ms_per_check=1_000))
    assert first["done"] is False
    assert len(first["continuation"]["regions"]) == 2
    # Each region numbers its own parts: the regions left have written none yet.
    assert first["continuation"]["next_part"] == dict.fromkeys(first["continuation"]["regions"], 0)
    second = handler(
        {**event, "continuation": first["continuation"]}, lambda_context(remaining_ms=900_000)
    )
    assert second["done"] is True
    assert len(second["written_keys"]) == 2
    assert all(key.endswith("-00000.jsonl.gz") for key in second["written_keys"])
    assert set(first["written_keys"]).isdisjoint(second["written_keys"])
    ids = [finding["resource_id"] for finding in stored_findings(reports["bucket"])]
    assert sorted(ids) == sorted(launched)


def test_a_role_arn_scans_the_other_account(
    reports: dict[str, str],
    event: dict[str, Any],
    launch: Callable[..., list[str]],
    lambda_context: Callable[..., Any],
) -> None:
    launch(boto3.client("ec2", region_name="eu-west-1"), count=4)  # the home account's own
    role_arn = f"arn:aws:iam::{OTHER_ACCOUNT}:role/estate-scanner"
    credentials = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=role_arn, RoleSessionName="seed"
    )["Credentials"]
    target_ec2 = boto3.client(
        "ec2",
        region_name="eu-west-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    theirs = launch(target_ec2, count=1)
    summary = handler(
        {**event, "account_id": OTHER_ACCOUNT, "role_arn": role_arn, "external_id": "ext-1"},
        lambda_context(),
    )
    assert summary["account_id"] == OTHER_ACCOUNT
    findings = stored_findings(reports["bucket"])
    assert [finding["resource_id"] for finding in findings] == theirs
    assert {finding["account_id"] for finding in findings} == {OTHER_ACCOUNT}


def test_an_account_id_that_the_credentials_do_not_reach_is_refused(
    reports: dict[str, str], event: dict[str, Any], lambda_context: Callable[..., Any]
) -> None:
    with pytest.raises(EventInvalid, match=r"event\.account_id: 222222222222 but the credentials"):
        handler({**event, "account_id": OTHER_ACCOUNT}, lambda_context())
    assert stored_findings(reports["bucket"]) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"regions": []}, r"event\.regions: expected a non-empty list"),
        ({"regions": ["Ireland"]}, r"event\.regions\[0\]: 'Ireland' is not a region name"),
        ({"required_tags": None}, r"event\.required_tags: expected a list of rules"),
        ({"required_tags": [{"key": "A", "pattern": "["}]}, r"event\.required_tags\[0\]\.pattern"),
        (
            {"continuation": {"regions": ["sa-east-1"], "next_part": 1}},
            r"event\.continuation\.regions",
        ),
        ({"continuation": {"regions": ["eu-west-1"]}}, r"event\.continuation\.next_part"),
        (
            {"continuation": {"regions": ["eu-west-1"], "next_part": 1}},
            r"event\.continuation\.next_part: expected an object of region",
        ),
        (
            {"continuation": {"regions": ["eu-west-1"], "next_part": {"us-east-1": 1}}},
            r"event\.continuation\.next_part: \['us-east-1'\] are not in its regions",
        ),
        ({"shard": "a-b"}, r"event\.shard: 'a-b' is not 1-64 letters"),
    ],
)
def test_a_bad_event_is_refused_naming_its_field(
    aws_credentials: None,
    event: dict[str, Any],
    lambda_context: Callable[..., Any],
    change: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(EventInvalid, match=message):
        handler({**event, **change}, lambda_context())


def test_missing_rules_are_refused(
    aws_credentials: None, event: dict[str, Any], lambda_context: Callable[..., Any]
) -> None:
    del event["required_tags"]
    with pytest.raises(EventInvalid, match=r"event\.required_tags: required"):
        handler(event, lambda_context())


def test_a_missing_reports_bucket_setting_is_refused(
    reports: dict[str, str],
    event: dict[str, Any],
    lambda_context: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REPORTS_BUCKET")
    with pytest.raises(SettingInvalid, match="REPORTS_BUCKET is not set"):
        handler(event, lambda_context())


@pytest.mark.parametrize("remaining_ms", [15_000, 9_000])
def test_a_reserve_that_leaves_no_time_is_refused_before_any_region_is_read(
    reports: dict[str, str],
    event: dict[str, Any],
    lambda_context: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    remaining_ms: int,
) -> None:
    monkeypatch.setenv("SCAN_RESERVE_MS", "15000")

    with pytest.raises(SettingInvalid) as refused:
        handler(event, lambda_context(remaining_ms=remaining_ms))

    message = str(refused.value)
    assert "\n" not in message
    assert "SCAN_RESERVE_MS=15000" in message
    assert f"started with {remaining_ms} ms left" in message
    assert "function timeout" in message
    assert stored_findings(reports["bucket"]) == []
