"""The laws of estate.iam, each proven over generated policies (hypothesis)."""

from __future__ import annotations

import json
import re
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estate.iam import (
    MANAGED_POLICY_MAX_CHARS,
    RESOURCE_STAR_ACTIONS,
    GitHubSubject,
    PolicyError,
    PullRequests,
    Statement,
    github_oidc_trust_statement,
    github_subject_claims,
    lint_policy,
    policy_json,
    policy_size,
    split_into_managed_policies,
    trust_policy_json,
)
from tests.support.iam_strategies import (
    PROPERTY,
    RESOURCE_LEVEL_ACTIONS,
    STAR_ACTIONS,
    branches,
    environments,
    invalid_repositories,
    repositories,
    statement_sets,
)

PROVIDER = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
SUB = "token.actions.githubusercontent.com:sub"
OBJECTS = "arn:aws:s3:::estate-reports/*"


@PROPERTY
@given(statement_sets())
def test_no_generated_policy_grants_a_wildcard_action(statements: list[Statement]) -> None:
    for statement in json.loads(policy_json(statements))["Statement"]:
        assert all("*" not in action and "?" not in action for action in statement["Action"])


@PROPERTY
@given(
    action=st.sampled_from(RESOURCE_LEVEL_ACTIONS + STAR_ACTIONS),
    position=st.integers(min_value=0, max_value=60),
    wildcard=st.sampled_from(["*", "?"]),
)
def test_any_action_with_a_wildcard_in_it_is_refused(
    action: str, position: int, wildcard: str
) -> None:
    cut = min(position, len(action))
    with pytest.raises(PolicyError, match="is a wildcard"):
        Statement("Wild", (action[:cut] + wildcard + action[cut:],), (OBJECTS,))


@PROPERTY
@given(st.lists(st.sampled_from(RESOURCE_LEVEL_ACTIONS + STAR_ACTIONS), min_size=1, max_size=4))
def test_resource_star_is_accepted_exactly_for_allow_listed_actions(actions: list[str]) -> None:
    if set(actions) <= RESOURCE_STAR_ACTIONS.keys():
        assert Statement("Star", tuple(actions), ("*",)).resources == ("*",)
    else:
        with pytest.raises(PolicyError, match="RESOURCE_STAR_ACTIONS does not list"):
            Statement("Star", tuple(actions), ("*",))


@PROPERTY
@given(statement_sets())
def test_resource_star_appears_only_with_allow_listed_actions(statements: list[Statement]) -> None:
    for statement in json.loads(policy_json(statements))["Statement"]:
        if "*" in statement["Resource"]:
            assert statement["Resource"] == ["*"]
            assert set(statement["Action"]) <= RESOURCE_STAR_ACTIONS.keys()


@settings(PROPERTY, max_examples=25)  # each example is 20-50 statements: fewer, larger ones
@given(statement_sets(min_statements=20, max_statements=50))
def test_statements_fit_one_managed_policy_or_split_into_chunks_that_each_fit(
    statements: list[Statement],
) -> None:
    chunks = split_into_managed_policies(statements)

    for chunk in chunks:
        assert policy_size(policy_json(chunk)) <= MANAGED_POLICY_MAX_CHARS
    assert sorted(s.sid for chunk in chunks for s in chunk) == sorted(s.sid for s in statements)
    whole = policy_size(policy_json(statements, max_chars=10**7))
    assert (len(chunks) == 1) == (whole <= MANAGED_POLICY_MAX_CHARS)


@PROPERTY
@given(statement_sets(), st.randoms(use_true_random=False))
def test_policies_are_deterministic_whatever_the_order_of_statements_actions_and_resources(
    statements: list[Statement], random: Random
) -> None:
    shuffled = []
    for statement in statements:
        actions, resources = list(statement.actions), list(statement.resources)
        random.shuffle(actions)
        random.shuffle(resources)
        shuffled.append(
            Statement(
                statement.sid, tuple(actions), tuple(resources), conditions=statement.conditions
            )
        )
    random.shuffle(shuffled)

    assert policy_json(shuffled) == policy_json(statements)


@PROPERTY
@given(statement_sets())
def test_every_generated_policy_passes_lint(statements: list[Statement]) -> None:
    assert lint_policy(policy_json(statements)) == []


subjects = st.lists(
    st.one_of(st.just(PullRequests()), environments, branches), min_size=1, max_size=4
)


@PROPERTY
@given(repositories, subjects)
def test_oidc_trust_names_exactly_one_repository_and_no_wildcard(
    repository: str, chosen: list[GitHubSubject]
) -> None:
    document = trust_policy_json(
        github_oidc_trust_statement(provider_arn=PROVIDER, repository=repository, subjects=chosen)
    )

    [statement] = json.loads(document)["Statement"]
    claims = statement["Condition"]["StringEquals"][SUB]
    named = {re.fullmatch(r"repo:([^/:]+/[^/:]+):.+", claim).group(1) for claim in claims}  # type: ignore[union-attr]
    assert named == {repository}
    assert all("*" not in claim and "?" not in claim for claim in claims)
    assert set(statement["Condition"]) == {"StringEquals"}
    assert lint_policy(document) == []


@PROPERTY
@given(invalid_repositories())
def test_invalid_repository_strings_are_refused(repository: str) -> None:
    with pytest.raises(PolicyError, match="GitHub repository"):
        github_subject_claims(repository, [PullRequests()])
