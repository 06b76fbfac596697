"""The statements of the preview role, the deploy role and the permission boundary."""

from __future__ import annotations

from collections.abc import Iterable

import pulumi

from estate.iam import Condition, ConditionOperator, Effect, Statement
from estate.programs.org_iam.permissions import MANAGED_TYPES, TypePermissions

# Creating a role, or changing its boundary, is allowed only with this boundary attached:
# the deploy role can never mint a role more powerful than itself.
BOUNDARY_GUARDED_ACTIONS = ("iam:CreateRole", "iam:PutRolePermissionsBoundary")
# Attaching is allowed only for the platform's own managed policies (never AdministratorAccess).
ATTACH_GUARDED_ACTIONS = ("iam:AttachRolePolicy", "iam:DetachRolePolicy")
GUARDED_ACTIONS = BOUNDARY_GUARDED_ACTIONS + ATTACH_GUARDED_ACTIONS
# No role carrying the boundary may change org-iam's own roles and policies (the CI roles and
# the boundary itself): otherwise the deploy role could rewrite its own permissions. Changes
# to org-iam are therefore applied with an administrator session (README, "org-iam").
ORG_IAM_ROLE_CHANGES = (
    "iam:AttachRolePolicy",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
)
ORG_IAM_POLICY_CHANGES = (
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
)
IDENTITY_ACTIONS = ("sts:GetCallerIdentity",)


def _sid(prefix: str, type_token: str) -> str:
    short = type_token.rsplit(":", 1)[-1]
    return f"{prefix}{short}"


def _patterns(permissions: TypePermissions, *, account_id: str, prefix: str) -> tuple[str, ...]:
    # The one place ARN *patterns* are built: they authorise resources that do not exist yet.
    return tuple(p.format(account_id=account_id, prefix=prefix) for p in permissions.arn_patterns)


def _per_type(
    verb: str, pick: str, *, account_id: str, prefix: str, exclude: Iterable[str] = ()
) -> list[Statement]:
    excluded = set(exclude)
    statements = []
    for type_token, permissions in MANAGED_TYPES.items():
        actions = tuple(a for a in getattr(permissions, pick) if a not in excluded)
        if actions:
            statements.append(
                Statement(
                    sid=_sid(verb, type_token),
                    actions=actions,
                    resources=_patterns(permissions, account_id=account_id, prefix=prefix),
                )
            )
    return statements


def _guarded(*, account_id: str, prefix: str, boundary_arn: pulumi.Input[str]) -> list[Statement]:
    role_patterns = _patterns(
        MANAGED_TYPES["aws:iam/role:Role"], account_id=account_id, prefix=prefix
    )
    policy_patterns = _patterns(
        MANAGED_TYPES["aws:iam/policy:Policy"], account_id=account_id, prefix=prefix
    )
    return [
        Statement(
            sid="CreateRolesOnlyWithBoundary",
            actions=BOUNDARY_GUARDED_ACTIONS,
            resources=role_patterns,
            conditions=(
                Condition(ConditionOperator.ARN_EQUALS, "iam:PermissionsBoundary", (boundary_arn,)),
            ),
        ),
        Statement(
            sid="AttachOnlyPlatformPolicies",
            actions=ATTACH_GUARDED_ACTIONS,
            resources=role_patterns,
            conditions=(Condition(ConditionOperator.ARN_LIKE, "iam:PolicyARN", policy_patterns),),
        ),
    ]


def preview_statements(*, account_id: str, prefix: str) -> list[Statement]:
    """Read-only access to the platform's own resources: enough for `pulumi preview --refresh`."""
    return [
        Statement(sid="WhoAmI", actions=IDENTITY_ACTIONS, resources=("*",)),
        *_per_type("Read", "read", account_id=account_id, prefix=prefix),
    ]


def deploy_statements(
    *, account_id: str, prefix: str, boundary_arn: pulumi.Input[str]
) -> list[Statement]:
    """Manage the platform's own resources; new roles must carry the boundary."""
    return [
        *preview_statements(account_id=account_id, prefix=prefix),
        *_per_type(
            "Manage", "write", account_id=account_id, prefix=prefix, exclude=GUARDED_ACTIONS
        ),
        *_guarded(account_id=account_id, prefix=prefix, boundary_arn=boundary_arn),
    ]


def boundary_statements(
    *, account_id: str, prefix: str, own_prefix: str, boundary_policy_name: str
) -> list[Statement]:
    """The most any platform role may ever do, and the guard rails no role can remove.

    `own_prefix` is org-iam's own name prefix: its roles and policies are out of every
    boundary-carrying role's reach.
    """
    role_patterns = _patterns(
        MANAGED_TYPES["aws:iam/role:Role"], account_id=account_id, prefix=prefix
    )
    # Self-reference: the boundary cannot name its own Output ARN, so its ARN is spelled here.
    own_arn = f"arn:aws:iam::{account_id}:policy/{boundary_policy_name}"
    return [
        Statement(sid="WhoAmI", actions=IDENTITY_ACTIONS, resources=("*",)),
        *_per_type("Read", "read", account_id=account_id, prefix=prefix),
        *_per_type(
            "Manage", "write", account_id=account_id, prefix=prefix, exclude=GUARDED_ACTIONS
        ),
        *_guarded(account_id=account_id, prefix=prefix, boundary_arn=own_arn),
        Statement(
            sid="KeepBoundaries",
            effect=Effect.DENY,
            actions=("iam:DeleteRolePermissionsBoundary",),
            resources=role_patterns,
        ),
        Statement(
            sid="KeepOrgIamRoles",
            effect=Effect.DENY,
            actions=ORG_IAM_ROLE_CHANGES,
            resources=(f"arn:aws:iam::{account_id}:role/{own_prefix}*",),
        ),
        Statement(
            sid="KeepOrgIamPolicies",
            effect=Effect.DENY,
            actions=ORG_IAM_POLICY_CHANGES,
            resources=(f"arn:aws:iam::{account_id}:policy/{own_prefix}*", own_arn),
        ),
    ]
