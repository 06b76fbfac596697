"""estate.delivery: one definition of the deploy workflow, the subject template and subjects."""

from __future__ import annotations

import pytest

from estate.contracts import CONTRACTS, ProjectContract
from estate.delivery import (
    DEFAULT_BRANCH_REF,
    DEPLOY_WORKFLOW,
    DEPLOYMENTS_OPERATIONS,
    DRIFT_WORKFLOW,
    PREVIEW_WORKFLOW,
    ROOT_PROJECT,
    SUBJECT_CLAIM_KEYS,
    delivered_contracts,
    deploy_subject,
    deploy_subject_spec,
    deployments_operations,
    deployments_subjects,
    drift_subject,
    environment_name,
    preview_subject,
    reusable_workflow_reference,
)
from estate.iam import PolicyError, WorkflowJobs, github_oidc_trust_statement


def test_the_deploy_subject_follows_the_template_repo_context_job_workflow_ref() -> None:
    assert SUBJECT_CLAIM_KEYS == ("repo", "context", "job_workflow_ref")
    assert deploy_subject("acme/estate", "prod") == (
        "repo:acme/estate:environment:prod:job_workflow_ref:"
        "acme/estate/.github/workflows/deploy.yml@refs/heads/main"
    )
    assert DEPLOY_WORKFLOW == ".github/workflows/deploy.yml"
    assert environment_name("prod") == "prod"


def test_the_preview_subject_names_the_reusable_workflow_at_main_for_every_pull_request() -> None:
    assert preview_subject("acme/estate") == (
        "repo:acme/estate:pull_request:job_workflow_ref:"
        "acme/estate/.github/workflows/preview.yml@refs/heads/main"
    )
    assert reusable_workflow_reference("acme/estate") == (f"acme/estate/{PREVIEW_WORKFLOW}@main")
    assert DEFAULT_BRANCH_REF == "refs/heads/main"


def test_the_trust_matches_the_exact_subject_with_string_equals() -> None:
    statement = github_oidc_trust_statement(
        provider_arn="arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
        repository="acme/estate",
        subjects=[deploy_subject_spec("dev")],
    )
    (sub,) = [c for c in statement.conditions if c.key.endswith(":sub")]
    assert sub.operator == "StringEquals"
    assert sub.values == (deploy_subject("acme/estate", "dev"),)
    assert not any("*" in str(value) for value in sub.values)


@pytest.mark.parametrize(
    ("path", "ref", "expected"),
    [
        (".github/workflows/*.yml", "refs/heads/main", "is not .github/workflows/<file>.yml"),
        ("deploy.yml", "refs/heads/main", "is not .github/workflows/<file>.yml"),
        (".github/workflows/deploy.yml", "refs/heads/*", "is not refs/heads/<branch>"),
        (".github/workflows/deploy.yml", "refs/pull/1/merge", "is not refs/heads/<branch>"),
        (".github/workflows/deploy.yml", "main", "is not refs/heads/<branch>"),
    ],
)
def test_workflow_subjects_refuse_wildcards_and_other_refs(
    path: str, ref: str, expected: str
) -> None:
    with pytest.raises(PolicyError, match=expected):
        WorkflowJobs(context=deploy_subject_spec("dev").context, workflow_path=path, ref=ref)


def test_a_repository_that_is_not_owner_name_is_refused() -> None:
    with pytest.raises(PolicyError, match="repository"):
        deploy_subject("acme/*", "dev")


def test_the_drift_subject_is_drift_yml_on_main_without_an_environment() -> None:
    assert drift_subject("acme/estate") == (
        "repo:acme/estate:ref:refs/heads/main:job_workflow_ref:"
        "acme/estate/.github/workflows/drift.yml@refs/heads/main"
    )
    assert DRIFT_WORKFLOW == ".github/workflows/drift.yml"


def test_deployments_drift_detection_covers_every_project_but_the_root_from_the_contracts() -> None:
    assert ROOT_PROJECT in {c.project for c in CONTRACTS}
    projects = {c.project for c in CONTRACTS} - {ROOT_PROJECT}
    assert {c.project for c in delivered_contracts()} == projects
    operations = deployments_operations("dev")
    assert {(o.project, o.stack, o.operation) for o in operations} == {
        (p, "dev", op) for p in projects for op in DEPLOYMENTS_OPERATIONS
    }
    assert DEPLOYMENTS_OPERATIONS == ("detect-drift",)  # never an update or destroy
    assert deployments_subjects("acme", "dev") == tuple(sorted(o.claim("acme") for o in operations))


def test_a_newly_registered_project_is_delivered_and_trusted_without_an_edit() -> None:
    extra = ProjectContract(
        project="extra", directory="projects/extra", description="x", exports=()
    )
    contracts = (*CONTRACTS, extra)
    assert "extra" in {c.project for c in delivered_contracts(contracts)}
    assert any(o.project == "extra" for o in deployments_operations("dev", contracts))
