"""The statements of org-iam's roles, their guard rails and the platform boundary.

- the **guard rails** (``guard_rail_statements``): explicit denies that keep org-iam (its
  roles, policies and OIDC providers) out of every role's reach; a managed policy of their
  own on the deploy and preview roles, which carry no boundary (one managed policy cannot
  hold every type's actions: docs/security.md);
- the **platform boundary** (``boundary_statements``), carried by the scanner role: the
  scanners' reads and the guard rails;
- the **workload boundary** (``workload.py``), carried by every role the deploy role
  creates: data-plane actions only, no IAM.

The deploy role may create a role, re-bound a role, or edit a role's policies only when
that role carries the workload boundary, so nothing it creates can hold IAM rights, and
it can never mint a role like itself. README ("org-iam") and docs/security.md say what
remains possible and why that is acceptable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from estate.iam import RESOURCE_STAR_ACTIONS, Condition, ConditionOperator, Effect, Statement
from estate.iam.resource_star import account_wide_read_actions
from estate.iam.statements import ALL_BUCKETS, ALL_TRAILS
from estate.programs.org_iam.permissions import (
    MANAGED_TYPES,
    OIDC_PROVIDER_ARNS,
    OIDC_PROVIDER_WRITES,
    TypePermissions,
)
from estate.tags import ACCOUNT_TAG

# Creating a role, or changing its boundary, only with the workload boundary attached.
BOUNDARY_GUARDED_ACTIONS = ("iam:CreateRole", "iam:PutRolePermissionsBoundary")
# Attaching only the platform's own managed policies (never AdministratorAccess).
ATTACH_GUARDED_ACTIONS = ("iam:AttachRolePolicy", "iam:DetachRolePolicy")
# Inline policies only on roles carrying the workload boundary.
INLINE_GUARDED_ACTIONS = ("iam:PutRolePolicy", "iam:DeleteRolePolicy")
# IAM lets these four see the target role's boundary (iam:PermissionsBoundary).
ROLE_POLICY_EDITS = ATTACH_GUARDED_ACTIONS + INLINE_GUARDED_ACTIONS
GUARDED_ACTIONS = BOUNDARY_GUARDED_ACTIONS + ROLE_POLICY_EDITS
# Roles the deploy role creates serve these services only (iam:PassedToService).
WORKLOAD_SERVICES = ("lambda.amazonaws.com", "scheduler.amazonaws.com", "states.amazonaws.com")
# No role carrying the boundary may change org-iam's own roles and policies (the CI and
# scanner roles, both boundaries): otherwise the deploy role could rewrite its own
# permissions. Changes to org-iam are applied with an administrator session.
ORG_IAM_ROLE_CHANGES = (
    "iam:AttachRolePolicy",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PassRole",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
)
ORG_IAM_POLICY_CHANGES = (
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:TagPolicy",
    "iam:UntagPolicy",
)
IDENTITY_ACTIONS = ("sts:GetCallerIdentity",)


@dataclass(frozen=True)
class Scope:
    """Where org-iam's statements apply: the account, its prefixes, the workload boundary."""

    account: str  # the account's name: the value of its estate:account tag
    account_id: str
    regions: tuple[str, ...]
    prefix: str  # every platform resource of the account: "estate-<account>-"
    own_prefix: str  # org-iam's own roles and policies: "estate-<account>-org-iam-"
    workload_boundary_arn: str

    def __post_init__(self) -> None:
        if not self.own_prefix.startswith(self.prefix) or self.own_prefix == self.prefix:
            raise ValueError(
                f"org-iam prefix {self.own_prefix!r} must extend the account prefix "
                f"{self.prefix!r}; build both with estate.naming.ProjectNames"
            )
        if not self.workload_boundary_arn.startswith(
            f"arn:aws:iam::{self.account_id}:policy/{self.own_prefix}"
        ):
            raise ValueError(
                f"workload boundary {self.workload_boundary_arn!r} is not an org-iam policy "
                f"of account {self.account_id}; name it with ProjectNames.policy_arn"
            )

    def patterns(self, permissions: TypePermissions) -> tuple[str, ...]:
        """ARN patterns of the platform's resources of one type.

        The one place ARN *patterns* are built: they authorise resources that do not exist.
        """
        return tuple(
            pattern.format(
                account_id=self.account_id,
                prefix=self.prefix,
                glue_prefix=self.prefix.replace("-", "_"),
                region=region,
            )
            for pattern in permissions.arn_patterns
            for region in (self.regions if "{region}" in pattern else self.regions[:1])
        )

    def tag_condition(self, key: str) -> Condition:
        """Only resources tagged (or created tagged) ``estate:account`` = this account."""
        return Condition(ConditionOperator.STRING_EQUALS, f"{key}/{ACCOUNT_TAG}", (self.account,))

    @property
    def roles(self) -> tuple[str, ...]:
        """Every platform role of the account."""
        return self.patterns(MANAGED_TYPES["aws:iam/role:Role"])

    @property
    def policies(self) -> tuple[str, ...]:
        """Every platform managed policy of the account."""
        return self.patterns(MANAGED_TYPES["aws:iam/policy:Policy"])

    @property
    def own_roles(self) -> str:
        """org-iam's roles."""
        return f"arn:aws:iam::{self.account_id}:role/{self.own_prefix}*"

    @property
    def own_policies(self) -> str:
        """org-iam's managed policies, both boundaries among them."""
        return f"arn:aws:iam::{self.account_id}:policy/{self.own_prefix}*"


def _sid(prefix: str, type_token: str) -> str:
    """``ReadKmsAlias`` for ``aws:kms/alias:Alias``, ``ReadSnsTopic`` for ``aws-native:sns:Topic``."""
    _, module, name = type_token.split(":")
    service = module.split("/")[0]
    return f"{prefix}{service[:1].upper()}{service[1:]}{name}"


def _per_type(
    verb: str,
    pick: str,
    scope: Scope,
    exclude: Iterable[str] = (),
    types: Iterable[str] = MANAGED_TYPES,
) -> list[Statement]:
    """One statement per type on its ARNs, and its resource-less actions on ``*``."""
    excluded = set(exclude)
    statements = []
    unscoped: set[str] = set()
    for type_token in types:
        permissions = MANAGED_TYPES[type_token]
        actions = tuple(a for a in getattr(permissions, pick) if a not in excluded)
        conditions = (scope.tag_condition("aws:ResourceTag"),) if permissions.tagged else ()
        if actions:
            statements.append(
                Statement(
                    sid=_sid(verb, type_token),
                    actions=actions,
                    resources=scope.patterns(permissions),
                    conditions=conditions,
                )
            )
        star = getattr(permissions, f"star_{pick}")
        if star and permissions.tagged:
            # Creating a generated-id resource: only with the account's tag on it.
            statements.append(
                Statement(
                    sid=_sid(f"{verb}New", type_token),
                    actions=star,
                    resources=("*",),
                    conditions=(scope.tag_condition("aws:RequestTag"),),
                )
            )
        elif star:
            unscoped.update(star)
    if unscoped:
        statements.append(
            Statement(sid=f"{verb}Unscoped", actions=tuple(sorted(unscoped)), resources=("*",))
        )
    return statements


def _workload_bounded(scope: Scope) -> Condition:
    return Condition(
        ConditionOperator.ARN_EQUALS, "iam:PermissionsBoundary", (scope.workload_boundary_arn,)
    )


def _guarded(scope: Scope) -> list[Statement]:
    """What the deploy role may do to roles only under conditions (both policies carry it)."""
    return [
        Statement(
            sid="CreateRolesOnlyWithWorkloadBoundary",
            actions=BOUNDARY_GUARDED_ACTIONS,
            resources=scope.roles,
            conditions=(_workload_bounded(scope),),
        ),
        Statement(
            sid="InlinePoliciesOnlyOnWorkloadRoles",
            actions=INLINE_GUARDED_ACTIONS,
            resources=scope.roles,
            conditions=(_workload_bounded(scope),),
        ),
        Statement(
            sid="AttachOnlyPlatformPolicies",
            actions=ATTACH_GUARDED_ACTIONS,
            resources=scope.roles,
            conditions=(
                _workload_bounded(scope),
                Condition(ConditionOperator.ARN_LIKE, "iam:PolicyARN", scope.policies),
            ),
        ),
        Statement(
            sid="PassRolesOnlyToWorkloadServices",
            actions=("iam:PassRole",),
            resources=scope.roles,
            conditions=(
                Condition(
                    ConditionOperator.STRING_EQUALS, "iam:PassedToService", WORKLOAD_SERVICES
                ),
            ),
        ),
    ]


def preview_statements(scope: Scope, types: Iterable[str] = MANAGED_TYPES) -> list[Statement]:
    """Read-only access to the platform's own resources: enough for `pulumi preview --refresh`."""
    return [
        Statement(sid="WhoAmI", actions=IDENTITY_ACTIONS, resources=("*",)),
        *_per_type("Read", "read", scope, types=types),
    ]


def deploy_statements(scope: Scope, types: Iterable[str] = MANAGED_TYPES) -> list[Statement]:
    """Manage the platform's own resources; roles it touches carry the workload boundary."""
    types = tuple(types)
    return [
        *preview_statements(scope, types),
        *_per_type("Manage", "write", scope, exclude=GUARDED_ACTIONS, types=types),
        *_guarded(scope),
    ]


def scanner_statements(
    actions: Sequence[str], *, account_id: str, regions: Sequence[str]
) -> list[Statement]:
    """Exactly ``actions`` (the scanners' reads): account-wide ones on ``*``, bucket reads on
    every bucket, trail reads on every trail of the account's regions. Anything else is a
    programming error and is refused."""
    star = tuple(sorted(a for a in actions if a in RESOURCE_STAR_ACTIONS))
    wide = [a for a in actions if a in account_wide_read_actions()]

    def of_service(service: str) -> tuple[str, ...]:
        return tuple(sorted(a for a in wide if a.startswith(f"{service}:")))

    buckets, trails = of_service("s3"), of_service("cloudtrail")
    unplaced = set(actions) - set(star) - set(buckets) - set(trails)
    if unplaced:
        raise ValueError(
            f"scanner actions {sorted(unplaced)} are neither account-wide nor bucket or trail "
            "reads; grant them on named resources in org-iam's scanner policy"
        )
    statements = []
    if star:
        statements.append(Statement(sid="ScanAccount", actions=star, resources=("*",)))
    if buckets:
        statements.append(Statement(sid="ScanBuckets", actions=buckets, resources=(ALL_BUCKETS,)))
    if trails:
        # The account's own trails; an organisation trail's selectors live in the management
        # account and read as AccessDenied: the check says ERROR, never FAIL.
        statements.append(
            Statement(
                sid="ScanTrails",
                actions=trails,
                resources=tuple(
                    ALL_TRAILS.format(region=region, account_id=account_id) for region in regions
                ),
            )
        )
    return statements


def boundary_statements(
    scope: Scope, *, boundary_policy_name: str, scanner_actions: Sequence[str]
) -> list[Statement]:
    """The platform boundary, carried by the scanner role: the scanners' reads and the guard
    rails. (Every managed type's reads would not fit one managed policy — 8,037 characters
    in dev — so the preview role, like the deploy role, carries its guard rails as its own
    deny policy instead: docs/security.md.)"""
    return [
        *scanner_statements(scanner_actions, account_id=scope.account_id, regions=scope.regions),
        *guard_rail_statements(scope, boundary_policy_name=boundary_policy_name),
    ]


def guard_rail_statements(scope: Scope, *, boundary_policy_name: str) -> list[Statement]:
    """The explicit denies that keep org-iam out of every CI role's reach (issue 11).

    In the platform boundary (the scanner role) and, as their own managed policy, on the
    deploy and preview roles, which carry no boundary (docs/security.md): an explicit deny
    in an identity policy wins exactly as one in a boundary, and ``KeepOrgIamRoles`` and
    ``KeepOrgIamPolicies`` stop a role detaching or rewriting that policy.
    """
    # Self-reference: the boundary cannot name its own Output ARN, so its ARN is spelled here.
    own_arn = f"arn:aws:iam::{scope.account_id}:policy/{boundary_policy_name}"
    anchors = tuple(arn.format(account_id=scope.account_id) for arn in OIDC_PROVIDER_ARNS)
    return [
        # A request naming no boundary creates a role without one: denied too.
        _deny_unless_workload_bounded(
            "CreateOnlyWorkloadBoundedRoles", BOUNDARY_GUARDED_ACTIONS, scope
        ),
        Statement(
            sid="KeepBoundaries",
            effect=Effect.DENY,
            actions=("iam:DeleteRolePermissionsBoundary",),
            resources=scope.roles,
        ),
        Statement(
            sid="KeepOrgIamRoles",
            effect=Effect.DENY,
            actions=ORG_IAM_ROLE_CHANGES,
            resources=(scope.own_roles,),
        ),
        Statement(
            sid="KeepOrgIamPolicies",
            effect=Effect.DENY,
            actions=ORG_IAM_POLICY_CHANGES,
            resources=(scope.own_policies, own_arn),
        ),
        Statement(
            sid="AttachNoOrgIamPolicy",
            effect=Effect.DENY,
            actions=ATTACH_GUARDED_ACTIONS,
            resources=scope.roles,
            conditions=(
                Condition(ConditionOperator.ARN_LIKE, "iam:PolicyARN", (scope.own_policies,)),
            ),
        ),
        # A role with no boundary at all is out of reach too.
        _deny_unless_workload_bounded("EditOnlyWorkloadRoles", ROLE_POLICY_EDITS, scope),
        Statement(
            sid="KeepTrustAnchors",
            effect=Effect.DENY,
            actions=OIDC_PROVIDER_WRITES,
            resources=anchors,
        ),
    ]


def _deny_unless_workload_bounded(sid: str, actions: tuple[str, ...], scope: Scope) -> Statement:
    """Deny ``actions`` on the account's roles unless the role carries the workload boundary.

    ``ArnNotEquals`` is also true when ``iam:PermissionsBoundary`` is absent, so a role (or a
    request) without any boundary is denied as well.
    """
    return Statement(
        sid=sid,
        effect=Effect.DENY,
        actions=actions,
        resources=scope.roles,
        conditions=(
            Condition(
                ConditionOperator.ARN_NOT_EQUALS,
                "iam:PermissionsBoundary",
                (scope.workload_boundary_arn,),
            ),
        ),
    )
