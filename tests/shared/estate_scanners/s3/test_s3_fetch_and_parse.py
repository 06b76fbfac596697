"""One fetch: only a source's own codes mean "not configured"; odd answers become FetchErrors."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from estate_scanners.s3 import parsers
from estate_scanners.s3.collector import fetch
from estate_scanners.s3.facts import Fact, FetchError, NotConfigured, ObjectLock
from estate_scanners.s3.sources import SOURCES


class FakeClient:
    """Answers every call with one response or raises one error."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, method: str) -> Any:
        def call(**params: Any) -> Any:
            self.calls.append((method, params))
            if isinstance(self.answer, Exception):
                raise self.answer
            return self.answer

        return call


def client_error(code: str, message: str = "no") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "Op")


@pytest.mark.parametrize("fact", [f for f in Fact if SOURCES[f].not_configured_codes])
def test_a_sources_own_not_configured_code_means_not_configured(fact: Fact) -> None:
    source = SOURCES[fact]
    code = next(iter(source.not_configured_codes))

    assert fetch(FakeClient(client_error(code)), source, Bucket="b") == NotConfigured(code)


@pytest.mark.parametrize(
    "code", ["AccessDenied", "NoSuchBucket", "SlowDown", "InternalError", "NoSuchTagSet"]
)
def test_any_other_code_is_a_fetch_error_with_code_message_and_operation(code: str) -> None:
    source = SOURCES[Fact.ENCRYPTION]

    outcome = fetch(FakeClient(client_error(code, "said no")), source, Bucket="b")

    assert outcome == FetchError(code, "said no", "GetBucketEncryption")


def test_a_connection_failure_is_a_fetch_error() -> None:
    error = EndpointConnectionError(endpoint_url="https://s3.example")

    outcome = fetch(FakeClient(error), SOURCES[Fact.ACL], Bucket="b")

    assert isinstance(outcome, FetchError)
    assert outcome.code == "EndpointConnectionError"
    assert outcome.operation == "GetBucketAcl"


def test_a_malformed_policy_is_a_fetch_error_not_a_crash() -> None:
    outcome = fetch(FakeClient({"Policy": "{not json"}), SOURCES[Fact.POLICY], Bucket="b")

    assert isinstance(outcome, FetchError)
    assert outcome.code == "MalformedPolicy"


def test_an_unexpected_response_shape_is_a_fetch_error() -> None:
    outcome = fetch(FakeClient({}), SOURCES[Fact.OWNERSHIP_CONTROLS], Bucket="b")

    assert isinstance(outcome, FetchError)
    assert outcome.code == "UnexpectedResponse"
    assert "KeyError" in outcome.message


def test_the_call_uses_the_sources_method_and_parameters() -> None:
    client = FakeClient({"Status": "Enabled"})

    fetch(client, SOURCES[Fact.VERSIONING], Bucket="b", ExpectedBucketOwner="123456789012")

    assert client.calls == [
        ("get_bucket_versioning", {"Bucket": "b", "ExpectedBucketOwner": "123456789012"})
    ]


def test_notifications_count_every_target_kind_including_eventbridge() -> None:
    # moto does not return EventBridgeConfiguration; AWS does, as an empty element.
    parsed = parsers.notifications(
        {
            "TopicConfigurations": [{}],
            "LambdaFunctionConfigurations": [{}, {}],
            "EventBridgeConfiguration": {},
        }
    )

    assert (parsed.topics, parsed.queues, parsed.lambda_functions, parsed.eventbridge) == (
        1,
        0,
        2,
        True,
    )
    assert parsed.configured
    assert not parsers.notifications({}).configured


def test_object_lock_reads_its_default_retention() -> None:
    parsed = parsers.object_lock(
        {
            "ObjectLockConfiguration": {
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 7}},
            }
        }
    )

    assert parsed == ObjectLock(enabled=True, default_mode="COMPLIANCE", default_years=7)


def test_lifecycle_names_the_actions_each_rule_takes() -> None:
    parsed = parsers.lifecycle(
        {
            "Rules": [
                {
                    "ID": "old",
                    "Status": "Enabled",
                    "NoncurrentVersionExpiration": {},
                    "AbortIncompleteMultipartUpload": {},
                },
                {"Status": "Disabled", "Transitions": []},
            ]
        }
    )

    assert [(r.rule_id, r.enabled, r.actions) for r in parsed.rules] == [
        ("old", True, ("NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload")),
        (None, False, ("Transitions",)),
    ]


def test_a_partial_public_access_block_has_its_missing_flags_off() -> None:
    parsed = parsers.public_access_block(
        {"PublicAccessBlockConfiguration": {"BlockPublicAcls": True}}
    )

    assert parsed.flags_off() == ["IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"]


def test_logging_without_a_target_is_off_and_tags_become_a_mapping() -> None:
    assert not parsers.access_logging({}).enabled
    assert parsers.tags({"TagSet": [{"Key": "Owner", "Value": "a"}]}).values == {"Owner": "a"}
