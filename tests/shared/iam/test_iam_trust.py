"""Service and cross-account trust, and the rules every trust policy is held to."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pulumi
import pytest

from estate.iam import (
    Condition,
    ConditionOperator,
    Environment,
    PolicyError,
    PrincipalKind,
    TrustStatement,
    github_oidc_trust_statement,
    role_trust,
    role_trust_statement,
    roles_of_account_trust_statement,
    service_trust,
    service_trust_statement,
    trust_policy_json,
    trust_policy_problems,
)
from tests.support.iam_pulumi import Resolve

ACCOUNT = "111111111111"
FUNCTION_ARN = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:estate-s3-analyzer"
SCANNER_ROLE = "arn:aws:iam::222222222222:role/estate-scanner"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"


def _statement(trust: TrustStatement) -> dict[str, Any]:
    [statement] = json.loads(trust_policy_json(trust))["Statement"]
    result: dict[str, Any] = statement
    return result


def test_given_a_service_with_both_guards_then_both_confused_deputy_conditions_apply() -> None:
    statement = _statement(
        service_trust_statement(
            "scheduler.amazonaws.com", source_account=ACCOUNT, source_arn=FUNCTION_ARN
        )
    )

    assert statement["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {
        "ArnEquals": {"aws:SourceArn": [FUNCTION_ARN]},
        "StringEquals": {"aws:SourceAccount": [ACCOUNT]},
    }


def test_given_a_service_with_explicit_none_then_no_condition_is_written() -> None:
    statement = _statement(
        service_trust_statement("lambda.amazonaws.com", source_account=None, source_arn=None)
    )

    assert "Condition" not in statement


def test_given_a_service_then_the_guards_must_be_named_even_when_none() -> None:
    with pytest.raises(TypeError):
        service_trust_statement("lambda.amazonaws.com")  # type: ignore[call-arg]


@pytest.mark.parametrize("service", ["lambda", "*.amazonaws.com", "lambda.amazonaws.com.evil.io"])
def test_given_a_service_that_is_no_service_principal_then_it_is_refused(service: str) -> None:
    with pytest.raises(PolicyError, match=r"service trust: .* is not a service principal"):
        service_trust_statement(service, source_account=None, source_arn=None)


@pytest.mark.parametrize("account", ["11111111111", "*", "1111111111111", "abcdefghijkl"])
def test_given_a_source_account_that_is_no_account_id_then_it_is_refused(account: str) -> None:
    with pytest.raises(PolicyError, match=r"source_account .* is not a 12-digit account id"):
        service_trust_statement("lambda.amazonaws.com", source_account=account, source_arn=None)


def test_given_a_source_arn_output_then_the_service_trust_resolves_it(resolve: Resolve) -> None:
    def program() -> pulumi.Output[str]:
        arn = pulumi.Output.from_input(FUNCTION_ARN)
        return service_trust("scheduler.amazonaws.com", source_account=None, source_arn=arn)

    [statement] = json.loads(resolve(program))["Statement"]

    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": [FUNCTION_ARN]}}


def test_given_a_scanner_role_then_the_trust_requires_its_external_id() -> None:
    statement = _statement(role_trust_statement(SCANNER_ROLE, "estate-scanner-fleet"))

    assert statement["Principal"] == {"AWS": SCANNER_ROLE}
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": ["estate-scanner-fleet"]}}


@pytest.mark.parametrize("external_id", ["", "x", "estate*", "estate scanner", "?" * 8])
def test_given_an_external_id_aws_would_reject_then_it_is_refused(external_id: str) -> None:
    with pytest.raises(PolicyError, match=r"role trust: external id .* is not 2-1224"):
        role_trust_statement(SCANNER_ROLE, external_id)


@pytest.mark.parametrize(
    "principal",
    ["*", "222222222222", "arn:aws:iam::222222222222:user/u"],
)
def test_given_a_principal_that_is_not_one_role_then_the_trust_is_refused(
    resolve: Resolve, principal: str
) -> None:
    def program() -> pulumi.Output[str]:
        return role_trust(pulumi.Output.from_input(principal), "estate-scanner-fleet")

    with pytest.raises(PolicyError, match=r"must be one role ARN"):
        resolve(program)


def test_given_a_trust_policy_over_its_quota_then_it_is_refused() -> None:
    environments = [Environment(f"environment{index:03d}") for index in range(60)]
    statement = github_oidc_trust_statement(
        provider_arn=PROVIDER, repository="acme/estate", subjects=environments
    )

    with pytest.raises(PolicyError, match=r"trust policy TrustGitHubActions: \d+ characters, over"):
        trust_policy_json(statement)


def test_given_a_hand_built_statement_that_widens_trust_then_rendering_refuses_it() -> None:
    widened = TrustStatement(
        sid="Wide",
        principal_kind=PrincipalKind.FEDERATED,
        principal=PROVIDER,
        action="sts:AssumeRoleWithWebIdentity",
        conditions=(
            Condition(
                ConditionOperator.STRING_LIKE,
                "token.actions.githubusercontent.com:sub",
                ("repo:acme/*",),
            ),
        ),
    )

    with pytest.raises(PolicyError, match=r"trust policy statement Wide: condition operator"):
        trust_policy_json(widened)


GOOD_GITHUB_TRUST = json.loads(
    trust_policy_json(
        github_oidc_trust_statement(
            provider_arn=PROVIDER, repository="acme/estate", subjects=[Environment("prod")]
        )
    )
)
SUB = "token.actions.githubusercontent.com:sub"


def _widened(change: str) -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(GOOD_GITHUB_TRUST)
    statement = document["Statement"][0]
    equals = statement["Condition"]["StringEquals"]
    if change == "no sub":
        del equals[SUB]
    elif change == "like":
        statement["Condition"]["StringLike"] = {SUB: equals.pop(SUB)}
    elif change == "for all values":
        statement["Condition"]["ForAllValues:StringEquals"] = {SUB: equals.pop(SUB)}
    elif change == "wildcard":
        equals[SUB] = ["repo:acme/*"]
    elif change == "principal star":
        statement["Principal"] = {"AWS": "*"}
    elif change == "resource":
        statement["Resource"] = "*"
    elif change == "assume role":
        statement["Action"] = "sts:AssumeRole"
    return document


def test_given_a_generated_trust_then_it_has_no_problem() -> None:
    assert trust_policy_problems(GOOD_GITHUB_TRUST) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("no sub", r"needs a StringEquals token.actions.githubusercontent.com:sub condition"),
        ("like", r"condition operator StringLike .* admits more than it names"),
        ("for all values", r"condition operator ForAllValues:StringEquals .* admits more"),
        ("wildcard", r"value 'repo:acme/\*' is empty or a wildcard"),
        ("principal star", r"AWS principal '\*' must be one role ARN"),
        ("resource", r"has Resource, which a trust statement must not"),
        ("assume role", r"Federated principal is assumed with sts:AssumeRoleWithWebIdentity"),
    ],
)
def test_given_a_trust_widened_by_hand_then_the_rules_name_the_problem(
    change: str, problem: str
) -> None:
    problems = trust_policy_problems(_widened(change))

    assert any(re.search(problem, found) for found in problems), problems


def test_given_an_account_root_without_named_roles_then_the_trust_is_refused(
    resolve: Resolve,
) -> None:
    def program() -> pulumi.Output[str]:
        return role_trust("arn:aws:iam::222222222222:root", "estate-scanner-fleet")

    with pytest.raises(PolicyError, match=r"needs an ArnEquals aws:PrincipalArn condition"):
        resolve(program)


def test_given_named_roles_of_an_account_then_only_they_may_assume_with_the_external_id() -> None:
    roles = ["arn:aws:iam::222222222222:role/b", "arn:aws:iam::222222222222:role/a"]
    document = json.loads(
        trust_policy_json(roles_of_account_trust_statement("222222222222", roles, "id-1"))
    )
    (statement,) = document["Statement"]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::222222222222:root"}
    assert statement["Condition"] == {
        "ArnEquals": {"aws:PrincipalArn": sorted(roles)},
        "StringEquals": {"sts:ExternalId": ["id-1"]},
    }
    assert trust_policy_problems(document) == []


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (["arn:aws:iam::222222222222:role/*"], "not a role ARN in account 222222222222"),
        (["arn:aws:iam::333333333333:role/a"], "not a role ARN in account 222222222222"),
        ([], "give a non-empty list"),
    ],
)
def test_given_roles_that_are_not_exact_roles_of_the_account_then_they_are_refused(
    roles: list[str], expected: str
) -> None:
    with pytest.raises(PolicyError, match=expected):
        roles_of_account_trust_statement("222222222222", roles, "id-1")


def test_given_a_root_principal_naming_roles_with_a_wildcard_then_the_rules_refuse_it() -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "ArnEquals": {"aws:PrincipalArn": ["arn:aws:iam::222222222222:role/*"]},
                    "StringEquals": {"sts:ExternalId": ["id-1"]},
                },
            }
        ],
    }
    problems = trust_policy_problems(document)
    assert any("empty or a wildcard" in p for p in problems)
