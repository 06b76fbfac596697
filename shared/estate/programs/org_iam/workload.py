"""The workload boundary: the most a role the deploy role creates may ever do.

The deploy role may create a role, or change a role's boundary, only with this boundary
attached (policies.py). It grants the data-plane actions the platform's functions,
state machines and schedules use, on the account's own ``estate-<account>-`` resources,
and — in a scanning hub — ``sts:AssumeRole`` into the scanner roles of the accounts the
hub scans. It grants no IAM action at all, so a workload role can never create, edit or
pass a role, whatever policy the deploy role attaches to it.

A test evaluates every policy attached to a workload-bounded role in the plan against
this boundary: a program needing more fails there, and the grant is added here, reviewed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from estate.iam import Condition, ConditionOperator, Statement
from estate.tags import ACCOUNT_TAG


@dataclass(frozen=True)
class WorkloadGrant:
    """Actions a workload may take on one kind of the account's own resources.

    ``arn_patterns`` use ``{region}``, ``{account_id}`` and ``{prefix}``; each pattern is
    expanded over the account's regions (once when it names no region).
    """

    sid: str
    actions: tuple[str, ...]
    arn_patterns: tuple[str, ...]
    same_account_only: bool = False  # S3 ARNs carry no account: pin it by condition
    # KMS key ARNs hold a generated id, no name: pin them by the estate:account tag every
    # resource gets from its provider's default tags (estate.providers).
    account_tagged: bool = False


WORKLOAD_GRANTS: tuple[WorkloadGrant, ...] = (
    WorkloadGrant(
        "WriteOwnLogs",
        ("logs:CreateLogStream", "logs:PutLogEvents"),
        # Functions log to their explicit group (estate.components.LambdaFunction).
        ("arn:aws:logs:{region}:{account_id}:log-group:{prefix}*",),
    ),
    WorkloadGrant(
        "UseOwnKeys",
        ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"),
        ("arn:aws:kms:{region}:{account_id}:key/*",),
        account_tagged=True,
    ),
    WorkloadGrant(
        "ImportOwnFindings",
        ("securityhub:BatchImportFindings",),
        # The account's own default product: core's Security Hub export.
        ("arn:aws:securityhub:{region}:{account_id}:product/{account_id}/default",),
    ),
    WorkloadGrant(
        "UseOwnObjects",
        ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"),
        ("arn:aws:s3:::{prefix}*/*",),
        same_account_only=True,
    ),
    WorkloadGrant(
        "ListOwnBuckets", ("s3:ListBucket",), ("arn:aws:s3:::{prefix}*",), same_account_only=True
    ),
    WorkloadGrant(
        "UseOwnQueues",
        (
            "sqs:ChangeMessageVisibility",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:ReceiveMessage",
            "sqs:SendMessage",
        ),
        ("arn:aws:sqs:{region}:{account_id}:{prefix}*",),
    ),
    WorkloadGrant(
        "PublishOwnTopics", ("sns:Publish",), ("arn:aws:sns:{region}:{account_id}:{prefix}*",)
    ),
    WorkloadGrant(
        "UseOwnTables",
        (
            "dynamodb:BatchGetItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:DeleteItem",
            "dynamodb:DescribeStream",
            "dynamodb:GetItem",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:UpdateItem",
        ),
        ("arn:aws:dynamodb:{region}:{account_id}:table/{prefix}*",),
    ),
    WorkloadGrant(
        "InvokeOwnFunctions",
        ("lambda:InvokeFunction",),
        ("arn:aws:lambda:{region}:{account_id}:function:{prefix}*",),
    ),
    WorkloadGrant(
        "RunOwnStateMachines",
        ("states:StartExecution",),
        ("arn:aws:states:{region}:{account_id}:stateMachine:{prefix}*",),
    ),
    WorkloadGrant(
        "WatchOwnExecutions",
        ("states:DescribeExecution", "states:StopExecution"),
        # A Distributed Map watches and stops its child executions (scanner-fleet).
        (
            "arn:aws:states:{region}:{account_id}:execution:{prefix}*",
            "arn:aws:states:{region}:{account_id}:express:{prefix}*",
        ),
    ),
)


def workload_boundary_statements(
    *,
    account: str,
    account_id: str,
    prefix: str,
    regions: Sequence[str],
    scanner_role_arns: Sequence[str],
) -> list[Statement]:
    """The workload boundary of one account; ``scanner_role_arns`` are the scanner roles
    this account's fleet assumes (empty unless it scans an account)."""
    statements = []
    for grant in WORKLOAD_GRANTS:
        resources = sorted(
            {
                pattern.format(region=region, account_id=account_id, prefix=prefix)
                for pattern in grant.arn_patterns
                for region in regions
            }
        )
        conditions: tuple[Condition, ...] = ()
        if grant.same_account_only:
            conditions += (
                Condition(ConditionOperator.STRING_EQUALS, "aws:ResourceAccount", (account_id,)),
            )
        if grant.account_tagged:
            conditions += (
                Condition(
                    ConditionOperator.STRING_EQUALS, f"aws:ResourceTag/{ACCOUNT_TAG}", (account,)
                ),
            )
        statements.append(
            Statement(
                sid=grant.sid,
                actions=grant.actions,
                resources=tuple(resources),
                conditions=conditions,
            )
        )
    # Lambda's DynamoDB stream poller lists streams, an action with no resource (see
    # estate.iam.RESOURCE_STAR_ACTIONS); it reads nothing but stream names.
    statements.append(
        Statement(sid="ListStreams", actions=("dynamodb:ListStreams",), resources=("*",))
    )
    if scanner_role_arns:
        statements.append(
            Statement(
                sid="AssumeScannerRoles",
                actions=("sts:AssumeRole",),
                resources=tuple(sorted(scanner_role_arns)),
            )
        )
    return statements
