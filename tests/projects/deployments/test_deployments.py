"""The root project estate-deployments under mocks: the delivery settings of every stack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from estate.accounts import Estate
from estate.changed import ADMIN_APPLIED, work_dir
from estate.contracts import CONTRACTS, contract_for
from estate.delivery import SUBJECT_CLAIM_KEYS
from estate.plan.runner import REPOSITORY_ROOT, RecordedResource, StackRun
from estate.programs.deployments.settings import (
    DEFAULT_BRANCH,
    PRE_RUN_COMMANDS,
    needs_review,
)

ROOT = "estate-deployments"
SETTINGS = "pulumiservice:index:DeploymentSettings"
DRIFT = "pulumiservice:index:DriftSchedule"
ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment"
BRANCH_POLICY = (
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
)
ENV_VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"
SUBJECT_TEMPLATE = "github:index/actionsRepositoryOidcSubjectClaimCustomizationTemplate:ActionsRepositoryOidcSubjectClaimCustomizationTemplate"


def _runs(all_runs: list[StackRun], project: str) -> dict[str, StackRun]:
    return {run.stack: run for run in all_runs if run.project == project}


def _only(run: StackRun, type_token: str) -> RecordedResource:
    (found,) = run.of_type(type_token)
    return found


def test_every_other_project_in_every_account_has_settings_and_a_drift_schedule(
    all_runs: list[StackRun], estate: Estate
) -> None:
    org_iam = _runs(all_runs, "org-iam")
    for account in estate:
        run = _runs(all_runs, ROOT)[account.name]
        settings = {r.inputs["project"]: r.inputs for r in run.of_type(SETTINGS)}
        drift = {r.inputs["project"]: r.inputs for r in run.of_type(DRIFT)}
        expected = {c.project for c in CONTRACTS} - {ROOT}
        assert set(settings) == expected == set(drift)
        for project, inputs in settings.items():
            contract = contract_for(project)
            git = inputs["sourceContext"]["git"]
            assert git["branch"] == DEFAULT_BRANCH
            assert (
                git["repoUrl"] == f"https://github.com/{estate.organization.github_repository}.git"
            )
            assert git["repoDir"] == work_dir(contract, REPOSITORY_ROOT)
            pulumi_yaml = Path(REPOSITORY_ROOT, git["repoDir"], "Pulumi.yaml").read_text()
            assert f"name: {project}\n" in pulumi_yaml
            assert (
                inputs["stack"] == account.name
                and inputs["organization"] == estate.organization.pulumi_org
            )
            context = inputs["operationContext"]
            # Drift detection only reads: the read-only preview role, never the deploy role.
            assert (
                context["oidc"]["aws"]["roleARN"]
                == org_iam[account.name].outputs["preview_role_arn"]
            )
            assert context["preRunCommands"] == list(PRE_RUN_COMMANDS)
            assert context["options"]["skipInstallDependencies"] is True
            # GitHub Actions deploys and previews; Deployments never does either, nor runs
            # a pull request's code in a review stack.
            github = inputs["github"]
            assert github["deployCommits"] is False and github["previewPullRequests"] is False
            assert github["pullRequestTemplate"] is False
            assert (
                drift[project]["autoRemediate"] is False and drift[project]["stack"] == account.name
            )


def test_each_account_has_its_environment_deployable_from_main_with_reviewers_where_required(
    all_runs: list[StackRun], estate: Estate
) -> None:
    owner, repository = estate.organization.github_repository.split("/")
    for account in estate:
        run = _runs(all_runs, ROOT)[account.name]
        environment = _only(run, ENVIRONMENT).inputs
        assert (
            environment["environment"] == account.name and environment["repository"] == repository
        )
        assert environment["deploymentBranchPolicy"] == {
            "customBranchPolicies": True,
            "protectedBranches": False,
        }
        assert _only(run, BRANCH_POLICY).inputs["branchPattern"] == DEFAULT_BRANCH
        assert bool(environment.get("reviewers")) is needs_review(account)
        assert environment["canAdminsBypass"] is False
        variables = {r.inputs["variableName"]: r.inputs["value"] for r in run.of_type(ENV_VARIABLE)}
        assert variables == {
            "AWS_ACCOUNT_ID": account.account_id,
            "AWS_REGION": account.primary_region,
            "DEPLOY_ROLE_ARN": _runs(all_runs, "org-iam")[account.name].outputs["deploy_role_arn"],
        }
        (provider,) = [r for r in run.resources if r.type == "pulumi:providers:github"]
        assert provider.inputs["owner"] == owner
    assert any(needs_review(account) for account in estate)


def test_the_repository_has_one_subject_template_naming_the_workflow(
    all_runs: list[StackRun], estate: Estate
) -> None:
    templates: list[dict[str, Any]] = [
        dict(r.inputs)
        for run in _runs(all_runs, ROOT).values()
        for r in run.of_type(SUBJECT_TEMPLATE)
    ]
    assert templates == [
        {
            "repository": estate.organization.github_repository.split("/")[1],
            "useDefault": False,
            "includeClaimKeys": list(SUBJECT_CLAIM_KEYS),
        }
    ]
    assert "job_workflow_ref" in SUBJECT_CLAIM_KEYS


def test_the_root_project_is_applied_by_an_administrator_and_reads_org_iam() -> None:
    assert ROOT in ADMIN_APPLIED
    assert contract_for(ROOT).reads == {"org-iam": ("deploy_role_arn",)}
    assert work_dir(contract_for(ROOT), REPOSITORY_ROOT) == "."
    assert "main: projects/deployments/" in (REPOSITORY_ROOT / "Pulumi.yaml").read_text()
