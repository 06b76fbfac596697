"""A small IAM evaluator for the identity policies and boundaries our generators emit.

``evaluate(request, identity=[...], boundary=...)`` follows IAM's rules for one principal
in its own account: an explicit Deny in any policy wins; otherwise the request is allowed
only if an identity policy allows it AND the permission boundary (when there is one)
allows it too.

What it understands (all our generators can write):
- ``Action`` and ``Resource`` as a string or a list, with ``*`` and ``?`` wildcards;
  actions compare case-insensitively, resources case-sensitively;
- ``Condition`` operators ``StringEquals``, ``StringNotEquals``, ``StringLike``,
  ``ArnEquals``, ``ArnLike`` (both compare the six ARN parts separately, wildcards
  allowed, as IAM documents), ``ArnNotEquals`` and ``Bool``; several operators and keys
  are ANDed, several values of one key ORed; a key missing from the request makes a
  positive operator false and a negated one (``…NotEquals``) true, as in IAM.

Its limits, on purpose: no ``NotAction``/``NotResource``/``Principal`` (our identity
policies cannot carry them: it raises), no ``…IfExists``, ``ForAnyValue``/``ForAllValues``,
numeric, date or IP operators, no policy variables (``${aws:username}``), and nothing
outside the principal's own policies: no resource policies, SCPs/RCPs, session policies
or trust policies. It answers "do these policies allow it", not "would AWS".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from estate.plan.runner import RecordedResource, StackRun

Document = Mapping[str, Any]


class Decision(StrEnum):
    """How IAM decides one request."""

    ALLOW = "allow"
    EXPLICIT_DENY = "explicit deny"
    IMPLICIT_DENY = "implicit deny"


@dataclass(frozen=True)
class Request:
    """One API request: the action, the resource ARN, and the condition keys in its context."""

    action: str
    resource: str
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)


def evaluate(
    request: Request, *, identity: Iterable[Document], boundary: Document | None
) -> Decision:
    """IAM's decision for ``request`` under these identity policies and boundary."""
    identity = list(identity)
    documents = [*identity, *([boundary] if boundary is not None else [])]
    if any(_matches(s, request) for d in documents for s in _statements(d, "Deny")):
        return Decision.EXPLICIT_DENY
    allowed = any(_matches(s, request) for d in identity for s in _statements(d, "Allow"))
    bounded = boundary is None or any(_matches(s, request) for s in _statements(boundary, "Allow"))
    return Decision.ALLOW if allowed and bounded else Decision.IMPLICIT_DENY


def _statements(document: Document, effect: str) -> list[Mapping[str, Any]]:
    statements = document["Statement"]
    statements = statements if isinstance(statements, list) else [statements]
    for statement in statements:
        unsupported = {"NotAction", "NotResource", "Principal", "NotPrincipal"} & set(statement)
        if unsupported:
            raise ValueError(f"iam_eval does not read {sorted(unsupported)}")
    return [s for s in statements if s["Effect"] == effect]


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _glob(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _glob_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return _glob(pattern, ignore_case=ignore_case).fullmatch(value) is not None


def _arn_match(pattern: str, value: str) -> bool:
    # IAM compares the six colon-separated parts one by one; the last keeps its colons.
    pattern_parts, value_parts = pattern.split(":", 5), value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return False
    return all(_glob_match(p, v) for p, v in zip(pattern_parts, value_parts, strict=True))


def _matches(statement: Mapping[str, Any], request: Request) -> bool:
    if not any(
        _glob_match(a, request.action, ignore_case=True) for a in _as_list(statement["Action"])
    ):
        return False
    if not any(_glob_match(r, request.resource) for r in _as_list(statement["Resource"])):
        return False
    return all(
        _condition_holds(operator, key, _as_list(values), request.context.get(key))
        for operator, tests in statement.get("Condition", {}).items()
        for key, values in tests.items()
    )


_POSITIVE: Mapping[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda expected, actual: expected == actual,
    "StringLike": _glob_match,
    "ArnEquals": _arn_match,
    "ArnLike": _arn_match,
    "Bool": lambda expected, actual: expected.lower() == actual.lower(),
}
_NEGATED = {"StringNotEquals": "StringEquals", "ArnNotEquals": "ArnEquals"}


def _condition_holds(
    operator: str, key: str, expected: list[str], present: str | Sequence[str] | None
) -> bool:
    if operator in _NEGATED:
        # True when the key is absent, and when no value matches any expected one.
        return not _condition_holds(_NEGATED[operator], key, expected, present)
    if operator not in _POSITIVE:
        raise ValueError(f"iam_eval does not evaluate {operator} (on {key})")
    if present is None:
        return False
    actual = [present] if isinstance(present, str) else list(present)
    compare = _POSITIVE[operator]
    return any(compare(e, a) for e in expected for a in actual)


# --- The policies of a planned role, read from `estate plan`'s recorded resources ------


def policy_arn(run: StackRun, policy: RecordedResource) -> str:
    """The ARN the plan's mocks give a managed policy (estate.plan.mock_cloud)."""
    return f"arn:aws:iam::{run.account_id}:policy/{policy.inputs['name']}"


@dataclass(frozen=True)
class PlannedRole:
    """A role of the plan with the documents IAM evaluates for it."""

    role: RecordedResource
    identity: tuple[Document, ...]
    boundary: Document | None

    def decide(self, action: str, resource: str, **context: str | Sequence[str]) -> Decision:
        """IAM's decision for one request this role makes."""
        return evaluate(
            Request(action, resource, context), identity=self.identity, boundary=self.boundary
        )


def planned_role(run: StackRun, logical: str) -> PlannedRole:
    """The role component ``logical`` (e.g. ``deploy``): attached policies and its boundary."""
    (role,) = [r for r in run.of_type("aws:iam/role:Role") if r.name == f"{logical}-role"]
    policies = {policy_arn(run, p): p for p in run.of_type("aws:iam/policy:Policy")}
    attached = [
        a
        for a in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.inputs["role"] == role.inputs["name"]
    ]
    identity = tuple(json.loads(policies[a.inputs["policyArn"]].inputs["policy"]) for a in attached)
    inline = [
        r
        for r in run.of_type("aws:iam/rolePolicy:RolePolicy")
        if r.inputs["role"] in (role.inputs["name"], role.name)
    ]
    identity += tuple(json.loads(r.inputs["policy"]) for r in inline)
    boundary_arn = role.inputs.get("permissionsBoundary")
    boundary = json.loads(policies[boundary_arn].inputs["policy"]) if boundary_arn else None
    return PlannedRole(role=role, identity=identity, boundary=boundary)


def planned_policy(run: StackRun, logical: str) -> Document:
    """The document of the managed policy resource named ``logical`` in the plan."""
    (policy,) = [p for p in run.of_type("aws:iam/policy:Policy") if p.name == logical]
    document: Document = json.loads(policy.inputs["policy"])
    return document
