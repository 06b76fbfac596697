"""Cross-account grants of blocked actions, and TLS-only enforcement, read from bucket policies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from estate_scanners.s3.cross_account import account_of, cross_account_grants
from estate_scanners.s3.facts import BucketPolicy
from estate_scanners.s3.policy import parse_policy
from estate_scanners.s3.transport import tls_enforcement

OWN = "123456789012"
OTHER = "210987654321"
BUCKET_ARN = "arn:aws:s3:::reports"


def policy(*statements: dict[str, Any]) -> BucketPolicy:
    return BucketPolicy(parse_policy(json.dumps({"Statement": list(statements)})))


def allow(principal: Any, action: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*", **extra}


@pytest.mark.parametrize(
    ("value", "account"),
    [
        (OTHER, OTHER),
        (f"arn:aws:iam::{OTHER}:root", OTHER),
        (f"arn:aws:iam::{OTHER}:role/writer", OTHER),
        (f"arn:aws:sts::{OTHER}:assumed-role/r/s", OTHER),
        ("AROAEXAMPLEUNIQUEID", None),
        ("*", None),
    ],
)
def test_the_account_a_principal_names(value: str, account: str | None) -> None:
    assert account_of(value) == account


@pytest.mark.parametrize(
    ("action", "flagged"),
    [
        ("s3:PutObject", True),
        ("s3:DeleteObject", True),
        ("s3:PutBucketPolicy", True),
        ("s3:PutBucketAcl", True),
        ("s3:PutObjectAcl", True),
        ("s3:DeleteBucketPolicy", True),
        ("s3:PutEncryptionConfiguration", True),
        ("s3:*", True),
        ("*", True),
        ("s3:GetObject", False),
        ("s3:ListBucket", False),
        ("s3:ReplicateObject", False),
    ],
)
def test_which_actions_granted_to_another_account_are_blocked(action: str, flagged: bool) -> None:
    grants = cross_account_grants(policy(allow({"AWS": f"arn:aws:iam::{OTHER}:root"}, action)), OWN)

    assert bool(grants) is flagged
    if flagged:
        assert grants[0].accounts == (OTHER,)


def test_own_account_public_and_service_principals_are_not_cross_account() -> None:
    document = policy(
        allow({"AWS": f"arn:aws:iam::{OWN}:role/app"}, "s3:*"),
        allow("*", "s3:PutObject"),
        allow({"Service": "logging.s3.amazonaws.com"}, "s3:PutObject"),
        {"Effect": "Deny", "Principal": {"AWS": OTHER}, "Action": "s3:*", "Resource": "*"},
    )

    assert cross_account_grants(document, OWN) == ()


def test_conditions_do_not_excuse_another_account() -> None:
    document = policy(
        allow(
            {"AWS": OTHER},
            "s3:PutObject",
            Condition={"StringEquals": {"aws:PrincipalOrgID": "o-123"}},
        )
    )

    (grant,) = cross_account_grants(document, OWN)
    assert grant.accounts == (OTHER,)
    assert grant.statement.as_evidence()["Condition"] == [
        {"operator": "StringEquals", "key": "aws:principalorgid", "values": ["o-123"]}
    ]


def deny_insecure(resources: Any, **changes: Any) -> dict[str, Any]:
    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": resources,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    return statement | changes


@pytest.mark.parametrize(
    ("statements", "bucket_covered", "objects_covered"),
    [
        ([deny_insecure([BUCKET_ARN, f"{BUCKET_ARN}/*"])], True, True),
        ([deny_insecure(BUCKET_ARN), deny_insecure(f"{BUCKET_ARN}/*")], True, True),
        ([deny_insecure("*")], True, True),
        ([deny_insecure("arn:aws:s3:::rep*")], True, True),
        ([deny_insecure(BUCKET_ARN)], True, False),
        ([deny_insecure(f"{BUCKET_ARN}/*")], False, True),
        ([deny_insecure(f"{BUCKET_ARN}/logs/*")], False, False),
        ([deny_insecure([BUCKET_ARN, f"{BUCKET_ARN}/*"], Action="s3:GetObject")], False, False),
        ([deny_insecure([BUCKET_ARN, f"{BUCKET_ARN}/*"], Action="*")], True, True),
        ([deny_insecure([BUCKET_ARN, f"{BUCKET_ARN}/*"], Effect="Allow")], False, False),
        (
            [deny_insecure([BUCKET_ARN, f"{BUCKET_ARN}/*"], Principal={"AWS": OTHER})],
            False,
            False,
        ),
        (
            [
                deny_insecure(
                    [BUCKET_ARN, f"{BUCKET_ARN}/*"],
                    Condition={"Bool": {"aws:SecureTransport": "true"}},
                )
            ],
            False,
            False,
        ),
        (
            [
                deny_insecure(
                    [BUCKET_ARN, f"{BUCKET_ARN}/*"],
                    Condition={"BoolIfExists": {"aws:SecureTransport": False}},
                )
            ],
            True,
            True,
        ),
        ([deny_insecure("arn:aws:s3:::REPORTS/*")], False, False),
        (
            [
                deny_insecure(
                    [BUCKET_ARN, f"{BUCKET_ARN}/*"],
                    Condition={
                        "Bool": {"aws:SecureTransport": "false"},
                        "StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"},
                    },
                )
            ],
            False,
            False,
        ),
        (
            [
                deny_insecure(
                    [BUCKET_ARN, f"{BUCKET_ARN}/*"],
                    Condition={
                        "Bool": {"aws:SecureTransport": "false", "aws:ViaAWSService": "false"}
                    },
                )
            ],
            False,
            False,
        ),
        (
            [
                deny_insecure(
                    [BUCKET_ARN, f"{BUCKET_ARN}/*"],
                    Condition={"Bool": {"aws:SecureTransport": ["false", "true"]}},
                )
            ],
            False,
            False,
        ),
        ([deny_insecure([BUCKET_ARN, f"{BUCKET_ARN}/*"], Condition={})], False, False),
        ([deny_insecure([BUCKET_ARN, f"{BUCKET_ARN}/*"], Principal={"AWS": "*"})], True, True),
    ],
)
def test_which_deny_statements_enforce_tls_on_bucket_and_objects(
    statements: list[dict[str, Any]], bucket_covered: bool, objects_covered: bool
) -> None:
    enforcement = tls_enforcement(policy(*statements), BUCKET_ARN)

    assert bool(enforcement.covering_bucket) is bucket_covered
    assert bool(enforcement.covering_objects) is objects_covered
    assert enforcement.enforced is (bucket_covered and objects_covered)


@pytest.mark.parametrize(
    ("condition", "accounts"),
    [
        ({"StringEquals": {"aws:PrincipalAccount": OTHER}}, (OTHER,)),
        ({"StringEquals": {"aws:PrincipalAccount": [OWN, OTHER]}}, (OTHER,)),
        ({"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{OTHER}:role/*"}}, (OTHER,)),
        ({"ForAnyValue:StringEquals": {"aws:PrincipalAccount": [OTHER]}}, (OTHER,)),
        ({"StringEquals": {"aws:PrincipalAccount": OWN}}, ()),
        # A source key names the resource a service acts for, not the caller's account.
        ({"StringEquals": {"aws:SourceAccount": OTHER}}, ()),
        # A negated test admits every other account: the public checks' business.
        ({"StringNotEquals": {"aws:PrincipalAccount": OTHER}}, ()),
        ({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/writer"}}, ()),
    ],
)
def test_a_public_principal_pinned_to_another_account_by_a_condition_is_cross_account(
    condition: dict[str, Any], accounts: tuple[str, ...]
) -> None:
    grants = cross_account_grants(policy(allow("*", "s3:PutObject", Condition=condition)), OWN)

    assert tuple(account for grant in grants for account in grant.accounts) == accounts


def test_a_principal_account_condition_on_an_explicit_principal_adds_no_account() -> None:
    document = policy(
        allow(
            {"AWS": f"arn:aws:iam::{OWN}:role/app"},
            "s3:PutObject",
            Condition={"StringEquals": {"aws:PrincipalAccount": OTHER}},
        )
    )

    assert cross_account_grants(document, OWN) == ()
