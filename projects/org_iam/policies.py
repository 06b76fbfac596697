"""The statements of the preview role, the deploy role and the permission boundary."""

from __future__ import annotations

from collections.abc import Iterable

import pulumi

from estate.iam import Condition, ConditionOperator, Effect, Statement
from org_iam.permissions import MANAGED_TYPES, TypePermissions

# Creating a role, or changing its boundary, is allowed only with this boundary attached:
# the deploy role can never mint a role more powerful than itself.
BOUNDARY_GUARDED_ACTIONS = ("iam:CreateRole", "iam:PutRolePermissionsBoundary")
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
    role_patterns = _patterns(
        MANAGED_TYPES["aws:iam/role:Role"], account_id=account_id, prefix=prefix
    )
    return [
        *preview_statements(account_id=account_id, prefix=prefix),
        *_per_type(
            "Manage",
            "write",
            account_id=account_id,
            prefix=prefix,
            exclude=BOUNDARY_GUARDED_ACTIONS,
        ),
        Statement(
            sid="CreateRolesOnlyWithBoundary",
            actions=BOUNDARY_GUARDED_ACTIONS,
            resources=role_patterns,
            conditions=(
                Condition(ConditionOperator.ARN_EQUALS, "iam:PermissionsBoundary", (boundary_arn,)),
            ),
        ),
    ]


def boundary_statements(
    *, account_id: str, prefix: str, boundary_policy_name: str
) -> list[Statement]:
    """The most any platform role may ever do, and the guard rails no role can remove."""
    role_patterns = _patterns(
        MANAGED_TYPES["aws:iam/role:Role"], account_id=account_id, prefix=prefix
    )
    # Self-reference: the boundary cannot name its own Output ARN, so its ARN is spelled here.
    own_arn = f"arn:aws:iam::{account_id}:policy/{boundary_policy_name}"
    return [
        Statement(sid="WhoAmI", actions=IDENTITY_ACTIONS, resources=("*",)),
        *_per_type("Read", "read", account_id=account_id, prefix=prefix),
        *_per_type("Manage", "write", account_id=account_id, prefix=prefix),
        Statement(
            sid="KeepBoundaries",
            effect=Effect.DENY,
            actions=("iam:DeleteRolePermissionsBoundary",),
            resources=role_patterns,
        ),
        Statement(
            sid="KeepThisBoundary",
            effect=Effect.DENY,
            actions=(
                "iam:CreatePolicyVersion",
                "iam:DeletePolicy",
                "iam:DeletePolicyVersion",
                "iam:SetDefaultPolicyVersion",
            ),
            resources=(own_arn,),
        ),
    ]
