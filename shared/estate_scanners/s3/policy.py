"""A bucket policy document parsed into typed statements.

IAM accepts a string or a list almost everywhere (`Action`, `Resource`, principal
values, condition values) and `Principal: "*"` as shorthand; this module folds all
of those into one shape so the judging code has a single case to handle.

The grammar is IAM's ("Grammar of the IAM JSON policy language", `IAM_GRAMMAR`):
- "If the element takes an array ... but only one value is included, the brackets are
  optional": `Statement`, `Action`, `Resource`, principal and condition values may each
  be one value or a list;
- `<principal_block> = ("Principal" | "NotPrincipal") : ("*" | <principal_map>)`;
- `<condition_value> = ("string" | "number" | "Boolean")`: booleans become IAM's
  "true"/"false", numbers their text;
- condition keys are compared lower-cased (IAM: "condition key names are not
  case-sensitive"); action names ignore case in `wildcards`.
What these parsed shapes mean for "public" is `public_access` and `conditions`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

IAM_GRAMMAR = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"


class MalformedPolicyError(ValueError):
    """The policy text is not a policy document this parser understands."""


@dataclass(frozen=True, slots=True)
class Principal:
    """One principal: its kind (`AWS`, `Service`, `Federated`, `CanonicalUser`, or `*`)."""

    kind: str
    value: str

    @property
    def is_public(self) -> bool:
        """Anyone: `"Principal": "*"` or `{"AWS": "*"}` (IAM, "Principal": "the following
        elements are equivalent"; IAM_GRAMMAR: "you can use * only to specify
        "everyone/anonymous.""). Whether a statement is public is wider: see
        `public_access.read_principal`."""
        return self.value == "*" and self.kind in ("*", "AWS")


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition test: operator, key (lower-cased: IAM keys ignore case) and values."""

    operator: str
    key: str
    values: tuple[str, ...]

    def as_evidence(self) -> dict[str, Any]:
        """The condition as finding evidence."""
        return {"operator": self.operator, "key": self.key, "values": list(self.values)}


@dataclass(frozen=True, slots=True)
class PolicyStatement:
    """One statement. `not_*` flags mean the list is a NotPrincipal/NotAction/NotResource."""

    index: int
    sid: str | None
    effect: str
    principals: tuple[Principal, ...]
    not_principal: bool
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    not_resource: bool
    conditions: tuple[Condition, ...]

    @property
    def allows(self) -> bool:
        """Whether this is an Allow statement."""
        return self.effect == "Allow"

    @property
    def denies(self) -> bool:
        """Whether this is a Deny statement."""
        return self.effect == "Deny"

    def as_evidence(self) -> dict[str, Any]:
        """The statement as finding evidence, in IAM's own vocabulary."""
        return {
            "index": self.index,
            "sid": self.sid,
            "effect": self.effect,
            "NotPrincipal" if self.not_principal else "Principal": [
                f"{p.kind}:{p.value}" if p.kind != "*" else "*" for p in self.principals
            ],
            "NotAction" if self.not_action else "Action": list(self.actions),
            "NotResource" if self.not_resource else "Resource": list(self.resources),
            "Condition": [c.as_evidence() for c in self.conditions],
        }


def parse_policy(text: str) -> tuple[PolicyStatement, ...]:
    """The statements of a policy document given as JSON text."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise MalformedPolicyError(f"policy is not JSON: {error.msg}") from error
    if not isinstance(document, Mapping):
        raise MalformedPolicyError("policy is not a JSON object")
    raw = document.get("Statement", [])
    raw_statements = [raw] if isinstance(raw, Mapping) else raw
    if not isinstance(raw_statements, Sequence) or isinstance(raw_statements, str):
        raise MalformedPolicyError("Statement is neither an object nor a list")
    return tuple(_statement(index, item) for index, item in enumerate(raw_statements))


def _statement(index: int, item: object) -> PolicyStatement:
    if not isinstance(item, Mapping):
        raise MalformedPolicyError(f"statement {index} is not an object")
    not_principal = "NotPrincipal" in item
    not_action = "NotAction" in item
    not_resource = "NotResource" in item
    sid = item.get("Sid")
    return PolicyStatement(
        index=index,
        sid=str(sid) if sid is not None else None,
        effect=str(item.get("Effect", "")),
        principals=_principals(item.get("NotPrincipal" if not_principal else "Principal")),
        not_principal=not_principal,
        actions=_strings(item.get("NotAction" if not_action else "Action")),
        not_action=not_action,
        resources=_strings(item.get("NotResource" if not_resource else "Resource")),
        not_resource=not_resource,
        conditions=_conditions(index, item.get("Condition")),
    )


def _principals(raw: object) -> tuple[Principal, ...]:
    if raw is None:
        return ()
    if raw == "*":
        return (Principal("*", "*"),)
    if isinstance(raw, Mapping):
        return tuple(
            Principal(str(kind), value)
            for kind, values in raw.items()
            for value in _strings(values)
        )
    raise MalformedPolicyError(f"unexpected principal {raw!r}")


def _conditions(index: int, raw: object) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise MalformedPolicyError(f"statement {index} has a Condition that is not an object")
    conditions: list[Condition] = []
    for operator, tests in raw.items():
        if not isinstance(tests, Mapping):
            raise MalformedPolicyError(f"statement {index}: condition {operator} is not an object")
        conditions.extend(
            Condition(str(operator), str(key).lower(), _strings(values))
            for key, values in tests.items()
        )
    return tuple(conditions)


def _strings(raw: object) -> tuple[str, ...]:
    """A policy value as a tuple of strings; JSON booleans become IAM's "true"/"false"."""
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    return tuple(_string(item) for item in items)


def _string(item: object) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, str | int | float):
        return str(item)
    raise MalformedPolicyError(f"unexpected policy value {item!r}")
