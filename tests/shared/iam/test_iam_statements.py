"""Statements refuse what least privilege forbids, naming the sid, the bad value and the fix."""

from __future__ import annotations

import dataclasses
from typing import Any

import pulumi
import pytest

from estate.iam import Effect, PolicyError, Statement
from estate.iam.resource_star import account_wide_read_actions
from estate.iam.statements import ALL_BUCKETS

BUCKET = "arn:aws:s3:::estate-reports"
OBJECTS = "arn:aws:s3:::estate-reports/*"


def test_given_real_actions_on_their_arns_then_the_statement_is_built() -> None:
    statement = Statement("ReadReports", ("s3:GetObject", "s3:ListBucket"), (OBJECTS, BUCKET))

    assert statement.effect is Effect.ALLOW
    assert statement.actions == ("s3:GetObject", "s3:ListBucket")


def test_given_output_resources_then_the_statement_is_built_before_they_resolve() -> None:
    arn = pulumi.Output.from_input(BUCKET)

    statement = Statement("ListReports", ("s3:ListBucket",), (arn,))

    assert statement.resources == (arn,)


@pytest.mark.parametrize("action", ["*", "s3:*", "s3:Get*", "s3:*Object", "s3:Get?bject"])
def test_given_a_wildcard_action_then_it_is_refused(action: str) -> None:
    with pytest.raises(PolicyError, match=r"statement Wide: action .* is a wildcard; list every"):
        Statement("Wide", ("s3:ListBucket", action), (BUCKET,))


@pytest.mark.parametrize("action", ["GetObject", "s3 GetObject", "s3:Get Object", "S3:GetObject"])
def test_given_an_action_not_of_the_form_service_action_then_it_is_refused(action: str) -> None:
    with pytest.raises(PolicyError, match=r"statement Odd: action .* is not of the form service"):
        Statement("Odd", (action,), (OBJECTS,))


def test_given_an_unknown_action_then_it_is_refused() -> None:
    with pytest.raises(
        PolicyError, match=r"statement Typo: action 's3:GetObjekt' is no IAM action"
    ):
        Statement("Typo", ("s3:GetObjekt",), (OBJECTS,))


def test_given_an_action_in_another_letter_case_then_the_documented_spelling_is_asked_for() -> None:
    with pytest.raises(PolicyError, match=r"'s3:getobject' .* write s3:GetObject"):
        Statement("Case", ("s3:getobject",), (OBJECTS,))


@pytest.mark.parametrize("field", ["actions", "resources"])
def test_given_nothing_to_grant_then_the_statement_is_refused(field: str) -> None:
    arguments: dict[str, Any] = {"actions": ("s3:GetObject",), "resources": (OBJECTS,)}
    arguments[field] = ()

    with pytest.raises(PolicyError, match=rf"statement Empty: {field} \(\); give a non-empty"):
        Statement("Empty", **arguments)


def test_given_one_string_instead_of_a_tuple_then_it_is_refused_by_name() -> None:
    with pytest.raises(PolicyError, match=r"actions 's3:GetObject'; give a non-empty tuple"):
        Statement("Bare", "s3:GetObject", (OBJECTS,))  # type: ignore[arg-type]


def test_given_resource_star_for_a_scoped_action_then_it_is_refused_with_the_fix() -> None:
    with pytest.raises(
        PolicyError,
        match=r"statement Star: resource '\*' for s3:GetObject, which RESOURCE_STAR_ACTIONS "
        r"does not list; name the resources' ARNs",
    ):
        Statement("Star", ("s3:ListAllMyBuckets", "s3:GetObject"), ("*",))


def test_given_resource_star_for_allow_listed_actions_then_it_is_built() -> None:
    statement = Statement("ListAll", ("s3:ListAllMyBuckets", "ec2:DescribeInstances"), ("*",))

    assert statement.resources == ("*",)


def test_given_resource_star_beside_an_arn_then_it_is_refused() -> None:
    with pytest.raises(PolicyError, match=r"statement Mixed: resource '\*' beside other resources"):
        Statement("Mixed", ("s3:ListAllMyBuckets",), ("*", BUCKET))


def test_given_an_account_wide_action_on_an_arn_then_it_is_refused() -> None:
    # AWS would grant nothing: ListAllMyBuckets only works on "*".
    with pytest.raises(
        PolicyError, match=r"action s3:ListAllMyBuckets supports no resource-level permission"
    ):
        Statement("Useless", ("s3:ListAllMyBuckets",), (BUCKET,))


@pytest.mark.parametrize("resource", ["estate-reports", "", "arn:aws:s3", "s3://estate-reports"])
def test_given_a_resource_that_is_no_arn_then_it_is_refused(resource: str) -> None:
    with pytest.raises(PolicyError, match=r"statement Name: resource .* is not an ARN"):
        Statement("Name", ("s3:ListBucket",), (resource,))


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:s3:::*",
        "arn:aws:s3:::*/*",
        "arn:aws:s3:::?",
        "arn:aws:s3:*::estate-reports",
        "arn:aws:dynamodb:*:*:table/t",
    ],
)
def test_given_an_arn_with_wildcards_outside_its_resource_part_then_it_is_refused(
    resource: str,
) -> None:
    refusal = r"statement Broad: resource .* (is not an ARN|matches resources of any name)"
    with pytest.raises(PolicyError, match=refusal):
        Statement("Broad", ("s3:ListBucket", "dynamodb:GetItem"), (resource,))


@pytest.mark.parametrize(
    "resource", ["arn:aws:s3:::estate-dev-*", "arn:aws:iam::111111111111:role/estate-dev-*"]
)
def test_given_a_name_prefix_pattern_then_it_is_accepted(resource: str) -> None:
    # Roles that manage resources not created yet (deploy roles) can only name a prefix.
    statement = Statement("Prefix", ("s3:ListBucket", "iam:GetRole"), (resource,))

    assert statement.resources == (resource,)


@pytest.mark.parametrize("sid", ["", "read-reports", "Read Reports", "x" * 129])
def test_given_a_sid_aws_would_reject_then_it_is_refused(sid: str) -> None:
    with pytest.raises(PolicyError, match=r"statement sid .* is not 1-128 letters and digits"):
        Statement(sid, ("s3:GetObject",), (OBJECTS,))


@pytest.mark.parametrize("element", ["not_actions", "not_resources", "principal"])
def test_given_identity_policies_then_not_elements_and_principals_cannot_be_expressed(
    element: str,
) -> None:
    assert element not in {field.name for field in dataclasses.fields(Statement)}
    with pytest.raises(TypeError):
        Statement("Elem", ("s3:GetObject",), (OBJECTS,), **{element: ("s3:PutObject",)})  # type: ignore[arg-type]


def test_given_a_built_statement_then_it_cannot_be_widened_afterwards() -> None:
    statement = Statement("Frozen", ("s3:GetObject",), (OBJECTS,))

    with pytest.raises(dataclasses.FrozenInstanceError):
        statement.actions = ("s3:GetObject", "s3:DeleteObject")  # type: ignore[misc]
    with pytest.raises(PolicyError, match="is a wildcard"):
        dataclasses.replace(statement, actions=("s3:*",))


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:iam::111111111111:role/*",
        "arn:aws:lambda:eu-west-1:111111111111:function:*",
        "arn:aws:dynamodb:eu-west-1:111111111111:table/*",
        "arn:aws:s3:::*",
    ],
)
def test_a_resource_type_followed_only_by_a_wildcard_is_refused(resource: str) -> None:
    with pytest.raises(PolicyError, match="matches resources of any name"):
        Statement("Broad", ("iam:GetRole",), (resource,))


def test_an_arn_without_the_account_of_an_account_scoped_service_is_refused() -> None:
    with pytest.raises(PolicyError, match="names no account"):
        Statement("NoAccount", ("iam:GetRole",), ("arn:aws:iam:::role/estate-dev-deploy",))


def test_a_name_prefix_wildcard_is_accepted() -> None:
    statement = Statement(
        "Prefix", ("iam:GetRole",), ("arn:aws:iam::111111111111:role/estate-dev-*",)
    )
    assert statement.resources == ("arn:aws:iam::111111111111:role/estate-dev-*",)


def test_every_bucket_may_be_named_only_for_the_scanners_bucket_reads() -> None:
    reads = tuple(sorted(account_wide_read_actions()))
    assert "s3:GetBucketPolicy" in reads and all(a.startswith("s3:Get") for a in reads)
    Statement("ScanBuckets", reads, (ALL_BUCKETS,))
    for action in ("s3:PutBucketPolicy", "s3:DeleteBucket", "s3:ListBucket"):
        with pytest.raises(PolicyError, match="matches resources of any name"):
            Statement("Wide", (*reads, action), (ALL_BUCKETS,))
    with pytest.raises(PolicyError, match="matches resources of any name"):
        Statement("Objects", ("s3:GetObject",), ("arn:aws:s3:::*/*",))


def test_a_log_group_path_is_a_name_not_an_empty_wildcard() -> None:
    Statement(
        "Logs",
        ("logs:PutLogEvents",),
        ("arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/estate-dev-*",),
    )
