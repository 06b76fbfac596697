"""Operation -> IAM action: the rule, the irregulars (from the analyzer's registry), KMS by rule."""

from __future__ import annotations

import botocore.session
import pytest

from estate.iam.catalogue import action_catalogue
from estate.iam.operations import (
    ServiceCall,
    UnmappedOperation,
    actions_needed,
    iam_action,
    kms_actions_implied,
)
from estate_scanners.s3.sources import GET_BUCKET_LOCATION, LIST_BUCKETS, SOURCES

# Every service a platform function calls.
SERVICES = (
    "s3", "s3control", "ec2", "sts", "dynamodb", "dynamodbstreams", "sqs", "sns", "kms",
    "securityhub", "lambda", "stepfunctions", "scheduler", "logs", "cloudwatch",
)  # fmt: skip


def test_the_analyzers_operations_map_to_the_actions_its_registry_declares() -> None:
    operations = [s.operation for s in SOURCES.values()] + [LIST_BUCKETS, GET_BUCKET_LOCATION]
    for operation in operations:
        assert iam_action(operation.service, operation.name) == operation.iam_action


@pytest.mark.parametrize(
    ("service", "operation", "action"),
    [
        ("sqs", "ReceiveMessage", "sqs:ReceiveMessage"),
        ("cloudwatch", "PutMetricData", "cloudwatch:PutMetricData"),  # signs as monitoring
        ("s3control", "GetPublicAccessBlock", "s3:GetAccountPublicAccessBlock"),
        ("s3", "GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
        ("dynamodbstreams", "GetRecords", "dynamodb:GetRecords"),
        ("stepfunctions", "StartExecution", "states:StartExecution"),
        ("s3", "ListObjectsV2", "s3:ListBucket"),
        ("s3", "DeleteObjects", "s3:DeleteObject"),
        ("lambda", "Invoke", "lambda:InvokeFunction"),
        ("sts", "GetCallerIdentity", None),
    ],
)
def test_operations_map_to_their_actions(service: str, operation: str, action: str | None) -> None:
    assert iam_action(service, operation) == action


def test_an_operation_without_a_known_action_is_refused_never_guessed() -> None:
    # PutBucketEncryption needs s3:PutEncryptionConfiguration; nothing lists it.
    with pytest.raises(UnmappedOperation, match=r"s3\.PutBucketEncryption: .*_IRREGULAR"):
        iam_action("s3", "PutBucketEncryption")


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_maps_to_a_documented_action_or_is_refused(service: str) -> None:
    catalogue = action_catalogue()
    model = botocore.session.get_session().get_service_model(service)
    for operation in model.operation_names:
        try:
            action = iam_action(service, operation)
        except UnmappedOperation:
            continue
        assert action is None or catalogue.info(action) is not None, (service, operation)


@pytest.mark.parametrize(
    ("call", "implied"),
    [
        (ServiceCall("s3", "PutObject", "aws:kms"), {"kms:GenerateDataKey"}),
        (ServiceCall("s3", "GetObject", "aws:kms"), {"kms:Decrypt"}),
        (ServiceCall("s3", "PutObject", "AES256"), set()),
        (ServiceCall("s3", "ListObjectsV2"), set()),
        (ServiceCall("sns", "Publish", target="topic-k"), {"kms:GenerateDataKey", "kms:Decrypt"}),
        (ServiceCall("sns", "Publish", target="topic-plain"), set()),
        (
            ServiceCall("sqs", "SendMessage", target="topic-k"),
            {"kms:GenerateDataKey", "kms:Decrypt"},
        ),
        (ServiceCall("sqs", "ReceiveMessage", target="topic-k"), set()),
    ],
)
def test_kms_permissions_are_added_by_rule(call: ServiceCall, implied: set[str]) -> None:
    assert kms_actions_implied(call, frozenset({"topic-k"})) == implied


def test_actions_needed_unions_calls_and_rules() -> None:
    calls = [
        ServiceCall("sts", "GetCallerIdentity"),
        ServiceCall("s3", "PutObject", "aws:kms"),
        ServiceCall("s3", "ListObjectsV2"),
    ]
    assert actions_needed(calls) == {"s3:PutObject", "kms:GenerateDataKey", "s3:ListBucket"}
