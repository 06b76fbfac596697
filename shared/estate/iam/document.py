"""Identity policy documents: deterministic compact JSON from statements, and its Output form.

Ordering is part of the contract: statements sorted by sid, actions, resources and
condition values sorted and de-duplicated, keys in AWS's customary order. The same
statements in any order give the same bytes, so a policy never shows a spurious diff.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import pulumi

from estate.iam.conditions import condition_block
from estate.iam.errors import PolicyError
from estate.iam.limits import MANAGED_POLICY_MAX_CHARS, ensure_within
from estate.iam.statements import Statement

POLICY_VERSION = "2012-10-17"


def policy_json(
    statements: Sequence[Statement], *, max_chars: int = MANAGED_POLICY_MAX_CHARS
) -> str:
    """The policy document of statements whose resources and condition values are plain strings."""
    ordered = _by_unique_sid(statements)
    document = {
        "Version": POLICY_VERSION,
        "Statement": [_rendered(statement) for statement in ordered],
    }
    text = compact_json(document)
    sids = [statement.sid for statement in ordered]
    named = ",".join(sids[:3]) + (f",… ({len(sids)} statements)" if len(sids) > 3 else "")
    ensure_within(text, max_chars=max_chars, what=f"policy {named}")
    return text


def policy_document(
    statements: Sequence[Statement], *, max_chars: int = MANAGED_POLICY_MAX_CHARS
) -> pulumi.Output[str]:
    """The policy document as an Output: resolves ARNs and condition values, then ``policy_json``.

    Every statement is already checked at construction; the resolved values are
    checked again inside the apply, which only renders (it never creates resources).
    """
    statements = tuple(_by_unique_sid(statements))  # refuse early, not inside the apply
    inputs: list[pulumi.Input[str]] = []
    for statement in statements:
        inputs.extend(statement.resources)
        for condition in statement.conditions:
            inputs.extend(condition.values)

    def render(values: list[Any]) -> str:
        remaining = iter(values)
        resolved = [_with_values(statement, remaining) for statement in statements]
        return policy_json(resolved, max_chars=max_chars)

    return pulumi.Output.all(*inputs).apply(render)


def compact_json(document: dict[str, Any]) -> str:
    """JSON without whitespace, as AWS counts a policy's size."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=True)


def _by_unique_sid(statements: Sequence[Statement]) -> list[Statement]:
    if not statements:
        raise PolicyError("a policy needs at least one statement; give one")
    ordered = sorted(statements, key=lambda statement: statement.sid)
    for first, second in itertools.pairwise(ordered):
        if first.sid == second.sid:
            raise PolicyError(f"statement sid {first.sid} appears twice; give each its own sid")
    return ordered


def _rendered(statement: Statement) -> dict[str, Any]:
    for resource in statement.resources:
        if not isinstance(resource, str):
            raise PolicyError(
                f"statement {statement.sid}: resource {resource!r} is no ARN string; "
                "policy_json takes resolved values (policy_document resolves Outputs) "
                "and an Output must not resolve to None"
            )
    rendered: dict[str, Any] = {
        "Sid": statement.sid,
        "Effect": statement.effect.value,
        "Action": sorted(set(statement.actions)),
        "Resource": sorted({str(resource) for resource in statement.resources}),
    }
    if statement.conditions:
        rendered["Condition"] = condition_block(statement.sid, statement.conditions)
    return rendered


def _with_values(statement: Statement, values: Iterator[Any]) -> Statement:
    resources = tuple(next(values) for _ in statement.resources)
    conditions = tuple(
        replace(condition, values=tuple(next(values) for _ in condition.values))
        for condition in statement.conditions
    )
    return replace(statement, resources=resources, conditions=conditions)
