"""Condition blocks: built from triples, so two keys can never silently collapse into one."""

from __future__ import annotations

import json

import pytest

from estate.iam import Condition, ConditionOperator, PolicyError, Statement, policy_json

OBJECTS = "arn:aws:s3:::estate-reports/*"
EQUALS = ConditionOperator.STRING_EQUALS


def _condition_of(*conditions: Condition) -> dict[str, dict[str, list[str]]]:
    statement = Statement("Read", ("s3:GetObject",), (OBJECTS,), conditions=conditions)
    [rendered] = json.loads(policy_json([statement]))["Statement"]
    condition: dict[str, dict[str, list[str]]] = rendered["Condition"]
    return condition


def test_given_two_keys_under_one_operator_then_both_are_kept() -> None:
    block = _condition_of(
        Condition(EQUALS, "aws:ResourceAccount", ("111111111111",)),
        Condition(EQUALS, "aws:RequestedRegion", ("eu-west-1",)),
    )

    assert block == {
        "StringEquals": {
            "aws:RequestedRegion": ["eu-west-1"],
            "aws:ResourceAccount": ["111111111111"],
        }
    }


def test_given_the_same_operator_and_key_twice_then_it_is_refused_not_merged() -> None:
    with pytest.raises(
        PolicyError,
        match=r"statement Read: two StringEquals conditions on aws:RequestedRegion; give one",
    ):
        _condition_of(
            Condition(EQUALS, "aws:RequestedRegion", ("eu-west-1",)),
            Condition(EQUALS, "aws:RequestedRegion", ("us-east-1",)),
        )


def test_given_one_key_under_two_operators_then_each_operator_keeps_it() -> None:
    block = _condition_of(
        Condition(EQUALS, "aws:RequestedRegion", ("eu-west-1",)),
        Condition(ConditionOperator.NULL, "aws:RequestedRegion", ("false",)),
    )

    assert block["StringEquals"] == {"aws:RequestedRegion": ["eu-west-1"]}
    assert block["Null"] == {"aws:RequestedRegion": ["false"]}


def test_given_repeated_and_unordered_values_then_they_are_sorted_once_each() -> None:
    block = _condition_of(
        Condition(EQUALS, "aws:RequestedRegion", ("us-east-1", "eu-west-1", "us-east-1"))
    )

    assert block["StringEquals"]["aws:RequestedRegion"] == ["eu-west-1", "us-east-1"]


@pytest.mark.parametrize(
    "operator", ["ForAllValues:StringEquals", "StringEqualsIfExists", "StringEquals "]
)
def test_given_an_operator_outside_the_vocabulary_then_it_is_refused(operator: str) -> None:
    with pytest.raises(PolicyError, match=r"is not one of ConditionOperator"):
        Condition(operator, "aws:RequestedRegion", ("eu-west-1",))  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["", "RequestedRegion", "aws:", "aws:Requested Region"])
def test_given_a_key_not_of_the_form_service_key_then_it_is_refused(key: str) -> None:
    with pytest.raises(PolicyError, match=r"condition key .* is not of the form service:Key"):
        Condition(EQUALS, key, ("eu-west-1",))


def test_given_no_values_then_the_condition_is_refused() -> None:
    with pytest.raises(PolicyError, match=r"has no values; give at least one"):
        Condition(EQUALS, "aws:RequestedRegion", ())


def test_given_an_empty_value_then_the_policy_is_refused() -> None:
    with pytest.raises(PolicyError, match=r"statement Read: condition StringEquals on aws:Req"):
        _condition_of(Condition(EQUALS, "aws:RequestedRegion", ("",)))
