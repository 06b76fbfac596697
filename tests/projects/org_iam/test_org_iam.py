"""org-iam: OIDC provider, preview role for pull requests, deploy role for main's environment."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from estate.plan.runner import RecordedResource, StackRun
from org_iam.permissions import MANAGED_TYPES

Run = Callable[[str, str], StackRun]
ACCOUNTS = ["dev", "staging", "prod"]


def _role(run: StackRun, logical: str) -> RecordedResource:
    return next(r for r in run.of_type("aws:iam/role:Role") if r.name == f"{logical}-role")


def _trust(run: StackRun, logical: str) -> dict[str, Any]:
    return json.loads(_role(run, logical).inputs["assumeRolePolicy"])


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
    assert own[0]["Resource"] in (
        run.outputs["permission_boundary_arn"],
        [run.outputs["permission_boundary_arn"]],
    )
