"""Environment settings of the scanner functions, refused in one line when malformed."""

from __future__ import annotations

import boto3
import pytest

from estate_runtime.settings import (
    SettingInvalid,
    confirm_reports_bucket,
    env_int,
    reports_client,
    reports_sink,
)


def test_an_unset_or_empty_integer_setting_takes_its_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SCAN_CONCURRENCY", raising=False)
    assert env_int("SCAN_CONCURRENCY", 4) == 4
    monkeypatch.setenv("SCAN_CONCURRENCY", "")
    assert env_int("SCAN_CONCURRENCY", 4) == 4
    monkeypatch.setenv("SCAN_CONCURRENCY", "12")
    assert env_int("SCAN_CONCURRENCY", 4, maximum=16) == 12


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("four", "SCAN_CONCURRENCY='four' is not an integer"),
        ("0", "is outside 1..16"),
        ("17", "1..16"),
    ],
)
def test_a_malformed_integer_setting_is_refused(
    monkeypatch: pytest.MonkeyPatch, raw: str, message: str
) -> None:
    monkeypatch.setenv("SCAN_CONCURRENCY", raw)
    with pytest.raises(SettingInvalid, match=message):
        env_int("SCAN_CONCURRENCY", 4, maximum=16)


def test_the_reports_sink_writes_to_the_named_bucket_with_its_key(
    mocked_aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports_client.cache_clear()
    confirm_reports_bucket.cache_clear()
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="estate-reports")
    monkeypatch.setenv("REPORTS_BUCKET", "estate-reports")
    monkeypatch.setenv("REPORTS_KMS_KEY_ID", "")
    reports_sink().put("findings/x.jsonl.gz", b"x")
    assert list(reports_sink().list_keys("findings/")) == ["findings/x.jsonl.gz"]
    head = boto3.client("s3", region_name="us-east-1").head_object(
        Bucket="estate-reports", Key="findings/x.jsonl.gz"
    )
    assert head["ContentType"] == "application/x-ndjson"
    assert reports_client() is reports_client()
    reports_client.cache_clear()
    confirm_reports_bucket.cache_clear()
