"""One delivery, five places that must agree: the GitHub environments and subject template
(estate-deployments), org-iam's trust policies and OIDC providers (its recorded plan), the
workflows' triggers, `environment:` and role ARNs, Pulumi Deployments' settings and drift
schedules, and the pinned accounts of the providers and credentials."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from estate.accounts import Estate
from estate.delivery import (
    DEFAULT_BRANCH,
    DEFAULT_BRANCH_REF,
    DEPLOY_WORKFLOW,
    DRIFT_WORKFLOW,
    PREVIEW_WORKFLOW,
    SUBJECT_CLAIM_KEYS,
    reusable_workflow_reference,
)
from estate.plan.runner import REPOSITORY_ROOT, StackRun
from estate.programs.deployments.roles import CiRole, ci_role_arn

ROLE = "aws:iam/role:Role"
SUB = "token.actions.githubusercontent.com:sub"
PULUMI_AUD = "api.pulumi.com/oidc:aud"
PULUMI_SUB = "api.pulumi.com/oidc:sub"
SETTINGS = "pulumiservice:index:DeploymentSettings"
DRIFT_SCHEDULE = "pulumiservice:index:DriftSchedule"
OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"


def _workflow(path: str) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(Path(REPOSITORY_ROOT, path).read_text())
    return loaded


def _run(all_runs: list[StackRun], project: str, stack: str) -> StackRun:
    (found,) = [r for r in all_runs if r.project == project and r.stack == stack]
    return found


def _trusted(run: StackRun, role_arn: str, key: str = SUB) -> list[str]:
    """The values of condition `key` (a `sub` or `aud`) the role named by `role_arn` trusts,
    read from the recorded plan; [] when no statement tests it."""
    name = role_arn.rsplit("/", 1)[1]
    (role,) = [r for r in run.of_type(ROLE) if r.inputs.get("name") == name]
    found: list[str] = []
    for statement in json.loads(role.inputs["assumeRolePolicy"])["Statement"]:
        values = statement["Condition"]["StringEquals"].get(key, [])
        found += [values] if isinstance(values, str) else list(values)
    return found


def _trusted_subjects(run: StackRun, role_arn: str) -> list[str]:
    return _trusted(run, role_arn)


def _subject(repository: str, context: str, workflow: str) -> str:
    """The `sub` GitHub presents under the template, built claim by claim from its keys."""
    claims = {
        "repo": f"repo:{repository}",
        "context": context,
        "job_workflow_ref": f"job_workflow_ref:{repository}/{workflow}@{DEFAULT_BRANCH_REF}",
    }
    return ":".join(claims[key] for key in SUBJECT_CLAIM_KEYS)


def test_environments_subjects_trust_workflows_and_role_arns_agree(
    all_runs: list[StackRun], estate: Estate
) -> None:
    repository = estate.organization.github_repository
    deploy_jobs = _workflow(DEPLOY_WORKFLOW)["jobs"]
    preview_caller = _workflow(".github/workflows/pull-request.yml")["jobs"]["preview"]
    assert preview_caller["uses"] == reusable_workflow_reference(repository, PREVIEW_WORKFLOW)
    for account in estate:
        org_iam = _run(all_runs, "org-iam", account.name)
        root = _run(all_runs, "estate-deployments", account.name)
        deploy_arn = ci_role_arn(account, CiRole.DEPLOY)
        preview_arn = ci_role_arn(account, CiRole.PREVIEW)
        # The ARNs CI assumes (computed before any credential exists) are org-iam's roles.
        assert deploy_arn == org_iam.outputs["deploy_role_arn"]
        assert preview_arn == org_iam.outputs["preview_role_arn"]
        # The environment the deploy job names is the one GitHub protects and the role trusts.
        job = deploy_jobs[f"deploy-{account.name}"]
        (environment,) = [
            r.inputs["environment"]
            for r in root.of_type("github:index/repositoryEnvironment:RepositoryEnvironment")
        ]
        assert job["environment"] == environment == account.name
        assert _trusted_subjects(org_iam, deploy_arn) == [
            _subject(repository, f"environment:{environment}", DEPLOY_WORKFLOW)
        ]
        # The preview role: pull-request previews and the scheduled drift job on main.
        assert _trusted_subjects(org_iam, preview_arn) == sorted(
            [
                _subject(repository, "pull_request", PREVIEW_WORKFLOW),
                _subject(repository, f"ref:refs/heads/{DEFAULT_BRANCH}", DRIFT_WORKFLOW),
            ]
        )
        # Every gate names the same account: providers, environment variables, settings.
        variables = {
            r.inputs["variableName"]: r.inputs["value"]
            for r in root.of_type(
                "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"
            )
        }
        assert variables["DEPLOY_ROLE_ARN"] == deploy_arn
        assert variables["AWS_ACCOUNT_ID"] == account.account_id == deploy_arn.split(":")[4]
        _pulumi_deployments_agree(org_iam, root, preview_arn, estate)
        for provider in org_iam.providers().values():
            assert json.loads(provider.inputs["allowedAccountIds"]) == [account.account_id]
    for job_id, job in deploy_jobs.items():
        for step in job.get("steps", []):
            if "configure-aws-credentials" in str(step.get("uses")):
                expected = (
                    "${{ vars.AWS_ACCOUNT_ID }}"
                    if "vars." in step["with"]["role-to-assume"]
                    else "${{ matrix.stack.account_id }}"
                )
                assert step["with"]["allowed-account-ids"] == expected, job_id


def _pulumi_deployments_agree(
    org_iam: StackRun, root: StackRun, preview_arn: str, estate: Estate
) -> None:
    """Every stack whose Deployments settings the root project writes runs its drift
    detection as the preview role, which trusts exactly those operations (and nothing
    Deployments could start as an update), from the organisation's own tokens."""
    organization = estate.organization.pulumi_org
    settings = root.of_type(SETTINGS)
    assert settings
    schedules = {(r.inputs["project"], r.inputs["stack"]) for r in root.of_type(DRIFT_SCHEDULE)}
    expected = set()
    for each in settings:
        inputs = each.inputs
        assert inputs["operationContext"]["oidc"]["aws"]["roleARN"] == preview_arn
        assert inputs["organization"] == organization
        assert (inputs["project"], inputs["stack"]) in schedules  # its drift detection runs
        expected.add(
            f"pulumi:deploy:org:{organization}:project:{inputs['project']}"
            f":stack:{inputs['stack']}:operation:detect-drift:scope:write"
        )
    assert sorted(expected) == _trusted(org_iam, preview_arn, PULUMI_SUB)
    assert _trusted(org_iam, preview_arn, PULUMI_AUD) == [organization]
    (provider,) = [p for p in org_iam.of_type(OIDC_PROVIDER) if "api.pulumi.com" in p.inputs["url"]]
    assert provider.inputs["clientIdLists"] == [organization] and provider.protect
    # The deploy role trusts GitHub's deploy job alone: Pulumi Deployments never updates.
    deploy_arn = org_iam.outputs["deploy_role_arn"]
    assert _trusted(org_iam, deploy_arn, PULUMI_SUB) == []


def test_the_drift_workflow_runs_on_main_as_the_preview_role_without_an_environment() -> None:
    """What makes drift.yml present the subject the preview role trusts: scheduled (or
    dispatched) on the default branch, no environment, credentials from the preview role."""
    workflow = _workflow(DRIFT_WORKFLOW)
    triggers: dict[str, Any] = workflow["on" if "on" in workflow else True]  # YAML 1.1: True
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    job = workflow["jobs"]["drift"]
    assert "environment" not in job
    assert job["permissions"]["id-token"] == "write"
    (credentials,) = [s for s in job["steps"] if "configure-aws-credentials" in str(s.get("uses"))]
    assert credentials["with"]["role-to-assume"] == "${{ matrix.stack.preview_role_arn }}"
