"""Typed stack contracts: what each project exports, what it reads, and the deploy order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from graphlib import CycleError, TopologicalSorter

import pulumi


class OutputKind(StrEnum):
    """The shape of one exported value; the plan harness fakes values of this shape."""

    ARN = "arn"
    NAME = "name"
    URL = "url"
    NAMES = "names"


@dataclass(frozen=True)
class OutputSpec:
    """One stack output a project promises to export."""

    name: str
    kind: OutputKind
    description: str


@dataclass(frozen=True)
class ProjectContract:
    """A Pulumi project: its name, folder, exports, and the outputs it reads from others."""

    project: str
    directory: str
    description: str
    exports: tuple[OutputSpec, ...]
    reads: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def export_names(self) -> frozenset[str]:
        """Names of the outputs this project exports."""
        return frozenset(spec.name for spec in self.exports)


class ContractError(ValueError):
    """A contract is broken: a read of an unexported output, a cycle, a wrong export."""


ORG_IAM = ProjectContract(
    project="org-iam",
    directory="projects/org_iam",
    description="GitHub OIDC provider, preview and deploy roles, permission boundary",
    exports=(
        OutputSpec(
            "github_oidc_provider_arn", OutputKind.ARN, "the account's GitHub Actions OIDC provider"
        ),
        OutputSpec(
            "permission_boundary_arn", OutputKind.ARN, "boundary every platform role carries"
        ),
        OutputSpec("preview_role_arn", OutputKind.ARN, "read-only role for pull-request previews"),
        OutputSpec("preview_role_name", OutputKind.NAME, "name of the preview role"),
        OutputSpec("deploy_role_arn", OutputKind.ARN, "role main's deploy job assumes"),
        OutputSpec("deploy_role_name", OutputKind.NAME, "name of the deploy role"),
    ),
)

CORE = ProjectContract(
    project="core",
    directory="projects/core",
    description="Findings service: reports bucket, ingest, findings table, alerts, query API",
    exports=(
        OutputSpec("reports_bucket_name", OutputKind.NAME, "bucket the scanners write parts to"),
        OutputSpec("reports_bucket_arn", OutputKind.ARN, "ARN of the reports bucket"),
        OutputSpec("reports_key_arn", OutputKind.ARN, "KMS key of the bucket, table and topic"),
        OutputSpec("findings_table_name", OutputKind.NAME, "DynamoDB table of finding states"),
        OutputSpec("findings_table_arn", OutputKind.ARN, "ARN of the findings table"),
        OutputSpec("findings_stream_arn", OutputKind.ARN, "the table's stream (new and old)"),
        OutputSpec("ingest_queue_arn", OutputKind.ARN, "queue of the bucket's part events"),
        OutputSpec("ingest_queue_url", OutputKind.URL, "URL of the ingest queue"),
        OutputSpec("ingest_dlq_arn", OutputKind.ARN, "dead letters of the ingest queue"),
        OutputSpec("ingest_dlq_url", OutputKind.URL, "URL of the ingest DLQ"),
        OutputSpec(
            "stream_failures_queue_arn", OutputKind.ARN, "on-failure queue of the stream readers"
        ),
        OutputSpec("stream_failures_queue_url", OutputKind.URL, "URL of the stream failure queue"),
        OutputSpec("alert_topic_arn", OutputKind.ARN, "SNS topic of new-finding alerts"),
        OutputSpec("api_id", OutputKind.NAME, "id of the findings REST API"),
        OutputSpec("api_name", OutputKind.NAME, "name of the findings REST API (its metrics' key)"),
        OutputSpec("api_stage", OutputKind.NAME, "stage name of the findings API"),
        OutputSpec("api_url", OutputKind.URL, "invoke URL of the API's stage"),
        OutputSpec("ingest_function_name", OutputKind.NAME, "the ingest Lambda function"),
        OutputSpec("alerts_function_name", OutputKind.NAME, "the alerts Lambda function"),
        OutputSpec("api_function_name", OutputKind.NAME, "the API Lambda function"),
        OutputSpec("api_alias_name", OutputKind.NAME, "the API function's provisioned alias"),
        OutputSpec("function_names", OutputKind.NAMES, "every Lambda function core deploys"),
    ),
    reads={"org-iam": ("permission_boundary_arn",)},
)

SCANNER_FLEET = ProjectContract(
    project="scanner-fleet",
    directory="projects/scanner_fleet",
    description="Scanner functions, their Step Functions fan-out and per-account schedules",
    exports=(
        OutputSpec("planner_function_name", OutputKind.NAME, "the planner Lambda function"),
        OutputSpec("planner_function_arn", OutputKind.ARN, "ARN of the planner"),
        OutputSpec("s3_analyzer_function_name", OutputKind.NAME, "the S3 analyzer function"),
        OutputSpec("s3_analyzer_function_arn", OutputKind.ARN, "ARN of the S3 analyzer"),
        OutputSpec("tag_checker_function_name", OutputKind.NAME, "the EC2 tag checker function"),
        OutputSpec("tag_checker_function_arn", OutputKind.ARN, "ARN of the tag checker"),
        OutputSpec("function_names", OutputKind.NAMES, "every Lambda function the fleet deploys"),
        OutputSpec("s3_state_machine_arn", OutputKind.ARN, "state machine of an S3 scan"),
        OutputSpec("tags_state_machine_arn", OutputKind.ARN, "state machine of a tag scan"),
        OutputSpec("schedule_names", OutputKind.NAMES, "EventBridge Scheduler schedules"),
        OutputSpec("schedule_dlq_arn", OutputKind.ARN, "dead letters of failed schedule starts"),
    ),
    reads={"core": ("reports_bucket_name", "reports_bucket_arn", "reports_key_arn")},
)

# The root project (its Pulumi.yaml is the repository's; its program is projects/deployments):
# the delivery settings of every other stack. It reads the deploy role its settings assume.
DEPLOYMENTS = ProjectContract(
    project="estate-deployments",
    directory="projects/deployments",
    description="Pulumi Deployments settings, drift schedules and GitHub environments",
    exports=(),
    reads={"org-iam": ("deploy_role_arn",)},
)

# What observability watches: every function, dead-letter or on-failure queue and state
# machine the producers export (picked from their exports by name, so a new function or
# queue is watched without an edit here), plus what its dashboard and table need.
OBSERVED_SUFFIXES = ("_function_name", "_dlq_arn", "_failures_queue_arn", "_state_machine_arn")
OBSERVABILITY_CORE_READS = (
    "alert_topic_arn",
    "reports_bucket_name",
    "reports_key_arn",
    "findings_table_name",
    "ingest_queue_arn",
    "api_name",
    "api_stage",
    "api_alias_name",
)
OBSERVABILITY_FLEET_READS = (
    "planner_function_name",
    "s3_analyzer_function_name",
    "tag_checker_function_name",
    "s3_state_machine_arn",
    "tags_state_machine_arn",
    "schedule_dlq_arn",
)


def observed_outputs(producer: ProjectContract) -> tuple[str, ...]:
    """The exports of ``producer`` that observability watches, in declared order."""
    return tuple(s.name for s in producer.exports if s.name.endswith(OBSERVED_SUFFIXES))


OBSERVABILITY = ProjectContract(
    project="observability",
    directory="projects/observability",
    description="Alarms, per-account dashboard, findings queryable in Athena",
    exports=(
        OutputSpec("dashboard_name", OutputKind.NAME, "the account's CloudWatch dashboard"),
        OutputSpec("alarm_names", OutputKind.NAMES, "every CloudWatch alarm of the account"),
        OutputSpec("glue_database_name", OutputKind.NAME, "Glue database of the findings"),
        OutputSpec("findings_table_name", OutputKind.NAME, "Glue table over the findings"),
        OutputSpec("athena_workgroup_name", OutputKind.NAME, "Athena workgroup to query in"),
        OutputSpec("athena_results_bucket_name", OutputKind.NAME, "bucket of query results"),
    ),
    reads={
        "core": tuple(dict.fromkeys(OBSERVABILITY_CORE_READS + observed_outputs(CORE))),
        "scanner-fleet": OBSERVABILITY_FLEET_READS,
    },
)

# Every project of the repository; the deploy order follows from their reads.
CONTRACTS: tuple[ProjectContract, ...] = (ORG_IAM, CORE, SCANNER_FLEET, OBSERVABILITY, DEPLOYMENTS)


def contract_for(project: str, contracts: Iterable[ProjectContract] = CONTRACTS) -> ProjectContract:
    """The contract of the Pulumi project named `project`."""
    for contract in contracts:
        if contract.project == project:
            return contract
    known = ", ".join(c.project for c in contracts)
    raise ContractError(f"no contract for project {project!r}; known projects: {known}")


def check_contracts(contracts: Sequence[ProjectContract]) -> None:
    """Fail if a project reads an output no producer exports, or the graph has a cycle."""
    by_name = {c.project: c for c in contracts}
    problems: list[str] = []
    if len(by_name) != len(contracts):
        problems.append("two contracts share a project name")
    for contract in contracts:
        for producer, names in contract.reads.items():
            if producer not in by_name:
                problems.append(f"{contract.project} reads from unknown project {producer!r}")
                continue
            for name in sorted(set(names) - by_name[producer].export_names()):
                problems.append(
                    f"{contract.project} reads {producer}.{name}, which {producer} does not export"
                )
    if problems:
        raise ContractError("; ".join(problems))
    deploy_order(contracts)


def deploy_order(contracts: Sequence[ProjectContract] = CONTRACTS) -> list[ProjectContract]:
    """Projects sorted so every producer comes before its readers (ties keep declared order)."""
    by_name = {c.project: c for c in contracts}
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for contract in contracts:
        sorter.add(contract.project, *contract.reads)
    try:
        sorter.prepare()
    except CycleError as error:
        cycle = " -> ".join(error.args[1])
        raise ContractError(f"the project graph has a cycle: {cycle}") from None
    declared = [c.project for c in contracts]
    ordered: list[ProjectContract] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=declared.index)
        for name in ready:
            ordered.append(by_name[name])
            sorter.done(name)
    return ordered


def export_outputs(contract: ProjectContract, values: Mapping[str, pulumi.Input[object]]) -> None:
    """Export exactly the outputs `contract` declares: a missing or extra name fails the run."""
    missing = sorted(contract.export_names() - values.keys())
    extra = sorted(values.keys() - contract.export_names())
    if missing or extra:
        raise ContractError(
            f"{contract.project} exports do not match its contract: missing {missing}, undeclared {extra}"
        )
    for name in sorted(values):
        pulumi.export(name, values[name])


def read_outputs(
    consumer: ProjectContract,
    producer: ProjectContract,
    *,
    organization: str,
    stack: str,
    opts: pulumi.ResourceOptions | None = None,
) -> dict[str, pulumi.Output[object]]:
    """Read the outputs `consumer` declares from `producer`'s stack through a StackReference."""
    names = consumer.reads.get(producer.project)
    if not names:
        raise ContractError(f"{consumer.project} declares no reads from {producer.project}")
    reference = pulumi.StackReference(
        f"{consumer.project}-reads-{producer.project}",
        stack_name=f"{organization}/{producer.project}/{stack}",
        opts=opts,
    )
    return {name: reference.require_output(name) for name in names}
