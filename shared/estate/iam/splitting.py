"""Statements packed into as few managed policies as fit under IAM's size quota.

How many ``ManagedPolicy`` resources a program declares must be known before any
Output resolves (no resources inside ``apply``), so the packing estimates each
unresolved value at ``unresolved_chars`` characters. The estimate is a plan, not a
proof: ``policy_document`` checks the real size once the ARNs are known, and fails
the deployment with a clear message if an ARN was longer than its budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pulumi

from estate.iam.conditions import Condition
from estate.iam.document import POLICY_VERSION, compact_json, policy_json
from estate.iam.errors import PolicyError
from estate.iam.limits import MANAGED_POLICY_MAX_CHARS, policy_size
from estate.iam.statements import Statement

UNRESOLVED_VALUE_CHARS = 200
"""Budget per unresolved ARN: names from estate.naming keep ARNs well below this."""

_EMPTY_DOCUMENT_CHARS = policy_size(compact_json({"Version": POLICY_VERSION, "Statement": []}))


def split_into_managed_policies(
    statements: Sequence[Statement],
    *,
    max_chars: int = MANAGED_POLICY_MAX_CHARS,
    unresolved_chars: int = UNRESOLVED_VALUE_CHARS,
) -> tuple[tuple[Statement, ...], ...]:
    """Statements grouped (in sid order) so that each group's document stays under ``max_chars``.

    Raises PolicyError if one statement alone cannot fit: split its resources instead.
    """
    if not statements:
        raise PolicyError("nothing to split: give at least one statement")
    groups: list[list[Statement]] = []
    group_chars = 0
    for statement in sorted(statements, key=lambda item: item.sid):
        chars = _statement_chars(statement, unresolved_chars)
        if _EMPTY_DOCUMENT_CHARS + chars > max_chars:
            raise PolicyError(
                f"statement {statement.sid}: about {chars} characters alone, over the "
                f"{max_chars} a managed policy holds; split its resources over several statements"
            )
        # Statements after the first are separated by one comma.
        if groups and group_chars + 1 + chars <= max_chars:
            groups[-1].append(statement)
            group_chars += 1 + chars
        else:
            groups.append([statement])
            group_chars = _EMPTY_DOCUMENT_CHARS + chars
    return tuple(tuple(group) for group in groups)


def _statement_chars(statement: Statement, unresolved_chars: int) -> int:
    """Size of the statement's JSON, each unresolved value counted at its budget."""
    placeholders = _Placeholders(unresolved_chars)
    estimated = replace(
        statement,
        resources=tuple(placeholders.arn(value) for value in statement.resources),
        conditions=tuple(_estimated(condition, placeholders) for condition in statement.conditions),
    )
    document = policy_json([estimated], max_chars=2**31)
    return policy_size(document) - _EMPTY_DOCUMENT_CHARS


def _estimated(condition: Condition, placeholders: _Placeholders) -> Condition:
    return replace(condition, values=tuple(placeholders.text(v) for v in condition.values))


class _Placeholders:
    """Distinct stand-ins of a fixed length for values not known yet (distinct: no de-dup)."""

    def __init__(self, chars: int) -> None:
        self._chars = chars
        self._issued = 0

    def arn(self, value: pulumi.Input[str]) -> pulumi.Input[str]:
        return value if isinstance(value, str) else "arn:aws:estate:::" + self._unique(17)

    def text(self, value: pulumi.Input[str]) -> pulumi.Input[str]:
        return value if isinstance(value, str) else self._unique(0)

    def _unique(self, prefix_chars: int) -> str:
        self._issued += 1
        return str(self._issued).rjust(max(self._chars - prefix_chars, 1), "x")
