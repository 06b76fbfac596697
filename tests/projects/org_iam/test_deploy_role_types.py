"""Every managed resource type, evaluated: the deploy role's planned policies allow a
representative create and update of it, the preview role's allow reading it, and neither
reaches a resource outside the account's names or tags.

The requests are derived from ``MANAGED_TYPES`` itself (each action of the type, on a
concrete ARN built from the type's first ARN pattern for the account), so a type added
there is evaluated here without an edit. ``tests.support.iam_eval`` decides them against
the identity policies org-iam's plan attaches; the deploy and preview roles carry no
boundary (one managed policy cannot hold every type: docs/security.md), so that is what
IAM decides for them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence

import pytest

from estate.accounts import Estate
from estate.iam import MANAGED_POLICY_MAX_CHARS, policy_size
from estate.iam.limits import MANAGED_POLICIES_PER_ROLE
from estate.plan.checks import is_cloud_resource
from estate.plan.runner import StackRun
from estate.programs.org_iam.permissions import MANAGED_TYPES, TypePermissions
from estate.programs.org_iam.policies import Scope
from estate.stack import workload_boundary_arn
from estate.tags import ACCOUNT_TAG
from tests.support.iam_eval import Decision, PlannedRole, Request, evaluate, planned_role

Run = Callable[[str, str], StackRun]
ACCOUNT = "dev"
TYPES = sorted(MANAGED_TYPES)


@pytest.fixture(scope="module")
def run(run_program: Run) -> StackRun:
    return run_program("org-iam", ACCOUNT)


def _scope(estate: Estate, name: str) -> Scope:
    account = estate.account(name)
    return Scope(
        account=name,
        account_id=account.account_id,
        regions=account.regions,
        prefix=f"estate-{name}-",
        own_prefix=f"estate-{name}-org-iam-",
        workload_boundary_arn=workload_boundary_arn(account),
    )


@pytest.fixture(scope="module")
def scope(estate: Estate) -> Scope:
    return _scope(estate, ACCOUNT)


def _context(scope: Scope, tag: str | None = None) -> dict[str, str]:
    """What a deploy of the platform's own resource presents: its tag, a workload-bounded
    role, a platform policy, a workload service."""
    tag = scope.account if tag is None else tag
    return {
        f"aws:ResourceTag/{ACCOUNT_TAG}": tag,
        f"aws:RequestTag/{ACCOUNT_TAG}": tag,
        "iam:PermissionsBoundary": scope.workload_boundary_arn,
        "iam:PolicyARN": f"arn:aws:iam::{scope.account_id}:policy/{scope.prefix}core-x-0",
        "iam:PassedToService": "lambda.amazonaws.com",
        "aws:ResourceAccount": scope.account_id,
    }


def _requests(
    scope: Scope, permissions: TypePermissions, pick: str, tag: str | None = None
) -> list[Request]:
    """Each ``pick`` action of the type on a concrete ARN of each of its patterns for the
    account (``*`` → ``x``), and its resource-less actions on ``*``."""
    context = _context(scope, tag)
    arns = [pattern.replace("*", "x") for pattern in scope.patterns(permissions)]
    return [
        *(Request(action, arn, context) for action in getattr(permissions, pick) for arn in arns),
        *(Request(action, "*", context) for action in getattr(permissions, f"star_{pick}")),
    ]


def _decide(role: PlannedRole, request: Request, *, bounded: bool) -> Decision:
    boundary = role.boundary if bounded else None
    return evaluate(request, identity=role.identity, boundary=boundary)


@pytest.mark.parametrize("type_token", TYPES)
def test_the_deploy_policies_create_and_update_every_managed_type(
    run: StackRun, scope: Scope, type_token: str
) -> None:
    deploy = planned_role(run, "deploy")
    permissions = MANAGED_TYPES[type_token]
    requests = _requests(scope, permissions, "write") + _requests(scope, permissions, "read")
    if type_token.startswith("aws:iam/openIdConnectProvider"):
        assert not permissions.write  # CI only reads the trust anchor
    assert requests, type_token
    refused = {
        (r.action, r.resource): _decide(deploy, r, bounded=False)
        for r in requests
        if _decide(deploy, r, bounded=False) is not Decision.ALLOW
    }
    assert refused == {}


@pytest.mark.parametrize("type_token", TYPES)
def test_the_preview_policies_read_every_managed_type_and_write_none(
    run: StackRun, scope: Scope, type_token: str
) -> None:
    preview = planned_role(run, "preview")
    permissions = MANAGED_TYPES[type_token]
    for request in _requests(scope, permissions, "read"):
        assert _decide(preview, request, bounded=False) is Decision.ALLOW, request
    for request in _requests(scope, permissions, "write"):
        assert _decide(preview, request, bounded=False) is not Decision.ALLOW, request


def _foreign(requests: Sequence[Request], scope: Scope) -> list[Request]:
    """The same requests on another account's names (resources named by the prefix)."""
    glue_prefix = scope.prefix.replace("-", "_")
    return [
        Request(
            r.action,
            r.resource.replace(scope.prefix, "estate-prod-").replace(glue_prefix, "estate_prod_"),
            r.context,
        )
        for r in requests
        if scope.prefix in r.resource or glue_prefix in r.resource
    ]


@pytest.mark.parametrize("type_token", TYPES)
def test_the_deploy_role_reaches_no_other_accounts_names_or_tags(
    run: StackRun, scope: Scope, type_token: str
) -> None:
    deploy = planned_role(run, "deploy")
    permissions = MANAGED_TYPES[type_token]
    named = _foreign(_requests(scope, permissions, "write"), scope)
    for request in named:
        assert _decide(deploy, request, bounded=False) is not Decision.ALLOW, request
    if permissions.tagged:
        # A generated id has no name: a resource tagged for prod is out of dev's reach,
        # and so is one created without the tag.
        for request in _requests(scope, permissions, "write", tag="prod"):
            assert _decide(deploy, request, bounded=False) is not Decision.ALLOW, request
        untagged: Mapping[str, str] = {
            k: v for k, v in _context(scope).items() if ACCOUNT_TAG not in k
        }
        for request in _requests(scope, permissions, "write"):
            bare = Request(request.action, request.resource, untagged)
            assert _decide(deploy, bare, bounded=False) is not Decision.ALLOW, request
    assert named or permissions.tagged or not permissions.write or _no_prefix(permissions)


def _no_prefix(permissions: TypePermissions) -> bool:
    return not any("{prefix}" in p or "{glue_prefix}" in p for p in permissions.arn_patterns)


def test_the_ci_roles_carry_no_boundary_but_their_guard_rails(run: StackRun) -> None:
    """What they are granted is what IAM decides; org-iam's denies travel with them."""
    for logical in ("deploy", "preview"):
        role = planned_role(run, logical)
        assert role.boundary is None and "permissionsBoundary" not in role.role.inputs
        sids = {s["Sid"] for d in role.identity for s in d["Statement"] if s["Effect"] == "Deny"}
        assert {"KeepOrgIamRoles", "KeepOrgIamPolicies", "KeepTrustAnchors"} <= sids, logical


def test_the_deploy_role_deploys_every_type_every_plan_contains_within_iams_limits(
    all_runs: list[StackRun], estate: Estate
) -> None:
    """Per account: every AWS type any project's plan creates there is created, updated and
    read by that account's planned deploy role as IAM decides it (identity policies and
    boundary, denies included), on the account's names; and the role's policies fit IAM's
    quotas (managed policies per role, characters per policy)."""
    checked: set[str] = set()
    for account in estate:
        org_iam = next(r for r in all_runs if r.project == "org-iam" and r.stack == account.name)
        deploy = planned_role(org_iam, "deploy")
        assert len(deploy.identity) <= MANAGED_POLICIES_PER_ROLE
        for document in deploy.identity:
            assert policy_size(json.dumps(document)) <= MANAGED_POLICY_MAX_CHARS
        planned = {
            resource.type
            for run in all_runs
            if run.stack == account.name
            for resource in run.resources
            if is_cloud_resource(resource)
        }
        scope = _scope(estate, account.name)
        for type_token in sorted(planned):
            permissions = MANAGED_TYPES[type_token]  # a KeyError names an unlisted type
            requests = _requests(scope, permissions, "write") + _requests(
                scope, permissions, "read"
            )
            refused = [
                (r.action, r.resource)
                for r in requests
                if evaluate(r, identity=deploy.identity, boundary=deploy.boundary)
                is not Decision.ALLOW
            ]
            assert refused == [], (account.name, type_token)
        checked |= planned
    # Every program's types, core's and the fleet's among them, not just IAM's.
    assert {t.split(":")[1].split("/")[0] for t in checked} > {"iam"}
