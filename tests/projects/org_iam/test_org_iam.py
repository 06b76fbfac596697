"""org-iam: the OIDC providers, preview role for pull requests and drift checks, deploy role
for main's environment, the scanner role, and both boundaries, read from the recorded plan."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from estate.accounts import Estate
from estate.delivery import (
    deploy_role_arn,
    deploy_subject,
    deployments_subjects,
    drift_subject,
    preview_role_arn,
    preview_subject,
)
from estate.iam import action_catalogue, split_into_managed_policies
from estate.naming import ProjectNames, ResourceKind
from estate.plan.runner import RecordedResource, StackRun
from estate.programs.org_iam.permissions import MANAGED_TYPES
from estate.programs.org_iam.policies import Scope, deploy_statements
from estate.stack import workload_boundary_arn
from tests.support.iam_eval import planned_policy, planned_role, policy_arn

Run = Callable[[str, str], StackRun]
ACCOUNTS = ["dev", "staging", "prod"]
SUB = "token.actions.githubusercontent.com:sub"


def _role(run: StackRun, logical: str) -> RecordedResource:
    return next(r for r in run.of_type("aws:iam/role:Role") if r.name == f"{logical}-role")


def _trust(run: StackRun, logical: str) -> dict[str, Any]:
    trust: dict[str, Any] = json.loads(_role(run, logical).inputs["assumeRolePolicy"])
    return trust


def _as_list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def _allowed_actions(documents: tuple[dict[str, Any], ...] | Any) -> set[str]:
    return {
        action
        for document in documents
        for statement in document["Statement"]
        if statement["Effect"] == "Allow"
        for action in _as_list(statement["Action"])
    }


@pytest.mark.parametrize("account", ACCOUNTS)
def test_there_is_one_protected_oidc_provider_for_github_and_one_for_pulumi_deployments(
    run_program: Run, account: str, estate: Estate
) -> None:
    providers = {
        p.inputs["url"]: p
        for p in run_program("org-iam", account).of_type(
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
        )
    }
    github = providers.pop("https://token.actions.githubusercontent.com")
    assert github.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    pulumi_cloud = providers.pop("https://api.pulumi.com/oidc")
    # Pulumi Deployments' tokens carry the organisation's name as their audience.
    assert pulumi_cloud.inputs["clientIdLists"] == [estate.organization.pulumi_org]
    assert providers == {}
    assert github.protect and pulumi_cloud.protect


@pytest.mark.parametrize("account", ACCOUNTS)
def test_preview_role_is_trusted_only_by_previews_drift_checks_and_deployments_drift_detection(
    run_program: Run, account: str, estate: Estate
) -> None:
    statements = {
        s["Sid"]: s for s in _trust(run_program("org-iam", account), "preview")["Statement"]
    }
    assert set(statements) == {"TrustGitHubActions", "TrustPulumiDeployments"}
    for statement in statements.values():
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert set(statement["Condition"]) == {"StringEquals"}
    github = statements["TrustGitHubActions"]["Condition"]["StringEquals"]
    repository = estate.organization.github_repository
    assert github[SUB] == sorted([preview_subject(repository), drift_subject(repository)])
    assert github["token.actions.githubusercontent.com:aud"] == ["sts.amazonaws.com"]
    pulumi_cloud = statements["TrustPulumiDeployments"]["Condition"]["StringEquals"]
    org = estate.organization.pulumi_org
    assert pulumi_cloud["api.pulumi.com/oidc:aud"] == [org]
    assert pulumi_cloud["api.pulumi.com/oidc:sub"] == list(deployments_subjects(org, account))
    # Only drift detection: never an update, destroy or remediation, from any stack.
    assert all(
        s.endswith(":operation:detect-drift:scope:write") and f":stack:{account}:" in s
        for s in pulumi_cloud["api.pulumi.com/oidc:sub"]
    )


@pytest.mark.parametrize("account", ACCOUNTS)
def test_deploy_role_is_trusted_only_by_deploy_yml_on_main_in_the_accounts_environment(
    run_program: Run, account: str, estate: Estate
) -> None:
    (statement,) = _trust(run_program("org-iam", account), "deploy")["Statement"]
    subject = statement["Condition"]["StringEquals"][SUB]
    repository = estate.organization.github_repository
    assert subject == [deploy_subject(repository, account)]
    assert subject == [
        f"repo:{repository}:environment:{account}:job_workflow_ref:"
        f"{repository}/.github/workflows/deploy.yml@refs/heads/main"
    ]
    assert set(statement["Condition"]) == {"StringEquals"}


@pytest.mark.parametrize("account", ACCOUNTS)
def test_the_scanner_role_carries_the_platform_boundary_and_names_come_from_the_names_helper(
    run_program: Run, account: str, estate: Estate
) -> None:
    run = run_program("org-iam", account)
    boundary_arn = run.outputs["permission_boundary_arn"]
    assert _role(run, "scanner").inputs["permissionsBoundary"] == boundary_arn
    # The CI roles carry their guard rails as a policy instead (test_deploy_role_types.py).
    for logical in ("preview", "deploy"):
        assert "permissionsBoundary" not in _role(run, logical).inputs
    (workload,) = [p for p in run.of_type("aws:iam/policy:Policy") if p.name == "workload-boundary"]
    assert policy_arn(run, workload) == workload_boundary_arn(estate.account(account))
    prefix = f"estate-{account}-org-iam-"
    for resource in run.of_type("aws:iam/role:Role") + run.of_type("aws:iam/policy:Policy"):
        assert resource.inputs["name"].startswith(prefix), resource.name


def test_preview_role_only_reads(run_program: Run) -> None:
    actions = _allowed_actions(planned_role(run_program("org-iam", "prod"), "preview").identity)
    writes = {a for t in MANAGED_TYPES.values() for a in t.write}
    assert actions and not actions & writes
    catalogue = action_catalogue()
    levels = {a: catalogue.info(a).access_level for a in actions}  # type: ignore[union-attr]
    assert {a: level for a, level in levels.items() if level not in {"Read", "List"}} == {}


@pytest.mark.parametrize("account", ACCOUNTS)
def test_each_role_has_as_many_managed_policies_as_its_split_needs(
    run_program: Run, account: str, estate: Estate
) -> None:
    run = run_program("org-iam", account)
    deploy_policies = [
        p for p in run.of_type("aws:iam/policy:Policy") if p.name.startswith("deploy-policy-")
    ]
    target = estate.account(account)
    scope = Scope(
        account=account,
        account_id=target.account_id,
        regions=target.regions,
        prefix=f"estate-{account}-",
        own_prefix=f"estate-{account}-org-iam-",
        workload_boundary_arn=workload_boundary_arn(target),
    )
    assert len(deploy_policies) == len(split_into_managed_policies(deploy_statements(scope)))
    attachments = run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    attached = [
        p
        for p in run.of_type("aws:iam/policy:Policy")
        if "-policy-" in p.name or p.name.endswith("-guards")
    ]
    assert len(attachments) == len(attached)
    assert {p.name for p in attached} >= {"deploy-guards", "preview-guards"}


def test_the_boundary_names_itself_among_the_policies_no_role_may_change(run_program: Run) -> None:
    run = run_program("org-iam", "prod")
    boundary = planned_policy(run, "permission-boundary")
    own = [s for s in boundary["Statement"] if s["Sid"] == "KeepOrgIamPolicies"]
    assert run.outputs["permission_boundary_arn"] in own[0]["Resource"]


def test_org_iam_names_come_from_the_names_helper(estate: Estate) -> None:
    account = estate.account("dev")
    names = ProjectNames(account="dev", account_id=account.account_id, project="org-iam")
    assert workload_boundary_arn(account) == names.policy_arn(
        "workload-boundary", ResourceKind.IAM_PERMISSION_BOUNDARY
    )


@pytest.mark.parametrize("account", ACCOUNTS)
def test_the_role_arns_delivery_hands_to_workflows_are_the_planned_roles(
    run_program: Run, estate: Estate, account: str
) -> None:
    run = run_program("org-iam", account)
    assert deploy_role_arn(estate.account(account)) == run.outputs["deploy_role_arn"]
    assert preview_role_arn(estate.account(account)) == run.outputs["preview_role_arn"]
