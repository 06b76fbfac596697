"""Resource policies of core's key, bucket and queue: who else may act on them, pinned down.

Identity policies come from ``estate.iam`` Statements; these name a principal (a service,
or everyone for a Deny), so they are built here, each one small and fixed in shape.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi

from estate.iam import actions_on
from estate.iam.document import POLICY_VERSION

# What CloudWatch needs of a topic's key to publish an alarm to it (SNS, "Enable
# compatibility between event sources from AWS services and encrypted topics").
ALARM_PUBLISHER_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")


def key_actions() -> tuple[str, ...]:
    """Every KMS action that acts on a key: what ``kms:*`` means on one key, as the IAM
    catalogue knows it today (a KMS action added later needs a catalogue update)."""
    return actions_on("kms", "key")


def reports_key_policy(
    key_arn: pulumi.Input[str], *, account_id: str, alarm_arn_pattern: str
) -> pulumi.Output[str]:
    """The reports key's policy: the account's IAM decides, as with the default policy,
    and CloudWatch may use the key for this account's estate alarms, which publish to the
    alert topic the key encrypts (without it they are dropped silently).

    Two departures from the default policy, both for ``estate plan``'s lint: the account's
    statement lists the key actions instead of ``kms:*``, and every statement names the
    key's ARN where the default writes ``"*"`` (in a key policy both mean "this key").
    """

    def render(arn: str) -> str:
        return json.dumps(
            {
                "Version": POLICY_VERSION,
                "Statement": [
                    {
                        "Sid": "AccountIamDecides",
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                        "Action": list(key_actions()),
                        "Resource": arn,
                    },
                    {
                        "Sid": "EstateAlarmsPublishToEncryptedTopic",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudwatch.amazonaws.com"},
                        "Action": list(ALARM_PUBLISHER_KEY_ACTIONS),
                        "Resource": arn,
                        "Condition": {
                            "ArnLike": {"aws:SourceArn": alarm_arn_pattern},
                            "StringEquals": {"aws:SourceAccount": account_id},
                        },
                    },
                ],
            },
            separators=(",", ":"),
            sort_keys=True,
        )

    return pulumi.Output.from_input(key_arn).apply(render)


def tls_only_statement(bucket_arn: str) -> dict[str, Any]:
    """Deny every request made without TLS, to the bucket and its objects (Security Hub S3.5).

    ``s3:*`` is the one wildcard the platform writes: in a Deny it narrows, and S3.5 (and our
    own ``s3.tls_only`` check) credits only a Deny of every action.
    """
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        # {"AWS": "*"} is everyone, exactly like "*" (IAM reference, Principal element).
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def reports_bucket_policy(bucket_arn: pulumi.Input[str]) -> pulumi.Output[dict[str, Any]]:
    """The reports bucket: TLS only."""
    return pulumi.Output.from_input(bucket_arn).apply(
        lambda arn: {"Version": POLICY_VERSION, "Statement": [tls_only_statement(arn)]}
    )


def log_bucket_policy(
    log_bucket_arn: pulumi.Input[str], source_bucket_arn: pulumi.Input[str], account_id: str
) -> pulumi.Output[dict[str, Any]]:
    """The access-log bucket: TLS only, and S3's log delivery for the reports bucket alone."""

    def render(arns: list[str]) -> dict[str, Any]:
        log_arn, source_arn = arns
        return {
            "Version": POLICY_VERSION,
            "Statement": [
                tls_only_statement(log_arn),
                {
                    "Sid": "S3ServerAccessLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": "logging.s3.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": f"{log_arn}/*",
                    "Condition": {
                        "ArnEquals": {"aws:SourceArn": source_arn},
                        "StringEquals": {"aws:SourceAccount": account_id},
                    },
                },
            ],
        }

    return pulumi.Output.all(log_bucket_arn, source_bucket_arn).apply(render)


def bucket_events_queue_policy(
    queue_arn: pulumi.Input[str], bucket_arn: pulumi.Input[str], account_id: str
) -> pulumi.Output[str]:
    """The ingest queue: S3 may send this bucket's events, and nothing else may send at all."""

    def render(arns: list[str]) -> str:
        queue, bucket = arns
        return json.dumps(
            {
                "Version": POLICY_VERSION,
                "Statement": [
                    {
                        "Sid": "ReportsBucketEvents",
                        "Effect": "Allow",
                        "Principal": {"Service": "s3.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": queue,
                        "Condition": {
                            "ArnEquals": {"aws:SourceArn": bucket},
                            "StringEquals": {"aws:SourceAccount": account_id},
                        },
                    }
                ],
            },
            separators=(",", ":"),
            sort_keys=True,
        )

    return pulumi.Output.all(queue_arn, bucket_arn).apply(render)
