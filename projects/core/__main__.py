"""core: the findings service of one account (wiring only; blocks in estate.programs.core)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from estate.components import (
    LIVE_ALIAS,
    LambdaFunction,
    LambdaFunctionArgs,
    powertools_layer_arn,
)
from estate.contracts import export_outputs
from estate.naming import ResourceKind
from estate.packaging import code_archive
from estate.programs.core import functions as fn
from estate.programs.core.findings_api import FindingsApi, FindingsApiArgs
from estate.programs.core.findings_table import FindingsTable, FindingsTableArgs
from estate.programs.core.names import CoreNames
from estate.programs.core.part_events import PartEvents, PartEventsArgs
from estate.programs.core.reports_store import QUARANTINE_PREFIX, ReportsStore, ReportsStoreArgs
from estate.programs.core.stream_readers import StreamReader, StreamReaderArgs, alert_topic
from estate.providers import make_providers
from estate.stack import current_stack
from estate_core import config, layout
from estate_core.config import AccountInfo, encode_accounts

stack = current_stack()
account = stack.account
organization = stack.estate.organization
providers = make_providers(account, organization, stack.contract.project)
# Components hold both kinds of resources: hand them both providers.
component_opts = pulumi.ResourceOptions(providers=[providers.aws(), providers.native()])
names = CoreNames(account=account.name, account_id=account.account_id)
# Every role the deploy role creates must carry org-iam's workload boundary
# (iam:PermissionsBoundary); its ARN follows from the account's names.
boundary_arn = stack.workload_boundary_arn
code = code_archive(fn.CODE_PACKAGES)
layers = [powertools_layer_arn(account.primary_region)]
accounts_env = encode_accounts(
    {
        other.account_id: AccountInfo(
            other.account_id, other.name, other.stage.value, other.alerts.min_severity.value
        )
        for other in stack.estate
    }
)


def function_args(purpose: str, sizing: fn.Sizing, **overrides: object) -> LambdaFunctionArgs:
    """The arguments every core function shares, plus its own."""
    return LambdaFunctionArgs(
        function_name=names.function(purpose),
        role_name=names.role(purpose),
        log_group_name=names.of(ResourceKind.LOG_GROUP, purpose),
        code=code,
        layers=layers,
        memory_mb=sizing.memory_mb,
        timeout_seconds=sizing.timeout_seconds,
        log_retention_days=account.sizes.log_retention_days,
        account_id=account.account_id,
        permissions_boundary_arn=boundary_arn,
        **overrides,  # type: ignore[arg-type]
    )


store = ReportsStore(
    "reports",
    ReportsStoreArgs(
        bucket_name=names.bucket("reports"),
        log_bucket_name=names.bucket("access-logs"),
        key_alias=names.of(ResourceKind.KMS_ALIAS, "reports"),
        account_id=account.account_id,
        alarm_arn_pattern=names.alarm_arn_pattern(account.primary_region),
    ),
    opts=component_opts,
)
table = FindingsTable(
    "findings",
    FindingsTableArgs(
        table_name=names.of(ResourceKind.DYNAMODB_TABLE, "findings"), kms_key_arn=store.key_arn
    ),
    opts=component_opts,
)
events = PartEvents(
    "part-events",
    PartEventsArgs(
        queue_name=names.of(ResourceKind.SQS_QUEUE, "ingest"),
        dlq_name=names.of(ResourceKind.SQS_QUEUE, "ingest-dlq"),
        bucket_id=store.bucket.id,
        bucket_arn=store.bucket_arn,
        account_id=account.account_id,
        consumer_timeout_seconds=fn.INGEST.timeout_seconds,
    ),
    opts=component_opts,
)

ingest = LambdaFunction(
    "ingest",
    function_args(
        "ingest",
        fn.INGEST,
        description="Ingests report parts into the findings table",
        handler=fn.INGEST_HANDLER,
        statements=fn.ingest_statements(
            bucket_arn=store.bucket_arn, key_arn=store.key_arn, table_arn=table.arn
        ),
        service_statements=fn.queue_poll_statements(events.queue_arn),
        environment={
            config.FINDINGS_TABLE: table.name,
            config.ESTATE_ACCOUNTS: accounts_env,
            config.QUARANTINE_PREFIX: QUARANTINE_PREFIX,
        },
    ),
    opts=component_opts,
)
aws.lambda_.EventSourceMapping(
    "ingest-queue-mapping",
    event_source_arn=events.queue_arn,
    function_name=ingest.function_name,
    batch_size=10,
    maximum_batching_window_in_seconds=5,
    # One bad message is retried alone; the rest of the batch is done.
    function_response_types=["ReportBatchItemFailures"],
    opts=providers.opts(depends_on=[ingest]),
)

topic = alert_topic(
    "alerts",
    topic_name=names.of(ResourceKind.SNS_TOPIC, "alerts"),
    key_arn=store.key_arn,
    emails=account.alerts.emails,
    opts=pulumi.ResourceOptions(provider=providers.native()),
)
stream_failures = aws.sqs.Queue(
    "stream-failures",
    name=names.of(ResourceKind.SQS_QUEUE, "stream-failures"),
    sqs_managed_sse_enabled=True,
    message_retention_seconds=14 * 24 * 3600,
    opts=providers.opts(),
)
alerts = StreamReader(
    "alerts",
    StreamReaderArgs(
        function=function_args(
            "alerts",
            fn.ALERTS,
            description="Publishes one message per scan and account about new findings",
            handler=fn.ALERTS_HANDLER,
            statements=fn.alerts_statements(topic_arn=topic.topic_arn, key_arn=store.key_arn),
            service_statements=fn.stream_poll_statements(table.arn, stream_failures.arn),
            environment={
                config.ALERT_TOPIC_ARN: topic.topic_arn,
                config.ESTATE_ACCOUNTS: accounts_env,
            },
        ),
        stream_arn=table.stream_arn,
        failure_queue_arn=stream_failures.arn,
        states=tuple(sorted(layout.ALERTING_STATES)),
    ),
    opts=component_opts,
)
function_names = [ingest.function_name, alerts.function_name]

if account.security_hub.enabled:
    product_arn = fn.security_hub_product_arn(account.primary_region, account.account_id)
    security_hub = StreamReader(
        "security-hub",
        StreamReaderArgs(
            function=function_args(
                "security-hub",
                fn.SECURITY_HUB,
                description="Sends finding transitions to AWS Security Hub as ASFF",
                handler=fn.SECURITY_HUB_HANDLER,
                statements=fn.security_hub_statements(product_arn),
                service_statements=fn.stream_poll_statements(table.arn, stream_failures.arn),
                environment={config.SECURITY_HUB_PRODUCT_ARN: product_arn},
            ),
            stream_arn=table.stream_arn,
            failure_queue_arn=stream_failures.arn,
            states=(*sorted(layout.ALERTING_STATES), layout.RESOLVED),
        ),
        opts=component_opts,
    )
    function_names.append(security_hub.function_name)

api_function = LambdaFunction(
    "api",
    function_args(
        "api",
        fn.API,
        description="Answers the findings API",
        handler=fn.API_HANDLER,
        statements=fn.api_statements(table_arn=table.arn, key_arn=store.key_arn),
        environment={config.FINDINGS_TABLE: table.name, config.TOKEN_KEY_ARN: store.key_arn},
        live_alias=True,
        provisioned_concurrency=account.sizes.api_provisioned_concurrency,
    ),
    opts=component_opts,
)
function_names.append(api_function.function_name)
api = FindingsApi(
    "findings-api",
    FindingsApiArgs(
        api_name=names.of(ResourceKind.REST_API, "findings"),
        function_name=api_function.function_name,
        invoke_arn=api_function.invoke_arn,
        qualifier=api_function.alias_name,  # the alias resource: permission after alias
    ),
    opts=component_opts,
)

export_outputs(
    stack.contract,
    {
        "reports_bucket_name": store.bucket_name,
        "reports_bucket_arn": store.bucket_arn,
        "reports_key_arn": store.key_arn,
        "findings_table_name": table.name,
        "findings_table_arn": table.arn,
        "findings_stream_arn": table.stream_arn,
        "ingest_queue_arn": events.queue_arn,
        "ingest_queue_url": events.queue_url,
        "ingest_dlq_arn": events.dlq_arn,
        "ingest_dlq_url": events.dlq_url,
        "stream_failures_queue_arn": stream_failures.arn,
        "stream_failures_queue_url": stream_failures.url,
        "alert_topic_arn": topic.topic_arn,
        "api_id": api.api_id,
        "api_name": api.api_name,
        "api_stage": api.stage_name,
        "api_url": api.url,
        "ingest_function_name": ingest.function_name,
        "alerts_function_name": alerts.function_name,
        "api_function_name": api_function.function_name,
        "api_alias_name": LIVE_ALIAS,
        "function_names": pulumi.Output.all(*function_names),
    },
)
