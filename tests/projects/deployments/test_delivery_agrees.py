"""One delivery, five places that must agree: the GitHub environments and subject template
(estate-deployments), org-iam's trust policies (its recorded plan), the workflows'
`environment:` and role ARNs, and the pinned accounts of the providers and credentials."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from estate.accounts import Estate
from estate.delivery import (
    DEFAULT_BRANCH_REF,
    DEPLOY_WORKFLOW,
    PREVIEW_WORKFLOW,
    SUBJECT_CLAIM_KEYS,
    reusable_workflow_reference,
)
from estate.plan.runner import REPOSITORY_ROOT, StackRun
from estate.programs.deployments.roles import CiRole, ci_role_arn

ROLE = "aws:iam/role:Role"
SUB = "token.actions.githubusercontent.com:sub"


def _workflow(path: str) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(Path(REPOSITORY_ROOT, path).read_text())
    return loaded


def _run(all_runs: list[StackRun], project: str, stack: str) -> StackRun:
    (found,) = [r for r in all_runs if r.project == project and r.stack == stack]
    return found


def _trusted_subjects(run: StackRun, role_arn: str) -> list[str]:
    """The `sub` values the role named by `role_arn` trusts, read from the recorded plan."""
    name = role_arn.rsplit("/", 1)[1]
    (role,) = [r for r in run.of_type(ROLE) if r.inputs.get("name") == name]
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    subjects = statement["Condition"]["StringEquals"][SUB]
    return [subjects] if isinstance(subjects, str) else list(subjects)


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
        assert _trusted_subjects(org_iam, preview_arn)[0] == _subject(
            repository, "pull_request", PREVIEW_WORKFLOW
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
        for settings in root.of_type("pulumiservice:index:DeploymentSettings"):
            assert settings.inputs["operationContext"]["oidc"]["aws"]["roleARN"] == deploy_arn
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
