"""Per-account scan schedules: EventBridge Scheduler starting the scan machines.

One schedule per (scanned account, scanner switched on in its file): ``scan.schedule`` in
``scan.timezone``, a flexible window (so a hub's accounts do not all start in one second),
a retry policy, and a dead-letter queue for starts that still fail. The schedule's input is
the scan request the planner reads — the target account, the scanner role to assume with
its external id, the account's required-tag rules and regions — generated here from
``accounts/``, so a rule change is a reviewed deploy and each execution records the rules
it applied.

The schedules are pulumi-aws-native resources (AWS::Scheduler::Schedule through Cloud
Control): its schema is AWS's own, so every Scheduler option (flexible windows, retry
policies, dead-letter targets) is there as AWS defines it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native

from estate.accounts import Account
from estate.iam import Statement, policy_document, service_trust
from estate.scanning import ScanAccess

COMPONENT_TYPE: Final = "estate:scanner-fleet:ScanSchedules"
SCANNERS: Final = ("s3", "tags")
FLEXIBLE_WINDOW_MINUTES: Final = 15
RETRY_ATTEMPTS: Final = 3
MAX_EVENT_AGE_SECONDS: Final = 3600  # a start later than an hour is a missed scan, not a late one
DLQ_RETENTION_SECONDS: Final = 14 * 24 * 3600


def scanners_of(account: Account) -> tuple[str, ...]:
    """The scanners ``account``'s file switches on."""
    return tuple(s for s in SCANNERS if getattr(account.scan, s))


def scan_request(access: ScanAccess, scanner: str) -> dict[str, Any]:
    """The schedule's input: what the planner needs to scan ``access.target`` with ``scanner``."""
    target = access.target
    request: dict[str, Any] = {
        "account_id": target.account_id,
        "role_arn": access.scanner_role_arn,
        "external_id": access.external_id,
        "required_tags": target.tag_rules_payload(),
    }
    if scanner == "tags":
        request["regions"] = list(target.regions)
    return request


@dataclass(frozen=True)
class ScheduledScan:
    """One schedule: which scanner, which account, when."""

    scanner: str
    access: ScanAccess
    schedule_name: str  # from estate.naming (ResourceKind.SCHEDULE)

    @property
    def target(self) -> Account:
        """The scanned account."""
        return self.access.target


@dataclass(frozen=True, kw_only=True)
class ScanSchedulesArgs:
    """The schedules, the machines they start, and the role and queue they use."""

    scans: Sequence[ScheduledScan]
    machine_arns: dict[str, pulumi.Output[str]]  # scanner -> state machine ARN
    role_name: str
    dlq_name: str
    account_id: str
    permissions_boundary_arn: str

    def __post_init__(self) -> None:
        missing = sorted({scan.scanner for scan in self.scans} - self.machine_arns.keys())
        if missing:
            raise ValueError(f"ScanSchedulesArgs: no state machine for scanner(s) {missing}")
        names = [scan.schedule_name for scan in self.scans]
        if len(set(names)) != len(names):
            raise ValueError("ScanSchedulesArgs: two schedules share a name")


class ScanSchedules(pulumi.ComponentResource):
    """Dead-letter queue, the role Scheduler uses, and one schedule per scanned account.

    A fleet with nothing to schedule (its account is another hub's target, or every scanner
    is off) still gets the dead-letter queue, and nothing else: the stack's
    ``schedule_dlq_arn`` output, which observability alarms on, always names a real queue
    (an empty one that never fills), never an empty string.
    """

    names: list[str]
    dlq_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: ScanSchedulesArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        native_provider: aws_native.Provider,
        ready: Sequence[pulumi.Resource] = (),
    ) -> None:
        super().__init__(COMPONENT_TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        dlq = aws.sqs.Queue(
            f"{name}-dlq",
            name=args.dlq_name,
            sqs_managed_sse_enabled=True,
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            opts=child,
        )
        self.names = [scan.schedule_name for scan in args.scans]
        self.dlq_arn = dlq.arn
        if args.scans:
            self._schedule(name, args, dlq, native_provider, ready)
        self.register_outputs({"names": self.names, "dlq_arn": self.dlq_arn})

    def _schedule(
        self,
        name: str,
        args: ScanSchedulesArgs,
        dlq: aws.sqs.Queue,
        native_provider: aws_native.Provider,
        ready: Sequence[pulumi.Resource],
    ) -> None:
        """The role Scheduler uses and one schedule per scan."""
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-role",
            name=args.role_name,
            description="Lets EventBridge Scheduler start the scan state machines",
            assume_role_policy=service_trust(
                "scheduler.amazonaws.com", source_account=args.account_id, source_arn=None
            ),
            permissions_boundary=args.permissions_boundary_arn,
            opts=child,
        )
        used = sorted({scan.scanner for scan in args.scans})
        policy = aws.iam.RolePolicy(
            f"{name}-policy",
            role=role.id,
            name="start-scans",
            policy=policy_document(
                [
                    Statement(
                        sid="StartScans",
                        actions=("states:StartExecution",),
                        resources=tuple(args.machine_arns[s] for s in used),
                    ),
                    Statement(
                        sid="DeadLetters", actions=("sqs:SendMessage",), resources=(dlq.arn,)
                    ),
                ]
            ),
            opts=child,
        )
        native = pulumi.ResourceOptions(
            parent=self, provider=native_provider, depends_on=[policy, *ready]
        )
        for scan in args.scans:
            aws_native.scheduler.Schedule(
                f"{name}-{scan.scanner}-{scan.target.name}",
                name=scan.schedule_name,
                description=f"{scan.scanner} scan of account {scan.target.name}",
                schedule_expression=scan.target.scan.schedule,
                schedule_expression_timezone=scan.target.scan.timezone,
                flexible_time_window=aws_native.scheduler.ScheduleFlexibleTimeWindowArgs(
                    mode=aws_native.scheduler.ScheduleFlexibleTimeWindowMode.FLEXIBLE,
                    maximum_window_in_minutes=FLEXIBLE_WINDOW_MINUTES,
                ),
                target=aws_native.scheduler.ScheduleTargetArgs(
                    arn=args.machine_arns[scan.scanner],
                    role_arn=role.arn,
                    input=json.dumps(scan_request(scan.access, scan.scanner), sort_keys=True),
                    retry_policy=aws_native.scheduler.ScheduleRetryPolicyArgs(
                        maximum_event_age_in_seconds=MAX_EVENT_AGE_SECONDS,
                        maximum_retry_attempts=RETRY_ATTEMPTS,
                    ),
                    dead_letter_config=aws_native.scheduler.ScheduleDeadLetterConfigArgs(
                        arn=dlq.arn
                    ),
                ),
                state=aws_native.scheduler.ScheduleState.ENABLED,
                opts=native,
            )
