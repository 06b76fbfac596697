"""GitHub OIDC trust: one repository, the exact jobs named, never a wildcard."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from estate.iam import (
    Branch,
    Environment,
    PolicyError,
    PullRequests,
    github_oidc_trust,
    github_oidc_trust_statement,
    github_subject_claims,
    trust_policy_json,
)
from tests.support.iam_pulumi import Resolve

PROVIDER = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
HOST = "token.actions.githubusercontent.com"


def _trust(repository: str, *subjects: Any) -> dict[str, Any]:
    statement = github_oidc_trust_statement(
        provider_arn=PROVIDER, repository=repository, subjects=subjects
    )
    [rendered] = json.loads(trust_policy_json(statement))["Statement"]
    result: dict[str, Any] = rendered
    return result


@pytest.mark.parametrize(
    ("subject", "claim"),
    [
        (PullRequests(), "repo:acme/estate:pull_request"),
        (Environment("prod"), "repo:acme/estate:environment:prod"),
        (Branch("main"), "repo:acme/estate:ref:refs/heads/main"),
        (Branch("release/2026.1"), "repo:acme/estate:ref:refs/heads/release/2026.1"),
    ],
)
def test_given_a_subject_then_its_claim_is_what_github_presents(subject: Any, claim: str) -> None:
    assert github_subject_claims("acme/estate", [subject]) == (claim,)


def test_given_a_deploy_role_then_it_trusts_its_environment_and_the_audience_only() -> None:
    statement = _trust("acme/estate", Environment("prod"))

    assert statement == {
        "Sid": "TrustGitHubActions",
        "Effect": "Allow",
        "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {
                f"{HOST}:aud": ["sts.amazonaws.com"],
                f"{HOST}:sub": ["repo:acme/estate:environment:prod"],
            }
        },
    }


def test_given_aud_and_sub_then_neither_check_replaces_the_other() -> None:
    # Two keys under one operator: a dict literal would keep only the last (ruff F601).
    conditions = _trust("acme/estate", PullRequests())["Condition"]

    assert set(conditions) == {"StringEquals"}
    assert set(conditions["StringEquals"]) == {f"{HOST}:aud", f"{HOST}:sub"}


def test_given_several_subjects_then_sub_lists_each_once_sorted() -> None:
    claims = _trust("acme/estate", PullRequests(), Environment("dev"), PullRequests())["Condition"][
        "StringEquals"
    ][f"{HOST}:sub"]

    assert claims == ["repo:acme/estate:environment:dev", "repo:acme/estate:pull_request"]


@pytest.mark.parametrize(
    "repository",
    [
        "acme/*",
        "*/estate",
        "acme/est?te",
        "acme",
        "acme/estate/extra",
        "acme/estate:environment:prod",
        "acme /estate",
        "acme/estate\n",
        "acme/..",
        "./estate",
        "",
    ],
)
def test_given_a_repository_not_exactly_owner_name_then_it_is_refused(repository: str) -> None:
    with pytest.raises(PolicyError, match=r"GitHub repository .* spell it exactly"):
        github_subject_claims(repository, [PullRequests()])


@pytest.mark.parametrize("name", ["prod*", "pr?d", "prod:x", "", "my env", "..", "a" * 256])
def test_given_an_environment_name_with_a_wildcard_or_separator_then_it_is_refused(
    name: str,
) -> None:
    with pytest.raises(PolicyError, match=r"GitHub environment .* \(no wildcard"):
        Environment(name)


@pytest.mark.parametrize("name", ["main*", "feature/*", "a:b", "/main", "main/", "a//b", "a..b"])
def test_given_a_branch_name_with_a_wildcard_or_bad_slash_then_it_is_refused(name: str) -> None:
    with pytest.raises(PolicyError, match=r"GitHub branch .* \(no wildcard"):
        Branch(name)


@pytest.mark.parametrize("subjects", [[], "pull_request", PullRequests(), ["environment:prod"]])
def test_given_subjects_that_are_not_a_list_of_subjects_then_they_are_refused(
    subjects: Any,
) -> None:
    with pytest.raises(PolicyError, match=r"GitHub trust for acme/estate: subject"):
        github_subject_claims("acme/estate", subjects)


def test_given_a_provider_arn_output_then_the_trust_resolves_it(resolve: Resolve) -> None:
    def program() -> pulumi.Output[str]:
        return github_oidc_trust(
            provider_arn=pulumi.Output.from_input(PROVIDER),
            repository="acme/estate",
            subjects=[PullRequests()],
        )

    [statement] = json.loads(resolve(program))["Statement"]

    assert statement["Principal"] == {"Federated": PROVIDER}


def test_given_a_provider_arn_that_is_no_oidc_provider_then_the_trust_is_refused(
    resolve: Resolve,
) -> None:
    def program() -> pulumi.Output[str]:
        return github_oidc_trust(
            provider_arn=pulumi.Output.from_input("arn:aws:iam::111111111111:root"),
            repository="acme/estate",
            subjects=[PullRequests()],
        )

    with pytest.raises(PolicyError, match=r"must be an OIDC provider ARN"):
        resolve(program)
