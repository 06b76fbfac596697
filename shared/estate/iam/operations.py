"""Which IAM action an AWS API operation needs: the rule, the irregulars, and KMS by rule.

Most operations need the action of the same name under the service's IAM prefix, which is
botocore's signing name (``s3control`` signs as ``s3``, DynamoDB Streams as ``dynamodb``,
Step Functions as ``states``) except where IAM spells it differently (CloudWatch signs as
``monitoring``, its actions are ``cloudwatch:``). The rest is a short table: the S3 analyzer's
own irregulars come from its source registry (``estate_scanners.s3.sources``, where each was
checked against AWS's reference), the others are listed here with AWS's reference in mind.
An operation whose regular name is no documented IAM action and which the table does not
list raises ``UnmappedOperation``: a least-privilege proof must never guess.

Some permissions are never a call of their own. Writing to an SSE-KMS bucket, publishing to
a KMS-encrypted topic or sending to an encrypted queue make the service call KMS *as the
caller*: ``kms_actions_implied`` adds those by rule.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import botocore.session

from estate.iam.catalogue import action_catalogue
from estate_scanners.s3.sources import GET_BUCKET_LOCATION, LIST_BUCKETS, SOURCES

# botocore signing name -> IAM prefix, where they differ.
_PREFIX_BY_SIGNING_NAME: Final[Mapping[str, str]] = {"monitoring": "cloudwatch"}

# (botocore service name, operation) -> IAM action; None: AWS authorises the call without one.
_IRREGULAR: Final[Mapping[tuple[str, str], str | None]] = {
    **{
        (source.operation.service, source.operation.name): source.operation.iam_action
        for source in SOURCES.values()
    },
    (LIST_BUCKETS.service, LIST_BUCKETS.name): LIST_BUCKETS.iam_action,
    (GET_BUCKET_LOCATION.service, GET_BUCKET_LOCATION.name): GET_BUCKET_LOCATION.iam_action,
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "DeleteObjects"): "s3:DeleteObject",  # authorised per key, as DeleteObject
    ("sqs", "SendMessageBatch"): "sqs:SendMessage",
    ("sqs", "DeleteMessageBatch"): "sqs:DeleteMessage",
    ("sqs", "ChangeMessageVisibilityBatch"): "sqs:ChangeMessageVisibility",
    ("lambda", "Invoke"): "lambda:InvokeFunction",
    # Every principal may ask who it is; IAM has no action to deny it.
    ("sts", "GetCallerIdentity"): None,
}


# Sends whose message the topic's or queue's key encrypts, with the caller's permission.
_ENCRYPTED_SENDS: Final = frozenset(
    {
        ("sns", "Publish"),
        ("sns", "PublishBatch"),
        ("sqs", "SendMessage"),
        ("sqs", "SendMessageBatch"),
    }
)


class UnmappedOperation(LookupError):
    """An operation with no known IAM action; the message says where to add it."""


@dataclass(frozen=True)
class ServiceCall:
    """One API call as a recorder saw it: service (botocore name), operation, key facts."""

    service: str
    operation: str
    # SSE the response reported (S3), e.g. "aws:kms"; None when the call has none.
    server_side_encryption: str | None = None
    # The target (topic ARN or queue URL) of a publish or send, for the encrypted-target rule.
    target: str | None = None


# Cached: loading a service model parses its whole JSON (EC2's takes ~0.1 s), and a proof
# maps every recorded call through here.
@functools.cache
def iam_prefix(service: str) -> str:
    """The IAM prefix of a botocore service name (``s3control`` -> ``s3``)."""
    signing_name = botocore.session.get_session().get_service_model(service).signing_name
    return _PREFIX_BY_SIGNING_NAME.get(signing_name, signing_name)


def iam_action(service: str, operation: str) -> str | None:
    """The IAM action ``operation`` of botocore service ``service`` needs (None: none)."""
    if (service, operation) in _IRREGULAR:
        return _IRREGULAR[(service, operation)]
    action = f"{iam_prefix(service)}:{operation}"
    canonical = action_catalogue().canonical(action)
    if canonical is None:
        raise UnmappedOperation(
            f"{service}.{operation}: {action} is no documented IAM action; add the operation's "
            "action to estate.iam.operations._IRREGULAR"
        )
    return canonical


def kms_actions_implied(call: ServiceCall, encrypted_targets: frozenset[str]) -> frozenset[str]:
    """The KMS actions AWS checks on the caller's behalf for ``call``.

    S3 reports the object's encryption on every put and get: SSE-KMS needs a data key to
    write and a decrypt to read. SNS and SQS encrypt messages with the topic's or queue's
    key, which the recorder cannot see in the call: ``encrypted_targets`` names those.
    """
    if call.service == "s3" and call.server_side_encryption == "aws:kms":
        if call.operation in {"PutObject", "CopyObject", "CreateMultipartUpload"}:
            return frozenset({"kms:GenerateDataKey"})
        if call.operation in {"GetObject", "HeadObject"}:
            return frozenset({"kms:Decrypt"})
    if call.target in encrypted_targets and (call.service, call.operation) in _ENCRYPTED_SENDS:
        return frozenset({"kms:GenerateDataKey", "kms:Decrypt"})
    return frozenset()


def actions_needed(
    calls: list[ServiceCall], encrypted_targets: frozenset[str] = frozenset()
) -> frozenset[str]:
    """Every IAM action a list of recorded calls needs, KMS by rule included."""
    needed: set[str] = set()
    for call in calls:
        action = iam_action(call.service, call.operation)
        if action is not None:
            needed.add(action)
        needed |= kms_actions_implied(call, encrypted_targets)
    return frozenset(needed)
