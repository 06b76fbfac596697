"""What every role trust policy must satisfy, checked on its parsed JSON.

parliament checks none of this: a web-identity trust without a ``sub``
check admits any repository, ``ForAllValues`` and ``…IfExists`` pass when the key is
missing, and ``*``/``?`` or ``…Like`` admit more than intended. The trust generators
run these rules on what they produce; ``lint_policy`` runs them on any trust policy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

TRUST_ACTIONS = frozenset({"sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"})

_SID = re.compile(r"^[A-Za-z0-9]*$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+$")
_ACCOUNT_ROOT = re.compile(r"^arn:aws[a-z-]*:iam::(?P<account>[0-9]{12}):root$")
_SERVICE = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$")
_OIDC_PROVIDER_ARN = re.compile(
    r"^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/(?P<host>[\w.-]+(/[\w.-]+)*)$"
)
_WEAKENING_OPERATOR_PARTS = ("Like", "ForAllValues", "IfExists", "Not")


def trust_policy_problems(document: Mapping[str, Any]) -> list[str]:
    """Every way ``document`` falls short of a trust policy that admits exactly what it names."""
    if document.get("Version") != "2012-10-17":
        return ["Version must be 2012-10-17"]
    statements = document.get("Statement")
    if not isinstance(statements, list) or not statements:
        return ["Statement must be a non-empty list"]
    problems: list[str] = []
    for index, statement in enumerate(statements):
        if not isinstance(statement, Mapping):
            problems.append(f"statement {index}: is not an object")
            continue
        name = statement.get("Sid") or index
        problems.extend(
            f"statement {name}: {problem}" for problem in _statement_problems(statement)
        )
    return problems


def _statement_problems(statement: Mapping[str, Any]) -> Iterator[str]:
    unexpected = set(statement) - {"Sid", "Effect", "Principal", "Action", "Condition"}
    if unexpected:
        yield f"has {', '.join(sorted(unexpected))}, which a trust statement must not"
    sid = statement.get("Sid", "")
    if not (isinstance(sid, str) and _SID.fullmatch(sid)):
        yield "Sid must be letters and digits only"
    if statement.get("Effect") != "Allow":
        yield "Effect must be Allow"
    actions = _strings(statement.get("Action"))
    if not actions or not set(actions) <= TRUST_ACTIONS:
        yield f"Action {actions} must be one of {sorted(TRUST_ACTIONS)}"
    conditions = _conditions(statement.get("Condition", {}))
    yield from _condition_problems(conditions)
    principal = statement.get("Principal")
    if not isinstance(principal, Mapping) or len(principal) != 1:
        yield "Principal must name exactly one kind: AWS, Service or Federated"
        return
    [(kind, value)] = principal.items()
    identifiers = _strings(value)
    if len(identifiers) != 1:
        yield f"Principal {kind} must name exactly one identity, not {identifiers}"
        return
    yield from _principal_problems(kind, identifiers[0], actions, conditions)


def _principal_problems(
    kind: str, identifier: str, actions: list[str], conditions: dict[tuple[str, str], list[str]]
) -> Iterator[str]:
    if kind == "AWS":
        root = _ACCOUNT_ROOT.fullmatch(identifier)
        if root is not None:
            # An account as principal admits only the roles ArnEquals aws:PrincipalArn names,
            # each of that account (the roles may not exist yet; see trust.py).
            named = conditions.get(("ArnEquals", "aws:PrincipalArn"), [])
            if not named:
                yield "an account principal needs an ArnEquals aws:PrincipalArn condition"
            for arn in named:
                if not _ROLE_ARN.fullmatch(arn) or arn.split(":")[4] != root["account"]:
                    yield f"aws:PrincipalArn {arn!r} must be a role ARN of {root['account']}"
        elif not _ROLE_ARN.fullmatch(identifier):
            yield f"AWS principal {identifier!r} must be one role ARN or an account root"
        if not conditions.get(("StringEquals", "sts:ExternalId")):
            yield "an AWS principal needs a StringEquals sts:ExternalId condition"
    elif kind == "Service":
        if not _SERVICE.fullmatch(identifier):
            yield f"Service principal {identifier!r} must look like lambda.amazonaws.com"
    elif kind == "Federated":
        yield from _federated_problems(identifier, actions, conditions)
    else:
        yield f"Principal kind {kind!r} must be AWS, Service or Federated"


def _federated_problems(
    provider_arn: str, actions: list[str], conditions: dict[tuple[str, str], list[str]]
) -> Iterator[str]:
    match = _OIDC_PROVIDER_ARN.fullmatch(provider_arn)
    if match is None:
        yield f"Federated principal {provider_arn!r} must be an OIDC provider ARN"
        return
    if actions != ["sts:AssumeRoleWithWebIdentity"]:
        yield "a Federated principal is assumed with sts:AssumeRoleWithWebIdentity only"
    host = match.group("host")
    for claim in ("aud", "sub"):
        if not conditions.get(("StringEquals", f"{host}:{claim}")):
            yield f"a Federated principal needs a StringEquals {host}:{claim} condition"


def _condition_problems(conditions: dict[tuple[str, str], list[str]]) -> Iterator[str]:
    for (operator, key), values in sorted(conditions.items()):
        if any(part in operator for part in _WEAKENING_OPERATOR_PARTS):
            yield f"condition operator {operator} on {key} admits more than it names"
        for value in values:
            if not value or "*" in value or "?" in value:
                yield f"condition {operator} {key} value {value!r} is empty or a wildcard"


def _conditions(block: Any) -> dict[tuple[str, str], list[str]]:
    if not isinstance(block, Mapping):
        return {("Condition", "(not an object)"): [""]}
    return {
        (operator, key): _strings(values)
        for operator, keys in block.items()
        for key, values in (
            keys.items() if isinstance(keys, Mapping) else [("(not an object)", "")]
        )
    }


def _strings(value: Any) -> list[str]:
    """A JSON string or list of strings as a list; anything else as a list holding ''."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    return [""]
