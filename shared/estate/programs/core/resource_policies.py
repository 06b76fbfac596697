"""Resource policies of core's bucket and queue: who else may act on them, pinned down.

Identity policies come from ``estate.iam`` Statements; these name a principal (a service,
or everyone for a Deny), so they are built here, each one small and fixed in shape.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi

from estate.iam.document import POLICY_VERSION


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
