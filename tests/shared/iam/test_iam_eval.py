"""The test evaluator (tests.support.iam_eval) decides as IAM documents, on known cases.

The security tests are only as good as it: each rule it implements has a case here whose
answer is AWS's documented one, and what it does not implement is refused, not guessed.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.iam_eval import Decision, Request, evaluate

BUCKET = "arn:aws:s3:::estate-dev-reports-1"
ROLE = "arn:aws:iam::111111111111:role/estate-dev-x"


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(action: str | list[str], resource: str, **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def _deny(action: str, resource: str, **condition: Any) -> dict[str, Any]:
    return {**_allow(action, resource, **condition), "Effect": "Deny"}


def test_an_explicit_deny_anywhere_wins() -> None:
    identity = _policy(_allow("s3:*", "*"))
    boundary = _policy(_allow("s3:*", "*"), _deny("s3:DeleteBucket", BUCKET))
    request = Request("s3:DeleteBucket", BUCKET)
    assert evaluate(request, identity=[identity], boundary=boundary) is Decision.EXPLICIT_DENY
    assert evaluate(request, identity=[identity], boundary=None) is Decision.ALLOW


def test_identity_policy_and_boundary_must_both_allow() -> None:
    request = Request("s3:GetBucketAcl", BUCKET)
    allows = _policy(_allow("s3:GetBucketAcl", BUCKET))
    nothing = _policy(_allow("s3:ListAllMyBuckets", "*"))
    assert evaluate(request, identity=[allows], boundary=allows) is Decision.ALLOW
    assert evaluate(request, identity=[allows], boundary=nothing) is Decision.IMPLICIT_DENY
    assert evaluate(request, identity=[nothing], boundary=allows) is Decision.IMPLICIT_DENY
    assert evaluate(request, identity=[], boundary=None) is Decision.IMPLICIT_DENY


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("s3:Get*", "s3:GetBucketAcl", True),
        ("S3:getbucketacl", "s3:GetBucketAcl", True),  # actions are case-insensitive
        ("s3:Get?ucketAcl", "s3:GetBucketAcl", True),
        ("s3:Put*", "s3:GetBucketAcl", False),
    ],
)
def test_actions_match_with_wildcards_and_without_case(
    pattern: str, value: str, matches: bool
) -> None:
    decision = evaluate(
        Request(value, BUCKET), identity=[_policy(_allow(pattern, "*"))], boundary=None
    )
    assert (decision is Decision.ALLOW) is matches


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("arn:aws:iam::111111111111:role/estate-dev-*", ROLE, True),
        (
            "arn:aws:iam::111111111111:role/estate-dev-*",
            "arn:aws:iam::111111111111:role/ESTATE-dev-x",
            False,
        ),
        ("arn:aws:s3:::estate-dev-*/*", f"{BUCKET}/key/with:colons", True),
        ("arn:aws:s3:::estate-dev-*/*", BUCKET, False),
    ],
)
def test_resources_match_with_wildcards_and_case(pattern: str, value: str, matches: bool) -> None:
    decision = evaluate(
        Request("s3:GetObject", value),
        identity=[_policy(_allow("s3:GetObject", pattern))],
        boundary=None,
    )
    assert (decision is Decision.ALLOW) is matches


KEY = "iam:PermissionsBoundary"
BOUNDARY = "arn:aws:iam::111111111111:policy/workload"


@pytest.mark.parametrize(
    ("operator", "expected", "context", "holds"),
    [
        ("StringEquals", ["a", "b"], {"k:x": "b"}, True),
        ("StringEquals", ["a"], {"k:x": "A"}, False),
        ("StringEquals", ["a"], {}, False),  # absent key: a positive operator is false
        ("StringNotEquals", ["a"], {}, True),  # absent key: a negated operator is true
        ("StringNotEquals", ["a"], {"k:x": "a"}, False),
        ("StringLike", ["repo:o/r:*"], {"k:x": "repo:o/r:pull_request"}, True),
        ("ArnEquals", [BOUNDARY], {"k:x": BOUNDARY}, True),
        ("ArnLike", ["arn:aws:iam::111111111111:policy/*"], {"k:x": BOUNDARY}, True),
        ("ArnEquals", [BOUNDARY], {"k:x": BOUNDARY + "x"}, False),
        ("ArnNotEquals", [BOUNDARY], {}, True),
        ("ArnNotEquals", [BOUNDARY], {"k:x": BOUNDARY}, False),
        ("ArnNotEquals", [BOUNDARY], {"k:x": "arn:aws:iam::111111111111:policy/other"}, True),
        ("Bool", ["true"], {"k:x": "True"}, True),
        ("Bool", ["false"], {"k:x": "true"}, False),
    ],
)
def test_condition_operators_follow_iam(
    operator: str, expected: list[str], context: dict[str, str], holds: bool
) -> None:
    identity = _policy(_allow("iam:PutRolePolicy", ROLE, **{operator: {"k:x": expected}}))
    decision = evaluate(
        Request("iam:PutRolePolicy", ROLE, context), identity=[identity], boundary=None
    )
    assert (decision is Decision.ALLOW) is holds


def test_several_conditions_must_all_hold() -> None:
    identity = _policy(
        _allow(
            "iam:AttachRolePolicy",
            ROLE,
            ArnEquals={KEY: [BOUNDARY]},
            ArnLike={"iam:PolicyARN": ["arn:aws:iam::111111111111:policy/estate-dev-*"]},
        )
    )
    both = {KEY: BOUNDARY, "iam:PolicyARN": "arn:aws:iam::111111111111:policy/estate-dev-p"}
    assert (
        evaluate(Request("iam:AttachRolePolicy", ROLE, both), identity=[identity], boundary=None)
        is Decision.ALLOW
    )
    one = {KEY: BOUNDARY, "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"}
    assert (
        evaluate(Request("iam:AttachRolePolicy", ROLE, one), identity=[identity], boundary=None)
        is Decision.IMPLICIT_DENY
    )


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "NotAction": "s3:GetObject", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": BUCKET},
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"StringEqualsIfExists": {"k:x": ["a"]}},
        },
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"ForAnyValue:StringEquals": {"k:x": ["a"]}},
        },
    ],
)
def test_what_it_does_not_implement_is_refused_not_guessed(statement: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="iam_eval does not"):
        evaluate(
            Request("s3:GetObject", BUCKET, {"k:x": "a"}),
            identity=[_policy(statement)],
            boundary=None,
        )
