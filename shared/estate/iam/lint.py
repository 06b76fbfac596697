"""``lint_policy``: parliament, offline, plus our own rules, over any policy document.

Identity and resource policies go through parliament (unknown actions, action/ARN
mismatches, needless ``Resource: "*"``, malformed elements, privilege-escalation
patterns) and through the rules parliament lacks (it lets ``"Action": "*"``
pass). Trust policies (``Principal`` and no ``Resource``), which parliament cannot
read, go through ``trust_rules``.

No parliament finding is ignored by default, whatever its severity: on policies we
generate, each one is a real defect (e.g. RESOURCE_STAR and UNKNOWN_ACTION are only
"LOW" to parliament but break our rules; MISMATCHED_TYPE_BUT_USABLE means a
``StringEquals`` where ``ArnEquals`` belongs). Pulumi unknowns never reach the JSON:
an ``apply`` does not run on unknown values, so no placeholder can be MALFORMED. A
caller that must live with a finding names it in ``accepted_issues``, visibly.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import json
import warnings
from collections.abc import Collection, Iterator, Mapping
from types import ModuleType
from typing import Any

from estate.iam.resource_star import RESOURCE_STAR_ACTIONS
from estate.iam.statements import ALIAS_ACTIONS
from estate.iam.trust_rules import trust_policy_problems


def lint_policy(
    json_str: str, *, accepted_issues: Collection[str] = (), key_policy: bool = False
) -> list[str]:
    """Every finding on the policy as ``"ISSUE (SEVERITY): detail"``; empty means it passes.

    ``key_policy``: the document is a KMS key's policy, where the alias actions name the
    key: a key policy authorises the key's side of an alias change (the caller's IAM
    policy the alias's side), which parliament, reading an identity policy, calls a
    RESOURCE_MISMATCH. Only that mismatch is left out; any other still counts.
    """
    try:
        document = json.loads(json_str)
    except json.JSONDecodeError as error:
        return [f"MALFORMED_JSON (CRITICAL): {error}"]
    if _is_trust_policy(document):
        return [f"TRUST_POLICY (HIGH): {problem}" for problem in trust_policy_problems(document)]
    parliament = _parliament()
    policy = parliament.analyze_policy_string(json_str, ignore_private_auditors=True)
    findings = [
        f"{finding.issue} ({finding.severity}): {finding.detail}"
        for finding in map(parliament.enhance_finding, policy.findings)
        if finding.issue not in accepted_issues
        and not (key_policy and _alias_actions_on_the_key(finding))
    ]
    findings.extend(
        f"{issue} (HIGH): {detail}"
        for issue, detail in _own_findings(document)
        if issue not in accepted_issues
    )
    return findings


def _alias_actions_on_the_key(finding: Any) -> bool:
    """A RESOURCE_MISMATCH of alias actions only (the detail lists each action)."""
    detail = finding.detail if isinstance(finding.detail, list) else []
    return (
        finding.issue == "RESOURCE_MISMATCH"
        and bool(detail)
        and all(isinstance(d, Mapping) and d.get("action") in ALIAS_ACTIONS for d in detail)
    )


def _is_trust_policy(document: Any) -> bool:
    statements = document.get("Statement") if isinstance(document, Mapping) else None
    if not isinstance(statements, list) or not statements:
        return False
    return all(
        isinstance(statement, Mapping)
        and "Principal" in statement
        and "Resource" not in statement
        and "NotResource" not in statement
        for statement in statements
    )


def _own_findings(document: Any) -> Iterator[tuple[str, str]]:
    """What parliament lets through: wildcard actions, Not* elements, unlisted Resource "*"."""
    statements = document.get("Statement", []) if isinstance(document, Mapping) else []
    for statement in statements if isinstance(statements, list) else []:
        if not isinstance(statement, Mapping):
            continue
        sid = statement.get("Sid", "(no sid)")
        for element in ("NotAction", "NotResource", "NotPrincipal"):
            if element in statement:
                yield f"{element.upper()}_USED", f"statement {sid} uses {element}"
        actions = _as_list(statement.get("Action"))
        for action in actions:
            if "*" in action or "?" in action:
                yield "WILDCARD_ACTION", f"statement {sid} grants {action}"
        if "*" in _as_list(statement.get("Resource")):
            unlisted = sorted(set(actions) - RESOURCE_STAR_ACTIONS.keys())
            if unlisted:
                yield (
                    "RESOURCE_STAR_NOT_LISTED",
                    f"statement {sid} grants {unlisted} on '*', not in RESOURCE_STAR_ACTIONS",
                )


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


@functools.cache
def _parliament() -> ModuleType:
    """parliament, imported once per process (it parses its 10 MB catalogue at import)."""
    with warnings.catch_warnings():
        # parliament 1.6.4 imports the deprecated pkg_resources; setuptools is pinned < 81.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return importlib.import_module("parliament")
