"""Issue 11's security findings, each decided by IAM's rules over the planned policies.

Every request is evaluated (tests.support.iam_eval) against the deploy role's planned
identity policies AND its planned boundary. The deploy role carries no boundary: its guard
rails are its own deny policy (``deploy-guards``), the same denies the platform boundary
holds for the scanner role; tests of a guard rail check each policy that carries it.
Where a test says "without the fix", it rebuilds the pre-fix situation from the same plan
(the old condition, the removed statement) and shows the request then goes through: the
test fails without the fix.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from estate.iam import action_catalogue
from estate.plan.runner import StackRun
from estate.programs.org_iam.permissions import OIDC_PROVIDER_ARNS, OIDC_PROVIDER_WRITES
from estate.programs.org_iam.policies import ORG_IAM_ROLE_CHANGES
from tests.support.iam_eval import (
    Decision,
    Document,
    PlannedRole,
    evaluate,
    planned_policy,
    planned_role,
)
from tests.support.iam_eval import Request as R

Run = Callable[[str, str], StackRun]
ACCOUNT_ID = "111111111111"
ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/"
POLICY = f"arn:aws:iam::{ACCOUNT_ID}:policy/"
WORKLOAD_ROLE = f"{ROLE}estate-dev-core-ingest-12345678"
PLATFORM_POLICY = f"{POLICY}estate-dev-core-ingest-0-12345678"
OIDC = f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com"
ANCHORS = [arn.format(account_id=ACCOUNT_ID) for arn in OIDC_PROVIDER_ARNS]


@pytest.fixture(scope="module")
def run(run_program: Run) -> StackRun:
    return run_program("org-iam", "dev")


@pytest.fixture(scope="module")
def deploy(run: StackRun) -> PlannedRole:
    return planned_role(run, "deploy")


@pytest.fixture(scope="module")
def boundaries(run: StackRun) -> dict[str, str]:
    return {
        "platform": run.outputs["permission_boundary_arn"],
        "workload": f"{POLICY}{_name(run, 'workload-boundary')}",
    }


@pytest.fixture(scope="module")
def guards(run: StackRun) -> Document:
    """The deploy role's guard-rail policy."""
    return planned_policy(run, "deploy-guards")


def _with_guards(guards: Document, careless: Document) -> dict[str, Any]:
    """How a careless identity policy is decided on each policy carrying the guard rails:
    the deploy role's own deny policy (no boundary), or the platform boundary."""
    return {"identity": [careless, guards], "boundary": None}


def _name(run: StackRun, logical: str) -> str:
    (policy,) = [p for p in run.of_type("aws:iam/policy:Policy") if p.name == logical]
    return str(policy.inputs["name"])


def _replace_value(document: Any, old: str, new: str) -> Any:
    """A deep copy of ``document`` with every string ``old`` replaced by ``new``."""
    if isinstance(document, dict):
        return {k: _replace_value(v, old, new) for k, v in document.items()}
    if isinstance(document, list):
        return [_replace_value(v, old, new) for v in document]
    return new if document == old else document


def _without(document: dict[str, Any], sid: str) -> dict[str, Any]:
    trimmed = copy.deepcopy(document)
    before = len(trimmed["Statement"])
    trimmed["Statement"] = [s for s in trimmed["Statement"] if s["Sid"] != sid]
    assert len(trimmed["Statement"]) == before - 1, f"no statement {sid}"
    return trimmed


# --- (a) the deploy role cannot mint a role like itself -----------------------------------


def test_the_deploy_role_creates_roles_only_with_the_workload_boundary(
    deploy: PlannedRole, boundaries: dict[str, str]
) -> None:
    new_role = f"{ROLE}estate-dev-x-00000000"
    assert (
        deploy.decide(
            "iam:CreateRole", new_role, **{"iam:PermissionsBoundary": boundaries["workload"]}
        )
        is Decision.ALLOW
    )
    for boundary in (boundaries["platform"], f"{POLICY}estate-dev-core-anything"):
        assert (
            deploy.decide("iam:CreateRole", new_role, **{"iam:PermissionsBoundary": boundary})
            is not Decision.ALLOW
        ), boundary
    assert deploy.decide("iam:CreateRole", new_role) is not Decision.ALLOW


def test_without_the_fix_the_deploy_role_could_create_a_role_with_its_own_boundary(
    deploy: PlannedRole, boundaries: dict[str, str]
) -> None:
    # Before the fix the condition named the platform boundary the deploy role carries.
    old = PlannedRole(
        role=deploy.role,
        identity=tuple(
            _replace_value(d, boundaries["workload"], boundaries["platform"])
            for d in deploy.identity
        ),
        boundary=_replace_value(deploy.boundary, boundaries["workload"], boundaries["platform"]),
    )
    request = ("iam:CreateRole", f"{ROLE}estate-dev-x-00000000")
    context = {"iam:PermissionsBoundary": boundaries["platform"]}
    assert old.decide(*request, **context) is Decision.ALLOW
    assert deploy.decide(*request, **context) is not Decision.ALLOW


def test_no_role_can_be_rebounded_to_the_platform_boundary(
    deploy: PlannedRole, boundaries: dict[str, str]
) -> None:
    assert (
        deploy.decide(
            "iam:PutRolePermissionsBoundary",
            WORKLOAD_ROLE,
            **{"iam:PermissionsBoundary": boundaries["platform"]},
        )
        is not Decision.ALLOW
    )
    assert (
        deploy.decide(
            "iam:PutRolePermissionsBoundary",
            WORKLOAD_ROLE,
            **{"iam:PermissionsBoundary": boundaries["workload"]},
        )
        is Decision.ALLOW
    )
    assert (
        deploy.decide(
            "iam:DeleteRolePermissionsBoundary",
            WORKLOAD_ROLE,
            **{"iam:PermissionsBoundary": boundaries["workload"]},
        )
        is Decision.EXPLICIT_DENY
    )


def test_org_iams_own_policies_cannot_be_attached_to_any_role(
    run: StackRun, deploy: PlannedRole, boundaries: dict[str, str]
) -> None:
    workload = {"iam:PermissionsBoundary": boundaries["workload"]}
    own = [
        f"{POLICY}{_name(run, n)}"
        for n in (
            "deploy-policy-0",
            "deploy-guards",
            "preview-policy-0",
            "preview-guards",
            "scanner-policy-0",
        )
    ]
    for policy in [*own, boundaries["platform"], boundaries["workload"]]:
        decision = deploy.decide(
            "iam:AttachRolePolicy", WORKLOAD_ROLE, **workload, **{"iam:PolicyARN": policy}
        )
        assert decision is Decision.EXPLICIT_DENY, policy
    assert (
        deploy.decide(
            "iam:AttachRolePolicy", WORKLOAD_ROLE, **workload, **{"iam:PolicyARN": PLATFORM_POLICY}
        )
        is Decision.ALLOW
    )
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    assert (
        deploy.decide("iam:AttachRolePolicy", WORKLOAD_ROLE, **workload, **{"iam:PolicyARN": admin})
        is Decision.IMPLICIT_DENY
    )


def test_without_the_fix_the_deploy_policy_could_be_attached_to_a_new_role(
    run: StackRun, deploy: PlannedRole, boundaries: dict[str, str], guards: Document
) -> None:
    request = R(
        "iam:AttachRolePolicy",
        WORKLOAD_ROLE,
        {
            "iam:PolicyARN": f"{POLICY}{_name(run, 'deploy-policy-0')}",
            "iam:PermissionsBoundary": boundaries["workload"],
        },
    )
    others = [d for d in deploy.identity if d != guards]
    assert len(others) == len(deploy.identity) - 1 and deploy.boundary is None
    unfixed = _without(dict(guards), "AttachNoOrgIamPolicy")
    assert evaluate(request, identity=[*others, unfixed], boundary=None) is Decision.ALLOW
    assert evaluate(request, identity=deploy.identity, boundary=deploy.boundary) is (
        Decision.EXPLICIT_DENY
    )


def test_the_deploy_role_passes_roles_only_to_workload_services(deploy: PlannedRole) -> None:
    for service in ("lambda.amazonaws.com", "scheduler.amazonaws.com", "states.amazonaws.com"):
        assert (
            deploy.decide("iam:PassRole", WORKLOAD_ROLE, **{"iam:PassedToService": service})
            is Decision.ALLOW
        )
    for service in ("ec2.amazonaws.com", "cloudformation.amazonaws.com"):
        assert (
            deploy.decide("iam:PassRole", WORKLOAD_ROLE, **{"iam:PassedToService": service})
            is Decision.IMPLICIT_DENY
        )
    own = f"{ROLE}estate-dev-org-iam-deploy-00000000"
    assert (
        deploy.decide("iam:PassRole", own, **{"iam:PassedToService": "lambda.amazonaws.com"})
        is Decision.EXPLICIT_DENY
    )


def test_trust_edits_stay_off_org_iams_roles(deploy: PlannedRole) -> None:
    # No IAM key sees a trust policy's contents: what is left is where trust can change.
    for own in ("deploy", "preview", "scanner"):
        arn = f"{ROLE}estate-dev-org-iam-{own}-00000000"
        assert deploy.decide("iam:UpdateAssumeRolePolicy", arn) is Decision.EXPLICIT_DENY
    assert deploy.decide("iam:UpdateAssumeRolePolicy", WORKLOAD_ROLE) is Decision.ALLOW
    assert (
        deploy.decide("iam:UpdateAssumeRolePolicy", f"{ROLE}someone-elses-role")
        is Decision.IMPLICIT_DENY
    )


def test_the_workload_boundary_grants_no_iam_action_at_all(run: StackRun) -> None:
    workload = planned_policy(run, "workload-boundary")
    everything = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    iam_actions = [a for a in action_catalogue().actions() if a.startswith("iam:")]
    assert len(iam_actions) > 100
    for action in iam_actions:
        decision = evaluate(R(action, WORKLOAD_ROLE), identity=[everything], boundary=workload)
        assert decision is Decision.IMPLICIT_DENY, action


# --- (b) the OIDC provider, the trust anchor, is out of every role's reach ---------------


@pytest.mark.parametrize("logical", ["deploy", "preview", "scanner"])
def test_no_role_can_change_or_delete_the_github_oidc_provider(run: StackRun, logical: str) -> None:
    # Nor Pulumi Cloud's: both are trust anchors of the CI roles.
    role = planned_role(run, logical)
    for anchor in ANCHORS:
        careless = {
            "Statement": [
                {"Effect": "Allow", "Action": list(OIDC_PROVIDER_WRITES), "Resource": anchor}
            ]
        }
        for action in OIDC_PROVIDER_WRITES:
            assert role.decide(action, anchor) is not Decision.ALLOW, action
            # Even a careless identity policy is stopped by the role's guard rails (its
            # boundary's, or its own deny policy's, explicit deny).
            assert (
                evaluate(
                    R(action, anchor), identity=[*role.identity, careless], boundary=role.boundary
                )
                is Decision.EXPLICIT_DENY
            ), (action, anchor)
        assert role.decide("iam:GetOpenIDConnectProvider", anchor) is (
            Decision.ALLOW if logical != "scanner" else Decision.IMPLICIT_DENY
        )


@pytest.mark.parametrize("carrier", ["permission-boundary", "deploy-guards"])
def test_without_the_fix_a_boundary_carrying_role_could_delete_the_provider(
    run: StackRun, carrier: str
) -> None:
    policy = planned_policy(run, carrier)
    careless = {
        "Statement": [
            {"Effect": "Allow", "Action": "iam:DeleteOpenIDConnectProvider", "Resource": OIDC}
        ]
    }
    # The old boundary allowed the provider's writes: put that allow back, drop the deny.
    unfixed = _without(dict(policy), "KeepTrustAnchors")
    if carrier == "permission-boundary":
        unfixed["Statement"].append(
            {
                "Sid": "Old",
                "Effect": "Allow",
                "Action": list(OIDC_PROVIDER_WRITES),
                "Resource": OIDC,
            }
        )

    def decide(document: Document) -> Decision:
        if carrier == "permission-boundary":
            return evaluate(request, identity=[careless], boundary=document)
        return evaluate(request, identity=[careless, document], boundary=None)

    request = R("iam:DeleteOpenIDConnectProvider", OIDC)
    assert decide(unfixed) is Decision.ALLOW
    assert decide(policy) is Decision.EXPLICIT_DENY


# --- (c) role edits need the target to carry the workload boundary ------------------------


@pytest.mark.parametrize(
    "action",
    ["iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy"],
)
def test_role_policy_edits_are_denied_unless_the_target_carries_the_workload_boundary(
    run: StackRun, boundaries: dict[str, str], guards: Document, action: str
) -> None:
    boundary = planned_policy(run, "permission-boundary")
    # A careless identity policy (a future grant of the deploy role) allows it all.
    careless = {"Statement": [{"Effect": "Allow", "Action": action, "Resource": f"{ROLE}*"}]}
    context = {"iam:PolicyARN": PLATFORM_POLICY}

    def decide(**extra: str) -> Decision:
        return evaluate(
            R(action, WORKLOAD_ROLE, {**context, **extra}), **_with_guards(guards, careless)
        )

    assert decide() is Decision.EXPLICIT_DENY  # a role with no boundary at all
    assert decide(**{"iam:PermissionsBoundary": boundaries["platform"]}) is Decision.EXPLICIT_DENY
    assert decide(**{"iam:PermissionsBoundary": boundaries["workload"]}) is Decision.ALLOW
    # The platform boundary holds the same deny for the scanner role.
    assert (
        evaluate(R(action, WORKLOAD_ROLE, context), identity=[careless], boundary=boundary)
        is Decision.EXPLICIT_DENY
    )
    # Without the deny the first two are only implicitly denied (by the conditional allows).
    unfixed = _without(dict(guards), "EditOnlyWorkloadRoles")
    assert (
        evaluate(R(action, WORKLOAD_ROLE, context), **_with_guards(unfixed, careless))
        is not Decision.EXPLICIT_DENY
    )


def test_the_deploy_role_edits_only_workload_roles(
    deploy: PlannedRole, boundaries: dict[str, str]
) -> None:
    assert (
        deploy.decide(
            "iam:PutRolePolicy",
            WORKLOAD_ROLE,
            **{"iam:PermissionsBoundary": boundaries["workload"]},
        )
        is Decision.ALLOW
    )
    assert deploy.decide("iam:PutRolePolicy", WORKLOAD_ROLE) is Decision.EXPLICIT_DENY


@pytest.mark.parametrize("own", ["deploy", "preview", "scanner"])
def test_org_iams_roles_are_out_of_the_deploy_roles_reach(
    deploy: PlannedRole, boundaries: dict[str, str], own: str
) -> None:
    arn = f"{ROLE}estate-dev-org-iam-{own}-00000000"
    context = {"iam:PermissionsBoundary": boundaries["platform"], "iam:PolicyARN": PLATFORM_POLICY}
    for action in ORG_IAM_ROLE_CHANGES:
        assert deploy.decide(action, arn, **context) is Decision.EXPLICIT_DENY, action
    # The same request on a workload role goes through for what the deploy role manages.
    workload = {**context, "iam:PermissionsBoundary": boundaries["workload"]}
    assert deploy.decide("iam:TagRole", WORKLOAD_ROLE, **workload) is Decision.ALLOW
