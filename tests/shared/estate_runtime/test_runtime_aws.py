"""Target sessions: explicit retries, cached clients, assumed roles, custom endpoints."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from estate_runtime.aws import (
    SESSION_NAME_PATTERN,
    assume_role_params,
    client_config,
    session_name_for,
    target_session,
)
from estate_runtime.events import SCAN_ID_PATTERN

TARGET_ACCOUNT = "222222222222"


def test_client_config_sets_standard_bounded_retries_pool_and_timeouts() -> None:
    config = client_config(max_attempts=4, max_pool_connections=48, read_timeout=7)
    assert config.retries == {"mode": "standard", "total_max_attempts": 4}
    assert config.max_pool_connections == 48
    assert config.read_timeout == 7
    assert config.connect_timeout == 5.0


@pytest.mark.parametrize("attempts", [0, 21])
def test_client_config_refuses_unbounded_or_zero_attempts(attempts: int) -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        client_config(max_attempts=attempts)


def test_clients_are_built_once_per_service_and_region(mocked_aws: None) -> None:
    session = target_session(region="eu-west-1")
    ec2 = session.client("ec2")
    assert session.client("ec2", "eu-west-1") is ec2
    assert session.client("ec2", "us-east-1") is not ec2
    assert session.client("ec2", "us-east-1").meta.region_name == "us-east-1"
    assert ec2.meta.config.retries["mode"] == "standard"


def test_account_id_asks_sts_once(mocked_aws: None) -> None:
    session = target_session(region="eu-west-1")
    calls: list[str] = []
    session.client("sts").meta.events.register(
        "before-call.sts.GetCallerIdentity", lambda **_: calls.append("call")
    )
    assert session.account_id() == "123456789012"
    assert session.account_id() == "123456789012"
    assert calls == ["call"]


def test_a_role_arn_is_assumed_with_its_external_id_and_acts_in_that_account(
    mocked_aws: None,
) -> None:
    sent: list[dict[str, Any]] = []
    original_client = boto3.Session.client

    def recording_client(self: boto3.Session, *args: Any, **kwargs: Any) -> Any:
        client = original_client(self, *args, **kwargs)
        client.meta.events.register(
            "provide-client-params.sts.AssumeRole", lambda params, **_: sent.append(dict(params))
        )
        return client

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(boto3.Session, "client", recording_client)
        session = target_session(
            role_arn=f"arn:aws:iam::{TARGET_ACCOUNT}:role/estate-scanner",
            external_id="estate-external-id",
            region="eu-west-1",
            session_name="estate-test",
        )
    assert sent == [
        {
            "RoleArn": f"arn:aws:iam::{TARGET_ACCOUNT}:role/estate-scanner",
            "RoleSessionName": "estate-test",
            "DurationSeconds": 3600,
            "ExternalId": "estate-external-id",
        }
    ]
    assert session.account_id() == TARGET_ACCOUNT
    session.client("s3", "us-east-1").create_bucket(Bucket="made-in-target")
    home_buckets = boto3.client("s3", region_name="us-east-1").list_buckets()["Buckets"]
    assert "made-in-target" not in [bucket["Name"] for bucket in home_buckets]


def test_an_external_id_without_a_role_is_refused() -> None:
    with pytest.raises(ValueError, match="external_id only makes sense with role_arn"):
        target_session(external_id="x1")


def test_the_endpoint_url_reaches_every_client(moto_endpoint: str) -> None:
    session = target_session(endpoint_url=moto_endpoint, region="eu-west-1")
    seen: list[str] = []
    for service in ("sts", "ec2", "s3"):
        client = session.client(service)
        client.meta.events.register("before-send", lambda request, **_: seen.append(request.url))
    assert session.account_id() == "123456789012"
    session.client("ec2").describe_instances()
    session.client("s3").create_bucket(
        Bucket="path-style", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    assert len(seen) == 3
    assert {urlsplit(url).netloc for url in seen} == {urlsplit(moto_endpoint).netloc}
    assert urlsplit(seen[2]).path == "/path-style"


def test_s3_control_stays_on_the_custom_endpoint_host(moto_endpoint: str) -> None:
    session = target_session(endpoint_url=moto_endpoint, region="eu-west-1")
    s3control = session.client("s3control")
    block = {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": True,
    }
    s3control.put_public_access_block(
        AccountId=session.account_id(), PublicAccessBlockConfiguration=block
    )
    answer = s3control.get_public_access_block(AccountId=session.account_id())
    assert answer["PublicAccessBlockConfiguration"] == block


def test_without_the_fix_s3_control_would_prefix_the_account_to_the_host(
    moto_endpoint: str,
) -> None:
    urls: list[str] = []
    raw = boto3.client(
        "s3control", endpoint_url=moto_endpoint, region_name="eu-west-1", config=client_config()
    )

    def capture_and_stop(request: Any, **_: Any) -> None:
        urls.append(request.url)
        raise _Stop

    raw.meta.events.register("before-send.s3-control", capture_and_stop)
    with pytest.raises(_Stop):
        raw.get_public_access_block(AccountId="123456789012")
    assert urlsplit(urls[0]).netloc == f"123456789012.{urlsplit(moto_endpoint).netloc}"


class _Stop(Exception):
    """Ends a request before it is sent."""


def test_throttled_calls_are_retried_within_the_bounded_attempts(
    mocked_aws: None, inject_faults: Callable[..., Any], no_retry_sleep: list[float]
) -> None:
    session = target_session(region="eu-west-1", config=client_config(max_attempts=3))
    ec2 = session.client("ec2")
    throttled = inject_faults(
        ec2, "DescribeRegions", code="RequestLimitExceeded", times=2, status=503
    )
    assert ec2.describe_regions()["Regions"]
    assert (throttled.calls, throttled.injected) == (3, 2)
    assert len(no_retry_sleep) == 2
    always = inject_faults(
        ec2, "DescribeInstances", code="RequestLimitExceeded", times=None, status=503
    )
    with pytest.raises(ec2.exceptions.ClientError, match="RequestLimitExceeded"):
        ec2.describe_instances()
    assert always.calls == 3
    assert json.dumps(throttled.requests)  # the injector saw real request URLs


@given(scan_id=st.from_regex(SCAN_ID_PATTERN, fullmatch=True))
def test_a_session_name_carries_the_scan_id_within_iams_limits(scan_id: str) -> None:
    name = session_name_for(scan_id)
    assert SESSION_NAME_PATTERN.fullmatch(name)
    assert len(name) <= 64
    if len(f"estate-{scan_id}") <= 64:
        assert name == f"estate-{scan_id}"
    else:
        assert name.startswith(f"estate-{scan_id}"[:55])


@given(
    first=st.from_regex(SCAN_ID_PATTERN, fullmatch=True),
    second=st.from_regex(SCAN_ID_PATTERN, fullmatch=True),
)
def test_two_scan_ids_never_share_a_session_name(first: str, second: str) -> None:
    if first != second:
        assert session_name_for(first) != session_name_for(second)


def test_the_assume_role_request_names_the_scan_and_sets_the_source_identity() -> None:
    params = assume_role_params(
        f"arn:aws:iam::{TARGET_ACCOUNT}:role/estate-scanner", None, "estate-s-1", "estate-s-1"
    )
    assert params["RoleSessionName"] == params["SourceIdentity"] == "estate-s-1"
    assert "ExternalId" not in params


def test_a_malformed_session_name_or_source_identity_is_refused() -> None:
    with pytest.raises(ValueError, match="source_identity"):
        target_session(role_arn=f"arn:aws:iam::{TARGET_ACCOUNT}:role/r", source_identity="a b")
