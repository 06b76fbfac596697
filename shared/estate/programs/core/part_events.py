"""The bucket's part events: S3 -> ingest queue (-> DLQ after bounded receives)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from estate.programs.core.reports_store import FINDINGS_PREFIX
from estate.programs.core.resource_policies import bucket_events_queue_policy
from estate_runtime.report_writer import PART_SUFFIX

# SQS-triggered functions: AWS asks for a visibility timeout of at least six times the
# function timeout, so a batch retried by Lambda is not redelivered while still running.
VISIBILITY_PER_TIMEOUT = 6
FOURTEEN_DAYS = 14 * 24 * 3600
FOUR_DAYS = 4 * 24 * 3600


@dataclass(frozen=True, kw_only=True)
class PartEventsArgs:
    """The queues' names, the bucket whose events they carry, and the consumer's timeout."""

    queue_name: str
    dlq_name: str
    bucket_id: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    account_id: str
    consumer_timeout_seconds: int
    max_receive_count: int = 5

    def __post_init__(self) -> None:
        if not 1 <= self.max_receive_count <= 1000:
            raise ValueError(
                f"max_receive_count {self.max_receive_count} is outside SQS's 1-1000 receives"
            )
        if self.consumer_timeout_seconds * VISIBILITY_PER_TIMEOUT > 43200:
            raise ValueError(
                f"consumer_timeout_seconds {self.consumer_timeout_seconds}: six times it exceeds "
                "SQS's 12-hour visibility timeout; shorten the function's timeout"
            )


class PartEvents(pulumi.ComponentResource):
    """Queue + DLQ + queue policy + the bucket's one notification, in that order."""

    queue_arn: pulumi.Output[str]
    queue_url: pulumi.Output[str]
    dlq_arn: pulumi.Output[str]
    dlq_url: pulumi.Output[str]

    def __init__(
        self, name: str, args: PartEventsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("estate:core:PartEvents", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        dlq = aws.sqs.Queue(
            f"{name}-dlq",
            name=args.dlq_name,
            sqs_managed_sse_enabled=True,
            message_retention_seconds=FOURTEEN_DAYS,
            opts=child,
        )
        queue = aws.sqs.Queue(
            f"{name}-queue",
            name=args.queue_name,
            sqs_managed_sse_enabled=True,
            message_retention_seconds=FOUR_DAYS,
            visibility_timeout_seconds=args.consumer_timeout_seconds * VISIBILITY_PER_TIMEOUT,
            redrive_policy=pulumi.Output.json_dumps(
                {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": args.max_receive_count}
            ),
            opts=child,
        )
        policy = aws.sqs.QueuePolicy(
            f"{name}-queue-policy",
            queue_url=queue.url,
            policy=bucket_events_queue_policy(queue.arn, args.bucket_arn, args.account_id),
            opts=child,
        )
        # The bucket's one notification: S3 checks it may send when it is created, so the
        # queue policy must exist first.
        aws.s3.BucketNotification(
            f"{name}-notification",
            bucket=args.bucket_id,
            queues=[
                {
                    "queue_arn": queue.arn,
                    "events": ["s3:ObjectCreated:*"],
                    "filter_prefix": FINDINGS_PREFIX,
                    "filter_suffix": PART_SUFFIX,
                }
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        self.queue_arn = queue.arn
        self.queue_url = queue.url
        self.dlq_arn = dlq.arn
        self.dlq_url = dlq.url
        self.register_outputs(
            {
                "queue_arn": self.queue_arn,
                "queue_url": self.queue_url,
                "dlq_arn": self.dlq_arn,
                "dlq_url": self.dlq_url,
            }
        )
