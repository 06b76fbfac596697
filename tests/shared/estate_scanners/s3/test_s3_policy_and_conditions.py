"""Policy documents fold into one statement shape; only fixed, positive source/principal
conditions limit a statement."""

from __future__ import annotations

import json
from typing import Any

import pytest

from estate_scanners.s3.conditions import is_limited, is_limiting
from estate_scanners.s3.policy import Condition, MalformedPolicyError, Principal, parse_policy


def policy(*statements: Any) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_given_every_shorthand_when_parsed_then_lists_principals_actions_and_conditions() -> None:
    text = json.dumps(
        {
            "Statement": {
                "Sid": "One",
                "Effect": "Allow",
                "Principal": {
                    "AWS": ["arn:aws:iam::210987654321:root", "*"],
                    "Service": "s3.amazonaws.com",
                },
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*",
                "Condition": {
                    "Bool": {"aws:SecureTransport": False},
                    "IpAddress": {"AWS:SourceIp": ["10.0.0.0/8"]},
                },
            }
        }
    )

    (statement,) = parse_policy(text)

    assert statement.sid == "One"
    assert statement.principals == (
        Principal("AWS", "arn:aws:iam::210987654321:root"),
        Principal("AWS", "*"),
        Principal("Service", "s3.amazonaws.com"),
    )
    assert statement.actions == ("s3:GetObject",)
    assert statement.resources == ("arn:aws:s3:::b/*",)
    # JSON false becomes IAM's "false"; condition keys are lower-cased (IAM ignores case).
    assert statement.conditions == (
        Condition("Bool", "aws:securetransport", ("false",)),
        Condition("IpAddress", "aws:sourceip", ("10.0.0.0/8",)),
    )


def test_given_not_elements_when_parsed_then_they_are_flagged_as_negations() -> None:
    (statement,) = parse_policy(
        policy(
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": "x"},
                "NotAction": "s3:Get*",
                "NotResource": "r",
            }
        )
    )

    assert (statement.not_principal, statement.not_action, statement.not_resource) == (
        True,
        True,
        True,
    )
    assert statement.as_evidence()["NotAction"] == ["s3:Get*"]


def test_a_bare_star_principal_is_public_and_so_is_aws_star() -> None:
    assert Principal("*", "*").is_public
    assert Principal("AWS", "*").is_public
    assert not Principal("Service", "*").is_public
    assert not Principal("AWS", "arn:aws:iam::210987654321:root").is_public


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "not JSON"),
        ("[]", "not a JSON object"),
        (json.dumps({"Statement": "x"}), "neither an object nor a list"),
        (json.dumps({"Statement": [1]}), "statement 0 is not an object"),
        (json.dumps({"Statement": [{"Principal": 5}]}), "unexpected principal"),
        (json.dumps({"Statement": [{"Condition": []}]}), "Condition that is not an object"),
        (json.dumps({"Statement": [{"Action": [{"a": 1}]}]}), "unexpected policy value"),
    ],
)
def test_given_a_malformed_policy_when_parsed_then_the_error_says_what_is_wrong(
    text: str, reason: str
) -> None:
    with pytest.raises(MalformedPolicyError, match=reason):
        parse_policy(text)


@pytest.mark.parametrize(
    ("condition", "limits"),
    [
        (Condition("IpAddress", "aws:sourceip", ("203.0.113.0/24",)), True),
        (Condition("IpAddress", "aws:sourceip", ("10.0.0.0/8",)), True),
        (Condition("IpAddress", "aws:sourceip", ("0.0.0.0/1",)), False),
        (Condition("IpAddress", "aws:sourceip", ("2001:db8::/32",)), True),
        (Condition("IpAddress", "aws:sourceip", ("::/0",)), False),
        (Condition("IpAddress", "aws:sourceip", ("not-an-ip",)), False),
        (Condition("NotIpAddress", "aws:sourceip", ("203.0.113.0/24",)), False),
        (Condition("StringEquals", "aws:sourcevpce", ("vpce-1a2b3c",)), True),
        (Condition("StringEquals", "aws:sourcevpc", ("vpc-111",)), True),
        (Condition("StringEquals", "aws:principalorgid", ("o-abc123",)), True),
        (Condition("StringEquals", "aws:principalaccount", ("123456789012",)), True),
        (
            Condition(
                "ArnLike", "aws:sourcearn", ("arn:aws:cloudfront::123456789012:distribution/E1",)
            ),
            True,
        ),
        (Condition("ArnLike", "aws:sourcearn", ("arn:aws:cloudfront::*:distribution/*",)), False),
        (Condition("StringLike", "aws:principalorgid", ("o-*",)), False),
        (Condition("StringEquals", "aws:principalaccount", ("${aws:ResourceAccount}",)), False),
        (Condition("StringEqualsIfExists", "aws:sourcevpce", ("vpce-1",)), False),
        (Condition("ForAllValues:StringEquals", "aws:principalorgpaths", ("o-a/r-b/",)), False),
        (Condition("ForAnyValue:StringEquals", "aws:principalorgpaths", ("o-a/r-b/",)), True),
        (Condition("StringNotEquals", "aws:sourcevpce", ("vpce-1",)), False),
        (Condition("StringEquals", "aws:sourcevpce", ()), False),
        (Condition("StringEquals", "s3:prefix", ("home/",)), False),
        (Condition("Bool", "aws:securetransport", ("true",)), False),
    ],
)
def test_which_single_conditions_limit_a_public_statement(
    condition: Condition, limits: bool
) -> None:
    assert is_limiting(condition) is limits


def test_one_limiting_condition_among_others_limits_the_statement() -> None:
    (statement,) = parse_policy(
        policy(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Condition": {
                    "Bool": {"aws:SecureTransport": "true"},
                    "StringEquals": {"aws:SourceVpce": "vpce-1"},
                },
            }
        )
    )

    assert is_limited(statement)
