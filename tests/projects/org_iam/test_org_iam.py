"""org-iam: OIDC provider, preview role for pull requests, deploy role for main's environment."""

from __future__ import annotations

import json
from collections.abc import Callable
from fnmatch import fnmatch
from typing import Any

import pytest

from estate.plan.runner import RecordedResource, StackRun
from estate.programs.org_iam.permissions import MANAGED_TYPES

Run = Callable[[str, str], StackRun]
ACCOUNTS = ["dev", "staging", "prod"]


def _role(run: StackRun, logical: str) -> RecordedResource:
    return next(r for r in run.of_type("aws:iam/role:Role") if r.name == f"{logical}-role")


def _trust(run: StackRun, logical: str) -> dict[str, Any]:
    trust: dict[str, Any] = json.loads(_role(run, logical).inputs["assumeRolePolicy"])
    return trust


def _policy_actions(run: StackRun, logical: str) -> set[str]:
    actions: set[str] = set()
    for policy in run.of_type("aws:iam/policy:Policy"):
        if policy.name.startswith(f"{logical}-policy-"):
            for statement in json.loads(policy.inputs["policy"])["Statement"]:
                if statement["Effect"] == "Allow":
                    actions.update(
                        statement["Action"]
                        if isinstance(statement["Action"], list)
                        else [statement["Action"]]
                    )
    return actions


@pytest.mark.parametrize("account", ACCOUNTS)
def test_there_is_one_github_oidc_provider_for_sts(run_program: Run, account: str) -> None:
    (provider,) = run_program("org-iam", account).of_type(
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
    )
    assert provider.inputs["url"] == "https://token.actions.githubusercontent.com"
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]


@pytest.mark.parametrize("account", ACCOUNTS)
def test_preview_role_is_trusted_only_by_pull_requests_of_the_repository(
    run_program: Run, account: str
) -> None:
    (statement,) = _trust(run_program("org-iam", account), "preview")["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    conditions = statement["Condition"]["StringEquals"]
    assert conditions["token.actions.githubusercontent.com:sub"] in (
        "repo:acme/estate:pull_request",
        ["repo:acme/estate:pull_request"],
    )
    assert conditions["token.actions.githubusercontent.com:aud"] in (
        "sts.amazonaws.com",
        ["sts.amazonaws.com"],
    )


@pytest.mark.parametrize("account", ACCOUNTS)
def test_deploy_role_is_trusted_only_by_the_environment_named_after_the_account(
    run_program: Run, account: str
) -> None:
    (statement,) = _trust(run_program("org-iam", account), "deploy")["Statement"]
    subject = statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"]
    assert subject in (
        f"repo:acme/estate:environment:{account}",
        [f"repo:acme/estate:environment:{account}"],
    )
    assert "StringLike" not in statement["Condition"]


@pytest.mark.parametrize("account", ACCOUNTS)
def test_both_roles_carry_the_boundary_the_program_creates(run_program: Run, account: str) -> None:
    run = run_program("org-iam", account)
    boundary_arn = run.outputs["permission_boundary_arn"]
    assert _role(run, "preview").inputs["permissionsBoundary"] == boundary_arn
    assert _role(run, "deploy").inputs["permissionsBoundary"] == boundary_arn


def test_preview_role_only_reads(run_program: Run) -> None:
    actions = _policy_actions(run_program("org-iam", "prod"), "preview")
    writes = {a for t in MANAGED_TYPES.values() for a in t.write}
    assert actions and not actions & writes
    assert all(a.split(":")[1].startswith(("Get", "List")) for a in actions)


def test_deploy_role_creates_roles_only_with_the_boundary(run_program: Run) -> None:
    run = run_program("org-iam", "dev")
    boundary_arn = run.outputs["permission_boundary_arn"]
    guarded = []
    for policy in run.of_type("aws:iam/policy:Policy"):
        if policy.name.startswith("deploy-policy-"):
            for statement in json.loads(policy.inputs["policy"])["Statement"]:
                actions = (
                    statement["Action"]
                    if isinstance(statement["Action"], list)
                    else [statement["Action"]]
                )
                if "iam:CreateRole" in actions:
                    guarded.append(statement)
    (statement,) = guarded
    assert statement["Condition"]["ArnEquals"]["iam:PermissionsBoundary"] in (
        boundary_arn,
        [boundary_arn],
    )


def _statements(run: StackRun, policy_prefix: str) -> list[dict[str, Any]]:
    found = []
    for policy in run.of_type("aws:iam/policy:Policy"):
        if policy.name.startswith(policy_prefix):
            found += json.loads(policy.inputs["policy"])["Statement"]
    return found


def _as_list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("policy", ["deploy-policy-", "permission-boundary"])
def test_no_role_can_attach_foreign_policies_or_swap_its_boundary(
    run_program: Run, policy: str
) -> None:
    # The escalation path: set one's own boundary to AdministratorAccess, then attach it.
    run = run_program("org-iam", "dev")
    boundary_arn = run.outputs["permission_boundary_arn"]
    for statement in _statements(run, policy):
        if statement["Effect"] != "Allow":
            continue
        actions = set(_as_list(statement["Action"]))
        if actions & {"iam:CreateRole", "iam:PutRolePermissionsBoundary"}:
            assert statement["Condition"] == {
                "ArnEquals": {"iam:PermissionsBoundary": [boundary_arn]}
            }
        if actions & {"iam:AttachRolePolicy", "iam:DetachRolePolicy"}:
            allowed = _as_list(statement["Condition"]["ArnLike"]["iam:PolicyARN"])
            assert allowed == ["arn:aws:iam::111111111111:policy/estate-dev-*"]


def test_the_boundary_puts_org_iams_own_roles_and_policies_out_of_reach(run_program: Run) -> None:
    run = run_program("org-iam", "staging")
    denies = [s for s in _statements(run, "permission-boundary") if s["Effect"] == "Deny"]

    def denied(action: str, arn: str) -> bool:
        return any(
            action in _as_list(s["Action"])
            and any(fnmatch(arn, pattern) for pattern in _as_list(s["Resource"]))
            for s in denies
        )

    for role in ("deploy_role_arn", "preview_role_arn"):
        for action in (
            "iam:PutRolePolicy",
            "iam:AttachRolePolicy",
            "iam:PutRolePermissionsBoundary",
            "iam:UpdateAssumeRolePolicy",
        ):
            assert denied(action, run.outputs[role]), (action, role)
    for action in ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"):
        assert denied(action, run.outputs["permission_boundary_arn"])
        assert denied(
            action, "arn:aws:iam::222222222222:policy/estate-staging-org-iam-deploy-0-12345678"
        )
    assert not denied(
        "iam:PutRolePolicy", "arn:aws:iam::222222222222:role/estate-staging-core-ingest-12345678"
    )


def test_the_boundary_forbids_removing_boundaries_and_editing_itself(run_program: Run) -> None:
    run = run_program("org-iam", "prod")
    boundary = next(
        p for p in run.of_type("aws:iam/policy:Policy") if p.name == "permission-boundary"
    )
    denies = [
        s for s in json.loads(boundary.inputs["policy"])["Statement"] if s["Effect"] == "Deny"
    ]
    denied = {
        a for s in denies for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    assert {
        "iam:DeleteRolePermissionsBoundary",
        "iam:CreatePolicyVersion",
        "iam:SetDefaultPolicyVersion",
    } <= denied
    own = [s for s in denies if "iam:CreatePolicyVersion" in s["Action"]]
    assert run.outputs["permission_boundary_arn"] in _as_list(own[0]["Resource"])
