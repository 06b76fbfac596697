"""observability: alarms, the account's dashboard, queryable findings (wiring only; blocks in
estate.programs.observability)."""

from __future__ import annotations

import pulumi

from estate.contracts import contract_for, export_outputs, observed_outputs, read_outputs
from estate.programs.observability.platform import ObservedPlatform, build
from estate.providers import make_providers
from estate.stack import current_stack

stack = current_stack()
account = stack.account
organization = stack.estate.organization
providers = make_providers(account, organization, stack.contract.project)


def read(producer: str) -> dict[str, pulumi.Output[object]]:
    """The outputs this project declares it reads from ``producer``'s stack of this account."""
    return read_outputs(
        stack.contract,
        contract_for(producer),
        organization=organization.pulumi_org,
        stack=account.name,
        opts=providers.opts(),
    )


def text(value: pulumi.Output[object]) -> pulumi.Output[str]:
    """An output read from another stack, as the string it is."""
    return value.apply(str)


def queue_name(arn: pulumi.Output[object]) -> pulumi.Output[str]:
    """SQS metrics are keyed by queue name: the last field of the queue's ARN."""
    return arn.apply(lambda value: str(value).rsplit(":", 1)[-1])


core, fleet = read("core"), read("scanner-fleet")
observed = {**core, **fleet}
producers = (contract_for("core"), contract_for("scanner-fleet"))
watched = [name for producer in producers for name in observed_outputs(producer)]


def keyed(suffix: str) -> dict[str, pulumi.Output[object]]:
    """Watched outputs ending in ``suffix``, keyed by the rest of their name."""
    return {
        name.removesuffix(suffix).replace("_", "-"): observed[name]
        for name in watched
        if name.endswith(suffix)
    }


scans = [
    (scanner, target.account_id)
    for target in stack.estate.scanned_by(account.name)
    for scanner, enabled in (("s3", target.scan.s3), ("tags", target.scan.tags))
    if enabled
]
platform = ObservedPlatform(
    account_id=account.account_id,
    region=account.primary_region,
    alert_topic_arn=text(core["alert_topic_arn"]),
    functions={key: text(value) for key, value in keyed("_function_name").items()},
    dead_letter_queues={
        key: queue_name(value)
        for suffix in ("_dlq_arn", "_failures_queue_arn")
        for key, value in keyed(suffix).items()
    },
    state_machines={key: text(value) for key, value in keyed("_state_machine_arn").items()},
    scans=scans,
    ingest_queue_name=queue_name(core["ingest_queue_arn"]),
    table_name=text(core["findings_table_name"]),
    reports_bucket_name=text(core["reports_bucket_name"]),
    key_arn=text(core["reports_key_arn"]),
    api_name=text(core["api_name"]),
    api_stage=text(core["api_stage"]),
    api_function_name=text(core["api_function_name"]),
    api_alias=text(core["api_alias_name"]),
    api_provisioned_concurrency=account.sizes.api_provisioned_concurrency,
    error_rate_percent=account.alerts.error_rate_percent,
)
# Components hold both kinds of resources: hand them both providers.
built = build(
    platform,
    stack.names,
    pulumi.ResourceOptions(providers=[providers.aws(), providers.native()]),
)

export_outputs(
    stack.contract,
    {
        "dashboard_name": built.dashboard.name,
        "alarm_names": built.alarms.names,
        "glue_database_name": built.reports.database_name,
        "findings_table_name": built.reports.table_name,
        "athena_workgroup_name": built.reports.workgroup_name,
        "athena_results_bucket_name": built.reports.results_bucket_name,
    },
)
