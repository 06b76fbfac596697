"""Pulumi Deployments OIDC trust: one organisation, the exact stack operations named."""

from __future__ import annotations

import json
from typing import Any

import pytest

from estate.iam import (
    PULUMI_OIDC_HOST,
    DeploymentOperation,
    PolicyError,
    PullRequests,
    github_oidc_trust_statement,
    pulumi_deployments_trust_statement,
    pulumi_subject_claims,
    trust_policy_json,
    trust_policy_problems,
)
from estate.iam.pulumi_oidc import PULUMI_OPERATIONS

PROVIDER = "arn:aws:iam::111111111111:oidc-provider/api.pulumi.com/oidc"
GITHUB = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
DRIFT = DeploymentOperation(project="core", stack="dev", operation="detect-drift")


def test_the_subject_is_pulumis_documented_format() -> None:
    assert DRIFT.claim("acme") == (
        "pulumi:deploy:org:acme:project:core:stack:dev:operation:detect-drift:scope:write"
    )


def test_the_trust_names_the_organisation_as_audience_and_exact_subjects() -> None:
    update = DeploymentOperation(project="core", stack="dev", operation="update")
    statement = pulumi_deployments_trust_statement(
        provider_arn=PROVIDER, organization="acme", operations=[update, DRIFT, DRIFT]
    )
    (rendered,) = json.loads(trust_policy_json(statement))["Statement"]
    assert rendered["Principal"] == {"Federated": PROVIDER}
    assert rendered["Condition"] == {
        "StringEquals": {
            f"{PULUMI_OIDC_HOST}:aud": ["acme"],
            f"{PULUMI_OIDC_HOST}:sub": sorted([DRIFT.claim("acme"), update.claim("acme")]),
        }
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [("project", "core*"), ("stack", "dev:x"), ("operation", "deploy"), ("project", "..")],
)
def test_a_wildcard_colon_or_unknown_operation_is_refused(field: str, value: str) -> None:
    arguments: dict[str, Any] = {"project": "core", "stack": "dev", "operation": "preview"}
    with pytest.raises(PolicyError, match=field if field != "operation" else "operation"):
        DeploymentOperation(**{**arguments, field: value})


@pytest.mark.parametrize("operations", [[], DRIFT, ["core"]])
def test_operations_must_be_a_non_empty_list_of_operations(operations: Any) -> None:
    with pytest.raises(PolicyError):
        pulumi_subject_claims("acme", operations)
    with pytest.raises(PolicyError, match="organization"):
        pulumi_subject_claims("acme*", [DRIFT])


def test_every_operation_pulumi_runs_is_nameable() -> None:
    assert {DeploymentOperation("p", "s", op).operation for op in PULUMI_OPERATIONS} == set(
        PULUMI_OPERATIONS
    )


def test_a_role_trusted_by_two_providers_has_one_checked_statement_each() -> None:
    github_statement = github_oidc_trust_statement(
        provider_arn=GITHUB, repository="acme/estate", subjects=[PullRequests()]
    )
    pulumi_statement = pulumi_deployments_trust_statement(
        provider_arn=PROVIDER, organization="acme", operations=[DRIFT]
    )
    document = json.loads(trust_policy_json(github_statement, pulumi_statement))
    assert [s["Sid"] for s in document["Statement"]] == [
        "TrustGitHubActions",
        "TrustPulumiDeployments",
    ]
    assert trust_policy_problems(document) == []
    with pytest.raises(PolicyError, match="Sid"):
        trust_policy_json(pulumi_statement, pulumi_statement)
    # The rules still see each statement: a Pulumi statement without its sub is refused.
    document["Statement"][1]["Condition"]["StringEquals"].pop(f"{PULUMI_OIDC_HOST}:sub")
    assert trust_policy_problems(document) == [
        f"statement TrustPulumiDeployments: a Federated principal needs a StringEquals "
        f"{PULUMI_OIDC_HOST}:sub condition"
    ]
