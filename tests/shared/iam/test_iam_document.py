"""policy_json: deterministic compact documents from resolved statements."""

from __future__ import annotations

import json

import pulumi
import pytest

from estate.iam import (
    Condition,
    ConditionOperator,
    Effect,
    PolicyError,
    Statement,
    policy_json,
)

BUCKET = "arn:aws:s3:::estate-reports"
OBJECTS = "arn:aws:s3:::estate-reports/*"


def test_given_statements_then_the_document_is_version_2012_with_sorted_statements() -> None:
    document = json.loads(
        policy_json(
            [
                Statement("WriteReports", ("s3:PutObject", "s3:AbortMultipartUpload"), (OBJECTS,)),
                Statement("ListBuckets", ("s3:ListAllMyBuckets",), ("*",)),
            ]
        )
    )

    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ListBuckets",
                "Effect": "Allow",
                "Action": ["s3:ListAllMyBuckets"],
                "Resource": ["*"],
            },
            {
                "Sid": "WriteReports",
                "Effect": "Allow",
                "Action": ["s3:AbortMultipartUpload", "s3:PutObject"],
                "Resource": [OBJECTS],
            },
        ],
    }


def test_given_repeated_actions_and_resources_then_each_appears_once() -> None:
    statement = Statement(
        "Read", ("s3:GetObject", "s3:ListBucket", "s3:GetObject"), (OBJECTS, BUCKET, OBJECTS)
    )

    [rendered] = json.loads(policy_json([statement]))["Statement"]

    assert rendered["Action"] == ["s3:GetObject", "s3:ListBucket"]
    assert rendered["Resource"] == [BUCKET, OBJECTS]


def test_given_a_deny_with_conditions_then_both_are_rendered() -> None:
    statement = Statement(
        "DenyOtherRegions",
        ("s3:PutObject",),
        (OBJECTS,),
        effect=Effect.DENY,
        conditions=(
            Condition(ConditionOperator.STRING_NOT_EQUALS, "aws:RequestedRegion", ("eu-west-1",)),
        ),
    )

    [rendered] = json.loads(policy_json([statement]))["Statement"]

    assert rendered["Effect"] == "Deny"
    assert rendered["Condition"] == {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}


def test_given_any_policy_then_it_is_written_without_white_space() -> None:
    text = policy_json([Statement("Read", ("s3:GetObject",), (OBJECTS,))])

    assert not any(character.isspace() for character in text)


def test_given_the_same_sid_twice_then_the_policy_is_refused() -> None:
    with pytest.raises(PolicyError, match=r"statement sid Read appears twice"):
        policy_json(
            [
                Statement("Read", ("s3:GetObject",), (OBJECTS,)),
                Statement("Read", ("s3:ListBucket",), (BUCKET,)),
            ]
        )


def test_given_no_statement_then_the_policy_is_refused() -> None:
    with pytest.raises(PolicyError, match=r"at least one statement"):
        policy_json([])


def test_given_an_unresolved_output_then_policy_json_refuses_it() -> None:
    unresolved = Statement("Read", ("s3:GetObject",), (pulumi.Output.from_input(OBJECTS),))

    with pytest.raises(PolicyError, match=r"statement Read: resource .* is no ARN string"):
        policy_json([unresolved])


def test_given_none_for_a_resource_then_the_statement_is_refused() -> None:
    with pytest.raises(PolicyError, match=r"statement Read: resource None is neither an ARN nor"):
        Statement("Read", ("s3:GetObject",), (None,))  # type: ignore[arg-type]


def test_given_a_document_over_the_limit_then_it_is_refused_with_its_size() -> None:
    statement = Statement("Read", ("s3:GetObject",), (OBJECTS,))
    size = len(policy_json([statement]))

    assert policy_json([statement], max_chars=size)
    with pytest.raises(PolicyError, match=rf"policy Read: {size} characters, over .* {size - 1}"):
        policy_json([statement], max_chars=size - 1)


def test_given_many_statements_over_the_limit_then_the_message_stays_one_short_line() -> None:
    statements = [Statement(f"Read{index}", ("s3:GetObject",), (OBJECTS,)) for index in range(9)]

    with pytest.raises(PolicyError, match=r"^policy Read0,Read1,Read2,… \(9 statements\): \d+"):
        policy_json(statements, max_chars=100)
