"""policy_document: ARNs arrive as Outputs of real resources and resolve under Pulumi mocks."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from estate.iam import (
    Condition,
    ConditionOperator,
    PolicyError,
    Statement,
    policy_document,
)
from tests.support.iam_pulumi import RecordingMocks, Resolve


def _reports_policy() -> pulumi.Output[str]:
    bucket = aws.s3.Bucket("estate-reports")
    return policy_document(
        [
            Statement("WriteReports", ("s3:PutObject",), (pulumi.Output.concat(bucket.arn, "/*"),)),
            Statement("ListReports", ("s3:ListBucket",), (bucket.arn,)),
        ]
    )


def test_given_a_buckets_arn_outputs_then_the_document_names_the_resolved_arns(
    resolve: Resolve,
) -> None:
    document = json.loads(resolve(_reports_policy))

    resources = {statement["Sid"]: statement["Resource"] for statement in document["Statement"]}
    assert resources == {
        "ListReports": ["arn:aws:s3:::estate-reports"],
        "WriteReports": ["arn:aws:s3:::estate-reports/*"],
    }


def test_given_a_policy_document_then_it_creates_no_resource_of_its_own(
    resolve: Resolve, mocks: RecordingMocks
) -> None:
    resolve(_reports_policy)

    assert mocks.created == ["aws:s3/bucket:Bucket::estate-reports"]


def test_given_output_condition_values_then_they_resolve_too(resolve: Resolve) -> None:
    def program() -> pulumi.Output[str]:
        account = pulumi.Output.from_input("111111111111")
        return policy_document(
            [
                Statement(
                    "Read",
                    ("s3:GetObject",),
                    ("arn:aws:s3:::estate-reports/*",),
                    conditions=(
                        Condition(
                            ConditionOperator.STRING_EQUALS, "aws:ResourceAccount", (account,)
                        ),
                    ),
                )
            ]
        )

    [statement] = json.loads(resolve(program))["Statement"]

    assert statement["Condition"] == {"StringEquals": {"aws:ResourceAccount": ["111111111111"]}}


def test_given_the_same_statements_as_plain_strings_then_both_paths_agree(resolve: Resolve) -> None:
    from estate.iam import policy_json

    plain = policy_json(
        [
            Statement("WriteReports", ("s3:PutObject",), ("arn:aws:s3:::estate-reports/*",)),
            Statement("ListReports", ("s3:ListBucket",), ("arn:aws:s3:::estate-reports",)),
        ]
    )

    assert resolve(_reports_policy) == plain


def test_given_a_secret_arn_then_the_document_stays_secret(resolve: Resolve) -> None:
    def program() -> pulumi.Output[Any]:
        secret_arn = pulumi.Output.secret("arn:aws:s3:::estate-reports/*")
        document = policy_document([Statement("Read", ("s3:GetObject",), (secret_arn,))])
        return pulumi.Output.from_input(document.is_secret())

    assert resolve(program) is True


@pytest.mark.parametrize(
    ("resolved", "message"),
    [
        ("*", r"statement Read: resource '\*' for s3:GetObject, which RESOURCE_STAR_ACTIONS"),
        (None, r"statement Read: resource None is neither an ARN nor an Output"),
        ("estate-reports", r"statement Read: resource 'estate-reports' is not an ARN"),
    ],
)
def test_given_an_output_resolving_to_a_bad_resource_then_the_deployment_fails_with_the_fix(
    resolve: Resolve, resolved: str | None, message: str
) -> None:
    def program() -> pulumi.Output[str]:
        return policy_document(
            [Statement("Read", ("s3:GetObject",), (pulumi.Output.from_input(resolved),))]  # type: ignore[arg-type]
        )

    with pytest.raises(PolicyError, match=message):
        resolve(program)


def test_given_duplicate_sids_then_policy_document_refuses_before_anything_resolves() -> None:
    arn = pulumi.Output.from_input("arn:aws:s3:::estate-reports/*")

    with pytest.raises(PolicyError, match=r"statement sid Read appears twice"):
        policy_document(
            [
                Statement("Read", ("s3:GetObject",), (arn,)),
                Statement("Read", ("s3:GetObjectVersion",), (arn,)),
            ]
        )
