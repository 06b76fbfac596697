"""What observability watches, as plain inputs, and the one function that builds it all.

``ObservedPlatform`` gathers what core and scanner-fleet export (read through
``estate.contracts`` by the project's ``__main__``); ``build`` turns it into the account's
alarms, dashboard and queryable reports. Keeping the inputs plain lets tests build the whole
project from synthetic values, as the contract tests do with synthetic contracts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi

from estate.accounts.model import DEFAULT_ERROR_RATE_PERCENT
from estate.naming import ProjectNames, ResourceKind
from estate.programs.observability import alarm_specs as spec
from estate.programs.observability.alarms import Alarms, AlarmsArgs
from estate.programs.observability.dashboard import AccountDashboard, DashboardArgs
from estate.programs.observability.queryable import QueryableReports, QueryableReportsArgs


@dataclass(frozen=True)
class ObservedPlatform:
    """Names and ARNs of what one account runs, and how it is sized."""

    account_id: str
    region: str
    alert_topic_arn: pulumi.Input[str]
    functions: Mapping[str, pulumi.Input[str]]  # key -> function name
    dead_letter_queues: Mapping[str, pulumi.Input[str]]  # key -> queue name
    state_machines: Mapping[str, pulumi.Input[str]]  # key -> state machine ARN
    # (scanner, scanned account id) the schedules start; empty for an account a hub scans
    scans: Sequence[tuple[str, str]]
    ingest_queue_name: pulumi.Input[str]
    table_name: pulumi.Input[str]
    reports_bucket_name: pulumi.Input[str]
    key_arn: pulumi.Input[str]
    api_name: pulumi.Input[str]
    api_stage: pulumi.Input[str]
    api_function_name: pulumi.Input[str]
    api_alias: pulumi.Input[str]
    api_provisioned_concurrency: int
    error_rate_percent: float = DEFAULT_ERROR_RATE_PERCENT

    def __post_init__(self) -> None:
        for field in ("functions", "dead_letter_queues", "state_machines"):
            if not getattr(self, field):
                raise ValueError(f"ObservedPlatform.{field} is empty: nothing to watch there")
        if not 0 < self.error_rate_percent < 100:
            raise ValueError("ObservedPlatform.error_rate_percent must be between 0 and 100")


def alarm_specs(platform: ObservedPlatform) -> list[spec.AlarmSpec]:
    """Every alarm the account gets."""
    specs: list[spec.AlarmSpec] = []
    for key, function in sorted(platform.functions.items()):
        specs.append(spec.lambda_error_rate(key, function, platform.error_rate_percent))
        specs.append(spec.lambda_throttles(key, function))
    specs += [spec.dead_letters(k, q) for k, q in sorted(platform.dead_letter_queues.items())]
    specs += [spec.failed_executions(k, m) for k, m in sorted(platform.state_machines.items())]
    specs += [spec.no_completed_scan(s, a) for s, a in sorted(set(platform.scans))]
    specs += [
        spec.api_5xx_rate(platform.api_name, platform.api_stage, platform.error_rate_percent),
        spec.api_p99_latency(platform.api_name, platform.api_stage),
        spec.new_critical_findings(),
    ]
    if platform.api_provisioned_concurrency > 0:  # no spillover without provisioned concurrency
        specs.append(spec.provisioned_spillover(platform.api_function_name, platform.api_alias))
    return specs


@dataclass(frozen=True)
class Built:
    """What the program exports."""

    alarms: Alarms
    dashboard: AccountDashboard
    reports: QueryableReports


def build(platform: ObservedPlatform, names: ProjectNames, opts: pulumi.ResourceOptions) -> Built:
    """The account's alarms, dashboard and queryable reports."""
    alarms = Alarms(
        "alarms",
        AlarmsArgs(
            specs=alarm_specs(platform),
            topic_arn=platform.alert_topic_arn,
            alarm_name=lambda purpose: names.name(ResourceKind.CLOUDWATCH_ALARM, purpose),
        ),
        opts=opts,
    )
    dashboard = AccountDashboard(
        "dashboard",
        DashboardArgs(
            dashboard_name=names.name(ResourceKind.DASHBOARD, "overview"),
            region=platform.region,
            scans=sorted(set(platform.scans)),
            functions=platform.functions,
            dead_letter_queues=platform.dead_letter_queues,
            ingest_queue_name=platform.ingest_queue_name,
            table_name=platform.table_name,
            api_name=platform.api_name,
            api_stage=platform.api_stage,
        ),
        opts=opts,
    )
    reports = QueryableReports(
        "reports",
        QueryableReportsArgs(
            reports_bucket_name=platform.reports_bucket_name,
            kms_key_arn=platform.key_arn,
            # Findings of every account this one scans land in its bucket (its own, if any).
            account_ids=sorted({account for _, account in platform.scans} | {platform.account_id}),
            # A short purpose: a longer one is cut to fit 63 characters in accounts with longer
            # names, and the stacks would differ by more than their declared values.
            results_bucket_name=names.name(ResourceKind.S3_BUCKET, "athena"),
            name=names.name,
        ),
        opts=opts,
    )
    return Built(alarms, dashboard, reports)
