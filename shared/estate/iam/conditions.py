"""Condition blocks built from (operator, key, values) triples, never from dict literals.

A dict literal silently keeps the last of two equal keys (ruff F601 catches it): a
trust policy written that way can lose its ``sub`` check. Here every condition is its
own value, and two conditions on the same operator and key are refused, not merged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import pulumi

from estate.iam.errors import PolicyError

# A global key is service:Key; an OIDC provider's keys are its URL's host and path, e.g.
# token.actions.githubusercontent.com:sub or api.pulumi.com/oidc:aud.
_CONDITION_KEY = re.compile(r"^[A-Za-z0-9.-]+(/[A-Za-z0-9.-]+)*:[A-Za-z0-9_./:+=@-]+$")


class ConditionOperator(StrEnum):
    """The condition operators our policies may use.

    Left out on purpose: ``ForAllValues:*`` (true when the key is absent), every
    ``…IfExists`` (true when the key is absent) and the negated ``Not…Like`` forms
    nobody here needs. ``ForAnyValue`` is kept for multivalued keys only
    (e.g. ``aws:TagKeys``); single-valued keys take plain ``StringEquals`` with a list,
    which already means "any of".
    """

    STRING_EQUALS = "StringEquals"
    STRING_NOT_EQUALS = "StringNotEquals"
    STRING_LIKE = "StringLike"
    FOR_ANY_VALUE_STRING_EQUALS = "ForAnyValue:StringEquals"
    ARN_EQUALS = "ArnEquals"
    ARN_LIKE = "ArnLike"
    # For Deny only in practice: true when the key is absent too, so "deny unless the role
    # carries this boundary" also covers roles with no boundary at all.
    ARN_NOT_EQUALS = "ArnNotEquals"
    BOOL = "Bool"
    NULL = "Null"
    NUMERIC_LESS_THAN = "NumericLessThan"
    NUMERIC_GREATER_THAN_EQUALS = "NumericGreaterThanEquals"
    IP_ADDRESS = "IpAddress"


@dataclass(frozen=True)
class Condition:
    """One test of a policy statement: ``operator`` applied to ``key`` against any of ``values``."""

    operator: ConditionOperator
    key: str  # e.g. "aws:SourceAccount", "token.actions.githubusercontent.com:sub"
    values: tuple[pulumi.Input[str], ...]

    def __post_init__(self) -> None:
        if not isinstance(self.operator, ConditionOperator):
            raise PolicyError(
                f"condition operator {self.operator!r} is not one of ConditionOperator; "
                "use a ConditionOperator member"
            )
        if not _CONDITION_KEY.fullmatch(self.key):
            raise PolicyError(
                f"condition key {self.key!r} is not of the form service:Key; "
                "use a documented key such as aws:SourceAccount"
            )
        if not self.values:
            raise PolicyError(
                f"condition {self.operator} on {self.key} has no values; give at least one"
            )


ConditionBlock = dict[str, dict[str, list[str]]]


def condition_block(sid: str, conditions: Sequence[Condition]) -> ConditionBlock:
    """The ``Condition`` element for resolved conditions: operators, keys and values sorted."""
    block: ConditionBlock = {}
    for condition in sorted(conditions, key=lambda item: (item.operator.value, item.key)):
        keys = block.setdefault(condition.operator.value, {})
        if condition.key in keys:
            raise PolicyError(
                f"statement {sid}: two {condition.operator} conditions on {condition.key}; "
                "give one Condition with all the values it may take"
            )
        keys[condition.key] = sorted(set(_resolved_values(sid, condition)))
    return block


def _resolved_values(sid: str, condition: Condition) -> list[str]:
    values: list[str] = []
    for value in condition.values:
        if not isinstance(value, str) or not value:
            raise PolicyError(
                f"statement {sid}: condition {condition.operator} on {condition.key} has "
                f"value {value!r}, not a non-empty string; resolve Outputs with "
                "policy_document, never pass None or ''"
            )
        values.append(value)
    return values
