"""Functions the findings table's stream drives (alerts, the Security Hub export), and the
alert topic they publish to."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native

from estate.components import LambdaFunction, LambdaFunctionArgs
from estate_core import layout

# Stream batches: up to 1,000 records gathered for up to 30 s, so one scan's transitions
# usually arrive together and make one alert.
STREAM_BATCH_SIZE = 1000
STREAM_BATCH_WINDOW_SECONDS = 30
# A failing batch is halved until the bad record is alone; after 3 retries, or an hour, its
# records' metadata goes to the failure queue instead of blocking the shard forever.
STREAM_MAX_RETRIES = 3
STREAM_MAX_RECORD_AGE_SECONDS = 3600


def transition_filter(states: Sequence[str]) -> str:
    """The stream filter pattern: only records whose new image is in one of ``states``."""
    return json.dumps(
        {"dynamodb": {"NewImage": {layout.STATE: {"S": sorted(states)}}}},
        separators=(",", ":"),
        sort_keys=True,
    )


@dataclass(frozen=True, kw_only=True)
class StreamReaderArgs:
    """The function, the stream it reads and where failed batches go."""

    function: LambdaFunctionArgs
    stream_arn: pulumi.Input[str]
    failure_queue_arn: pulumi.Input[str]
    states: tuple[str, ...]

    def __post_init__(self) -> None:
        unknown = sorted(set(self.states) - set(layout.STATES))
        if not self.states or unknown:
            raise ValueError(
                f"states {self.states!r}: give lifecycle states of estate_core.layout.STATES"
            )


class StreamReader(pulumi.ComponentResource):
    """A LambdaFunction and its stream mapping: bisect on error, bounded retries, on-failure."""

    function_name: pulumi.Output[str]
    function: LambdaFunction

    def __init__(
        self, name: str, args: StreamReaderArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("estate:core:StreamReader", name, None, opts)
        function = LambdaFunction(name, args.function, opts=pulumi.ResourceOptions(parent=self))
        aws.lambda_.EventSourceMapping(
            f"{name}-stream-mapping",
            event_source_arn=args.stream_arn,
            function_name=function.function_name,
            starting_position="TRIM_HORIZON",
            batch_size=STREAM_BATCH_SIZE,
            maximum_batching_window_in_seconds=STREAM_BATCH_WINDOW_SECONDS,
            bisect_batch_on_function_error=True,
            maximum_retry_attempts=STREAM_MAX_RETRIES,
            maximum_record_age_in_seconds=STREAM_MAX_RECORD_AGE_SECONDS,
            function_response_types=["ReportBatchItemFailures"],
            destination_config={"on_failure": {"destination_arn": args.failure_queue_arn}},
            filter_criteria={"filters": [{"pattern": transition_filter(args.states)}]},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[function]),
        )
        self.function = function
        self.function_name = function.function_name
        self.register_outputs({"function_name": self.function_name})


def alert_topic(
    name: str,
    *,
    topic_name: str,
    key_arn: pulumi.Input[str],
    emails: Sequence[str],
    opts: pulumi.ResourceOptions,
) -> aws_native.sns.Topic:
    """The alert topic, encrypted with core's key, its e-mail subscriptions inline.

    aws-native: CloudFormation's AWS::SNS::Topic holds the subscriptions as a property of
    the topic, so the account file's list is one resource; pulumi-aws's separate e-mail
    subscriptions stay pending until confirmed and cannot be deleted while pending.
    """
    return aws_native.sns.Topic(
        name,
        topic_name=topic_name,
        display_name="estate findings",
        kms_master_key_id=key_arn,
        subscription=[{"protocol": "email", "endpoint": email} for email in emails] or None,
        opts=opts,
    )
