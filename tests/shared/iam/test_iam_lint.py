"""lint_policy: parliament offline plus our own rules, over any policy document."""

from __future__ import annotations

import json
from typing import Any

import pytest

from estate.iam import (
    Environment,
    Statement,
    github_oidc_trust_statement,
    lint_policy,
    policy_json,
    trust_policy_json,
)

BUCKET = "arn:aws:s3:::estate-reports"
OBJECTS = "arn:aws:s3:::estate-reports/*"


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _issues(findings: list[str]) -> set[str]:
    return {finding.split(" ", 1)[0] for finding in findings}


def test_given_a_generated_least_privilege_policy_then_it_passes() -> None:
    document = policy_json(
        [
            Statement("ReadReports", ("s3:GetObject", "s3:ListBucket"), (OBJECTS, BUCKET)),
            Statement("ListBuckets", ("s3:ListAllMyBuckets", "ec2:DescribeInstances"), ("*",)),
        ]
    )

    assert lint_policy(document) == []


@pytest.mark.parametrize(
    ("statement", "issue"),
    [
        ({"Action": "s3:GetObjekt", "Resource": OBJECTS}, "UNKNOWN_ACTION"),
        ({"Action": "s4:GetObject", "Resource": OBJECTS}, "UNKNOWN_PREFIX"),
        ({"Action": "s3:GetObject", "Resource": BUCKET}, "RESOURCE_MISMATCH"),
        ({"Action": "s3:GetObject", "Resource": "*"}, "RESOURCE_STAR"),
        ({"Action": "*", "Resource": "*"}, "WILDCARD_ACTION"),
        ({"Action": "s3:Get*", "Resource": OBJECTS}, "WILDCARD_ACTION"),
        ({"NotAction": "s3:DeleteObject", "Resource": OBJECTS}, "NOTACTION_USED"),
        ({"Action": "s3:GetObject", "NotResource": BUCKET}, "NOTRESOURCE_USED"),
        ({"Action": "s3:GetObject", "Resource": "estate-reports"}, "INVALID_ARN"),
        ({"Action": "iam:CreateUser", "Resource": "*"}, "RESOURCE_STAR_NOT_LISTED"),
        ({"Action": "s3:PutBucketAcl", "Resource": BUCKET}, "RESOURCE_POLICY_PRIVILEGE_ESCALATION"),
    ],
)
def test_given_a_defect_then_lint_names_its_issue(statement: dict[str, Any], issue: str) -> None:
    findings = lint_policy(_policy({"Sid": "Defect", "Effect": "Allow", **statement}))

    assert issue in _issues(findings), findings


def test_given_a_finding_then_it_reads_issue_severity_and_detail() -> None:
    [finding] = lint_policy(
        _policy({"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": OBJECTS})
    )

    assert finding == "UNKNOWN_ACTION (LOW): Unknown action s3:GetObjekt"


def test_given_an_issue_accepted_by_the_caller_then_only_that_one_is_left_out() -> None:
    document = _policy(
        {"Effect": "Allow", "Action": "s3:PutBucketAcl", "Resource": BUCKET},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    )

    findings = lint_policy(document, accepted_issues={"RESOURCE_POLICY_PRIVILEGE_ESCALATION"})

    assert _issues(findings) == {"RESOURCE_STAR", "RESOURCE_STAR_NOT_LISTED"}


KEY = "arn:aws:kms:eu-west-1:111111111111:key/0a1b2c3d-0000-4000-8000-000000000000"


def test_given_a_key_policy_then_alias_actions_on_the_key_are_no_mismatch_and_others_are() -> None:
    aliases = {"Effect": "Allow", "Action": ["kms:CreateAlias", "kms:Decrypt"], "Resource": KEY}
    wrong = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": BUCKET}

    as_identity_policy = lint_policy(_policy(aliases))
    as_key_policy = lint_policy(_policy(aliases, wrong), key_policy=True)

    assert _issues(as_identity_policy) == {"RESOURCE_MISMATCH"}
    assert "kms:CreateAlias" in as_identity_policy[0]
    assert _issues(as_key_policy) == {"RESOURCE_MISMATCH"}
    assert "s3:GetObject" in as_key_policy[0] and "kms:" not in as_key_policy[0]


def test_given_text_that_is_no_json_then_lint_reports_it() -> None:
    assert _issues(lint_policy('{"Version": ')) == {"MALFORMED_JSON"}


def test_given_a_generated_trust_policy_then_it_passes_the_trust_rules() -> None:
    document = trust_policy_json(
        github_oidc_trust_statement(
            provider_arn="arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
            repository="acme/estate",
            subjects=[Environment("prod")],
        )
    )

    assert lint_policy(document) == []


def test_given_a_trust_policy_open_to_a_whole_organisation_then_lint_flags_it() -> None:
    provider = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
    document = _policy(
        {
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"},
            },
        }
    )

    findings = lint_policy(document)

    assert _issues(findings) == {"TRUST_POLICY"}
    assert any("StringLike" in finding for finding in findings)
