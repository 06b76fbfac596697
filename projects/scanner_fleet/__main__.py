"""scanner-fleet: the scanners of one hub account (wiring only; blocks in
estate.programs.scanner_fleet)."""

from __future__ import annotations

import pulumi

from estate.components import LambdaFunction, LambdaFunctionArgs, powertools_layer_arn
from estate.contracts import CORE, export_outputs, read_outputs
from estate.naming import ResourceKind
from estate.packaging import code_archive
from estate.programs.scanner_fleet import functions as fn
from estate.programs.scanner_fleet.grants import planner_statements, worker_statements
from estate.programs.scanner_fleet.scan_machine import ScanStateMachine, ScanStateMachineArgs
from estate.programs.scanner_fleet.schedules import (
    ScanSchedules,
    ScanSchedulesArgs,
    ScheduledScan,
    scanners_of,
)
from estate.providers import make_providers
from estate.scanning import accesses_from, fleet_execution_role_name
from estate.stack import current_stack
from estate_runtime.settings import REPORTS_BUCKET, REPORTS_KMS_KEY_ID

stack = current_stack()
account = stack.account
names = stack.names
providers = make_providers(account, stack.estate.organization, stack.contract.project)
component_opts = pulumi.ResourceOptions(providers=[providers.aws(), providers.native()])
core = read_outputs(
    stack.contract, CORE, organization=stack.estate.organization.pulumi_org, stack=account.name
)
bucket_arn, key_arn = core["reports_bucket_arn"].apply(str), core["reports_key_arn"].apply(str)
# The accounts this hub scans (itself unless another hub does), each through its scanner role.
accesses = accesses_from(stack.estate, account.name)
scanner_roles = [access.scanner_role_arn for access in accesses]
code = code_archive(fn.CODE_PACKAGES)
grants = {"scanner_role_arns": scanner_roles, "bucket_arn": bucket_arn, "key_arn": key_arn}


def fleet_function(spec: fn.FleetFunction) -> LambdaFunction:
    """One fleet function through core's component; its role has the name org-iam trusts."""
    statements = planner_statements if spec is fn.PLANNER else worker_statements
    return LambdaFunction(
        spec.purpose,
        LambdaFunctionArgs(
            function_name=names.name(ResourceKind.LAMBDA_FUNCTION, spec.purpose),
            role_name=fleet_execution_role_name(account, spec.purpose),
            log_group_name=names.name(ResourceKind.LOG_GROUP, spec.purpose),
            description=spec.description,
            handler=spec.handler,
            code=code,
            layers=[powertools_layer_arn(account.primary_region)],
            memory_mb=spec.memory_mb,
            timeout_seconds=spec.timeout_seconds,
            log_retention_days=account.sizes.log_retention_days,
            account_id=account.account_id,
            statements=statements(**grants),  # type: ignore[arg-type]
            environment={
                REPORTS_BUCKET: core["reports_bucket_name"].apply(str),
                REPORTS_KMS_KEY_ID: key_arn,
                **dict(spec.environment),
            },
            permissions_boundary_arn=stack.workload_boundary_arn,
            policy_exemptions=dict(spec.policy_exemptions),
        ),
        opts=component_opts,
    )


functions = {spec.purpose: fleet_function(spec) for spec in fn.FUNCTIONS}
machines = {
    scanner: ScanStateMachine(
        f"{scanner}-scan",
        ScanStateMachineArgs(
            scanner=scanner,
            machine_name=names.name(ResourceKind.STATE_MACHINE, f"{scanner}-scan"),
            role_name=names.name(ResourceKind.IAM_ROLE, f"{scanner}-scan-machine"),
            account_id=account.account_id,
            planner_arn=functions[fn.PLANNER.purpose].arn,
            worker_arn=functions[worker.purpose].arn,
            reports_bucket_arn=bucket_arn,
            reports_key_arn=key_arn,
            permissions_boundary_arn=stack.workload_boundary_arn,
        ),
        opts=component_opts,
    )
    for scanner, worker in fn.WORKERS.items()
}
scans = [
    ScheduledScan(
        scanner=scanner,
        access=access,
        schedule_name=names.name(ResourceKind.SCHEDULE, f"{scanner}-{access.target.name}"),
    )
    for access in accesses
    for scanner in scanners_of(access.target)
]
# Always a component: with no scans it holds only the dead-letter queue, so the stack's
# schedule_dlq_arn names a real queue (observability alarms on it) and no schedule exists.
schedules = ScanSchedules(
    "schedules",
    ScanSchedulesArgs(
        scans=scans,
        machine_arns={scanner: machine.arn for scanner, machine in machines.items()},
        role_name=names.name(ResourceKind.IAM_ROLE, "scheduler"),
        dlq_name=names.name(ResourceKind.SQS_QUEUE, "schedule-dlq"),
        account_id=account.account_id,
        permissions_boundary_arn=stack.workload_boundary_arn,
    ),
    opts=component_opts,
    native_provider=providers.native(),
    ready=[machine.children_policy for machine in machines.values()],
)

export_outputs(
    stack.contract,
    {
        "planner_function_name": functions["planner"].function_name,
        "planner_function_arn": functions["planner"].arn,
        "s3_analyzer_function_name": functions["s3-analyzer"].function_name,
        "s3_analyzer_function_arn": functions["s3-analyzer"].arn,
        "tag_checker_function_name": functions["tag-checker"].function_name,
        "tag_checker_function_arn": functions["tag-checker"].arn,
        "function_names": pulumi.Output.all(*(f.function_name for f in functions.values())),
        "s3_state_machine_arn": machines["s3"].arn,
        "tags_state_machine_arn": machines["tags"].arn,
        "schedule_names": schedules.names,
        "schedule_dlq_arn": schedules.dlq_arn,
    },
)
