"""One scanner's state machine and its role (the definition: ``state_machine.py``).

The role may invoke exactly the planner and the worker, read the plan objects (the
Distributed Map's ItemReader) and decrypt them with core's key, and start, describe and
stop its own child executions — a Distributed Map runs each item as a child execution of
the machine itself. That last grant names the machine, so it is a policy of its own,
created after the machine; the machine is never started before it exists (the schedules
depend on it).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from estate.iam import Statement, policy_document, service_trust
from estate.naming import NamingError, ResourceKind, check_name
from estate.programs.scanner_fleet.grants import SCANS_PREFIX
from estate.programs.scanner_fleet.state_machine import (
    DEFAULT_MAX_CONCURRENCY,
    ScanMachineSpec,
    scan_definition_json,
)

COMPONENT_TYPE = "estate:scanner-fleet:ScanStateMachine"


@dataclass(frozen=True, kw_only=True)
class ScanStateMachineArgs:
    """Everything one scan machine needs; checked when built."""

    scanner: str  # "s3" or "tags"
    machine_name: str  # from estate.naming (ResourceKind.STATE_MACHINE)
    role_name: str  # from estate.naming (ResourceKind.IAM_ROLE)
    account_id: str
    planner_arn: pulumi.Input[str]
    worker_arn: pulumi.Input[str]
    reports_bucket_arn: pulumi.Input[str]
    reports_key_arn: pulumi.Input[str]
    permissions_boundary_arn: str
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY

    def __post_init__(self) -> None:
        for kind, name in (
            (ResourceKind.STATE_MACHINE, self.machine_name),
            (ResourceKind.IAM_ROLE, self.role_name),
        ):
            try:
                check_name(kind, name)
            except NamingError as error:
                raise ValueError(f"ScanStateMachineArgs: {error}") from None
        # The spec checks scanner and concurrency with its own messages.
        ScanMachineSpec(self.scanner, "planner", "worker", self.max_concurrency)


class ScanStateMachine(pulumi.ComponentResource):
    """Role, machine, and the machine's grant on its own child executions."""

    arn: pulumi.Output[str]
    name: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    children_policy: aws.iam.RolePolicy  # what a start must wait for

    def __init__(
        self, name: str, args: ScanStateMachineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(COMPONENT_TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-role",
            name=args.role_name,
            description=f"Runs the {args.scanner} scan state machine",
            assume_role_policy=service_trust(
                "states.amazonaws.com", source_account=args.account_id, source_arn=None
            ),
            permissions_boundary=args.permissions_boundary_arn,
            opts=child,
        )
        invoke = aws.iam.RolePolicy(
            f"{name}-invoke",
            role=role.id,
            name="invoke-and-read-plans",
            policy=policy_document(_invoke_statements(args)),
            opts=child,
        )
        definition = pulumi.Output.all(args.planner_arn, args.worker_arn).apply(
            lambda arns: scan_definition_json(
                ScanMachineSpec(args.scanner, arns[0], arns[1], args.max_concurrency)
            )
        )
        machine = aws.sfn.StateMachine(
            f"{name}-machine",
            name=args.machine_name,
            role_arn=role.arn,
            definition=definition,
            type="STANDARD",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[invoke]),
        )
        self.children_policy = aws.iam.RolePolicy(
            f"{name}-children",
            role=role.id,
            name="run-map-children",
            policy=policy_document(_children_statements(machine.arn)),
            opts=child,
        )
        self.arn = machine.arn
        self.name = machine.name
        self.role_arn = role.arn
        self.register_outputs({"arn": self.arn, "name": self.name, "role_arn": self.role_arn})


def _invoke_statements(args: ScanStateMachineArgs) -> list[Statement]:
    plans = pulumi.Output.from_input(args.reports_bucket_arn).apply(
        lambda arn: f"{arn}/{SCANS_PREFIX}*"
    )
    return [
        Statement(
            sid="InvokeScanFunctions",
            actions=("lambda:InvokeFunction",),
            resources=(args.planner_arn, args.worker_arn),
        ),
        Statement(sid="ReadPlans", actions=("s3:GetObject",), resources=(plans,)),
        # The plans are SSE-KMS objects (core's key): reading one decrypts it.
        Statement(sid="DecryptPlans", actions=("kms:Decrypt",), resources=(args.reports_key_arn,)),
    ]


def _children_statements(machine_arn: pulumi.Output[str]) -> list[Statement]:
    """Start, watch and stop the Distributed Map's child executions of the machine itself.

    Map-run children are named ``<machine>/<map run label>:<id>``. parliament marks both of
    DescribeExecution's resource types (standard and express executions) as required, so
    the express form of the same name is listed too; the machine is STANDARD and has none.
    """
    children = machine_arn.apply(
        lambda arn: arn.replace(":stateMachine:", ":execution:", 1) + "/*:*"
    )
    express = machine_arn.apply(
        lambda arn: arn.replace(":stateMachine:", ":express:", 1) + "/*:*:*"
    )
    return [
        Statement(
            sid="StartMapChildren", actions=("states:StartExecution",), resources=(machine_arn,)
        ),
        Statement(
            sid="WatchMapChildren",
            actions=("states:DescribeExecution",),
            resources=(children, express),
        ),
        Statement(sid="StopMapChildren", actions=("states:StopExecution",), resources=(children,)),
    ]
