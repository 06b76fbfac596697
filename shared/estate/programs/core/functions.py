"""core's functions: what each handler calls (its grants) and how each is sized.

Memory is sized by measurement (bench/ingest_bench.py, README "core"); the reason is
beside each value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pulumi

from estate.iam import Statement
from estate.programs.core.reports_store import FINDINGS_PREFIX, QUARANTINE_PREFIX

INGEST_HANDLER: Final = "estate_core.ingest_handler.handler"
ALERTS_HANDLER: Final = "estate_core.alerts_handler.handler"
API_HANDLER: Final = "estate_core.api_handler.handler"
SECURITY_HUB_HANDLER: Final = "estate_core.securityhub_handler.handler"
# The packages every core function's zip carries.
CODE_PACKAGES: Final = ("estate_core", "estate_runtime")


@dataclass(frozen=True)
class Sizing:
    """Memory and timeout of one function, with the measurement that chose the memory."""

    memory_mb: int
    timeout_seconds: int


# ingest, measured (bench/ingest_bench.py and README "core"): the handler process with
# boto3, Powertools and its two clients is 63 MB resident; one part (1,000 findings) decoded
# and decided peaks at 7 MB more, and ingest holds one part at a time. 256 MB would hold
# it; 512 MB is chosen for CPU, which Lambda allots in proportion to memory: the handler
# spends 0.2-0.3 ms of CPU per finding (decoding, validating, deciding, building ~52
# requests per 1,000 findings), so a third of a vCPU ingests a 1,000-finding part in 1 s.
INGEST: Final = Sizing(memory_mb=512, timeout_seconds=120)
# alerts: one stream batch (<= 1,000 records of two ~1 KB images) beside the same 63 MB.
ALERTS: Final = Sizing(memory_mb=256, timeout_seconds=60)
# api: a page is at most 1,000 items; latency-bound on DynamoDB, so 256 MB suffices.
API: Final = Sizing(memory_mb=256, timeout_seconds=15)
SECURITY_HUB: Final = Sizing(memory_mb=256, timeout_seconds=60)


def _objects(bucket_arn: pulumi.Input[str], prefix: str) -> pulumi.Output[str]:
    return pulumi.Output.from_input(bucket_arn).apply(lambda arn: f"{arn}/{prefix}*")


def ingest_statements(
    *,
    bucket_arn: pulumi.Input[str],
    key_arn: pulumi.Input[str],
    table_arn: pulumi.Input[str],
) -> list[Statement]:
    """Read parts, quarantine bad ones, upsert the table."""
    return [
        Statement(
            sid="ReadReportParts",
            actions=("s3:GetObject",),
            resources=(_objects(bucket_arn, FINDINGS_PREFIX),),
        ),
        Statement(
            sid="WriteQuarantine",
            actions=("s3:PutObject",),
            resources=(_objects(bucket_arn, QUARANTINE_PREFIX),),
        ),
        # The bucket's default encryption is SSE-KMS: reading decrypts, writing makes a data key.
        Statement(
            sid="UseReportsKey",
            actions=("kms:Decrypt", "kms:GenerateDataKey"),
            resources=(key_arn,),
        ),
        # Reads and batch writes of findings; PutItem/DeleteItem take and give back the
        # account's ingest lease (estate_core.lease), an item of the same table.
        Statement(
            sid="UpsertFindings",
            actions=(
                "dynamodb:BatchGetItem",
                "dynamodb:BatchWriteItem",
                "dynamodb:DeleteItem",
                "dynamodb:GetItem",
                "dynamodb:PutItem",
            ),
            resources=(table_arn,),
        ),
    ]


def queue_poll_statements(queue_arn: pulumi.Input[str]) -> list[Statement]:
    """Lambda's SQS poller, with the function's role."""
    return [
        Statement(
            sid="ServicePollsQueue",
            actions=("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
            resources=(queue_arn,),
        )
    ]


def stream_poll_statements(
    table_arn: pulumi.Input[str], failure_queue_arn: pulumi.Input[str]
) -> list[Statement]:
    """Lambda's stream poller and its on-failure destination, with the function's role.

    The grant names the table's streams (``<table>/stream/*``): a stream label holds colons,
    which parliament's ARN matcher cannot read, and the table has one stream at a time.
    ListStreams takes no resource, so only ``"*"`` grants it; AWS lists it among the
    poller's permissions (AWSLambdaDynamoDBExecutionRole, and CreateEventSourceMapping's
    "Cannot access stream" refusal names it), so a mapping is not left to chance on it.
    """
    streams = pulumi.Output.from_input(table_arn).apply(lambda arn: f"{arn}/stream/*")
    return [
        Statement(
            sid="ServiceReadsStream",
            actions=(
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
            ),
            resources=(streams,),
        ),
        Statement(sid="ServiceListsStreams", actions=("dynamodb:ListStreams",), resources=("*",)),
        Statement(
            sid="ServiceSendsStreamFailures",
            actions=("sqs:SendMessage",),
            resources=(failure_queue_arn,),
        ),
    ]


def alerts_statements(
    *, topic_arn: pulumi.Input[str], key_arn: pulumi.Input[str]
) -> list[Statement]:
    """Publish to the encrypted alert topic."""
    return [
        Statement(sid="PublishAlerts", actions=("sns:Publish",), resources=(topic_arn,)),
        Statement(
            sid="UseTopicKey",
            actions=("kms:Decrypt", "kms:GenerateDataKey"),
            resources=(key_arn,),
        ),
    ]


def api_statements(*, table_arn: pulumi.Input[str], key_arn: pulumi.Input[str]) -> list[Statement]:
    """Read the table by key and by index; seal and open page tokens with the key."""
    indexes = pulumi.Output.from_input(table_arn).apply(lambda arn: f"{arn}/index/*")
    return [
        Statement(sid="ReadFinding", actions=("dynamodb:GetItem",), resources=(table_arn,)),
        Statement(sid="QueryFindings", actions=("dynamodb:Query",), resources=(indexes,)),
        Statement(
            sid="SealPageTokens",
            actions=("kms:Encrypt", "kms:Decrypt"),
            resources=(key_arn,),
        ),
    ]


def security_hub_statements(product_arn: str) -> list[Statement]:
    """Import findings as the account's own Security Hub product."""
    return [
        Statement(
            sid="ImportFindings",
            actions=("securityhub:BatchImportFindings",),
            resources=(product_arn,),
        )
    ]


def security_hub_product_arn(region: str, account_id: str) -> str:
    """The product every account may import its own findings as (Security Hub's default)."""
    return f"arn:aws:securityhub:{region}:{account_id}:product/{account_id}/default"
