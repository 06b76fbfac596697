"""The IAM action catalogue: real actions exist, patterns and typos do not."""

from __future__ import annotations

import importlib.util

import pytest

from estate.iam import action_catalogue, action_exists
from estate.iam import catalogue as catalogue_module


@pytest.mark.parametrize(
    "action",
    ["s3:GetObject", "s3:ListAllMyBuckets", "ec2:DescribeInstances", "dynamodb:PutItem"],
)
def test_given_a_documented_action_then_it_exists(action: str) -> None:
    assert action_exists(action)


def test_given_another_letter_case_then_it_exists_as_iam_compares_names() -> None:
    assert action_exists("s3:getobject")
    assert action_catalogue().canonical("s3:getobject") == "s3:GetObject"


@pytest.mark.parametrize(
    "action", ["s3:*", "s3:Get*", "*", "s3:GetObjekt", "s4:GetObject", "s3:", "GetObject", ""]
)
def test_given_a_pattern_or_typo_then_it_does_not_exist(action: str) -> None:
    assert not action_exists(action)


def test_given_an_object_action_then_its_required_resource_type_is_an_object_arn() -> None:
    info = action_catalogue().info("s3:GetObject")

    assert info is not None
    required = [kind for kind in info.resource_types if kind.required]
    assert [kind.name for kind in required] == ["object"]
    assert required[0].arn_format == "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    assert info.supports_resource_level_permissions


def test_given_an_account_wide_action_then_it_supports_no_resource_level_permission() -> None:
    info = action_catalogue().info("s3:ListAllMyBuckets")

    assert info is not None
    assert info.resource_types == ()
    assert not info.supports_resource_level_permissions


def test_given_a_prefix_documented_by_two_services_then_resource_types_are_their_union() -> None:
    # API Gateway v1 and v2 share the "apigateway" prefix; GET must know both kinds of API.
    info = action_catalogue().info("apigateway:GET")

    assert info is not None
    names = {kind.name for kind in info.resource_types}
    assert {"RestApi", "Api"} <= names


def test_given_parliament_missing_then_the_error_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda _name: None)

    with pytest.raises(RuntimeError, match=r"parliament is not installed.*make env"):
        catalogue_module.definition_path()
