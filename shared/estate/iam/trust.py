"""Role trust policies: who may assume a role, each with the conditions that pin it down.

A trust policy holds one statement per principal (usually one). Its JSON is checked against
``trust_rules`` before it is returned, so a generator bug cannot widen who gets in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

import pulumi

from estate.iam.conditions import Condition, ConditionOperator, condition_block
from estate.iam.document import POLICY_VERSION, compact_json
from estate.iam.errors import PolicyError
from estate.iam.limits import TRUST_POLICY_MAX_CHARS, ensure_within
from estate.iam.trust_rules import trust_policy_problems

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
_SERVICE = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$")
# AWS's own rule for sts:ExternalId: 2-1224 of these characters (no wildcard among them).
_ROLE_ARN = re.compile(r"^arn:aws:iam::[0-9]{12}:role/[\w+=,.@-]{1,64}$")
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")


class PrincipalKind(StrEnum):
    """The kinds of principal a role may trust."""

    AWS = "AWS"
    SERVICE = "Service"
    FEDERATED = "Federated"


@dataclass(frozen=True)
class TrustStatement:
    """The one statement of a trust policy; the principal may be an Output (e.g. a provider ARN)."""

    sid: str
    principal_kind: PrincipalKind
    principal: pulumi.Input[str]
    action: str  # sts:AssumeRole or sts:AssumeRoleWithWebIdentity
    conditions: tuple[Condition, ...] = ()


def trust_policy_json(statement: TrustStatement, *more: TrustStatement) -> str:
    """The trust policy document of statements whose principals and values are plain strings.

    Usually one statement; a role several identity providers may assume (GitHub and
    Pulumi Deployments) has one per provider, each with its own conditions.
    """
    statements = (statement, *more)
    sids = [s.sid for s in statements]
    if len(set(sids)) != len(sids):
        raise PolicyError(f"trust policy statements {sids}: give each its own Sid")
    rendered = [_rendered(s) for s in statements]
    text = compact_json({"Version": POLICY_VERSION, "Statement": rendered})
    problems = trust_policy_problems(json.loads(text))
    if problems:
        raise PolicyError(f"trust policy {problems[0]}; build it with estate.iam.trust")
    ensure_within(text, max_chars=TRUST_POLICY_MAX_CHARS, what=f"trust policy {'+'.join(sids)}")
    return text


def _rendered(statement: TrustStatement) -> dict[str, Any]:
    if not isinstance(statement.principal, str):
        raise PolicyError(
            f"trust policy {statement.sid}: principal {statement.principal!r} is no string; "
            "trust_policy_json takes resolved values (trust_policy_document resolves Outputs)"
        )
    rendered: dict[str, Any] = {
        "Sid": statement.sid,
        "Effect": "Allow",
        "Principal": {statement.principal_kind.value: statement.principal},
        "Action": statement.action,
    }
    if statement.conditions:
        rendered["Condition"] = condition_block(statement.sid, statement.conditions)
    return rendered


def trust_policy_document(statement: TrustStatement, *more: TrustStatement) -> pulumi.Output[str]:
    """The trust policy as an Output: resolves principals and condition values, then renders."""
    statements = (statement, *more)
    inputs: list[pulumi.Input[str]] = []
    for each in statements:
        inputs.append(each.principal)
        for condition in each.conditions:
            inputs.extend(condition.values)

    def render(values: list[Any]) -> str:
        remaining = iter(values)
        resolved = []
        for each in statements:
            principal = next(remaining)
            conditions = tuple(
                replace(condition, values=tuple(next(remaining) for _ in condition.values))
                for condition in each.conditions
            )
            resolved.append(replace(each, principal=principal, conditions=conditions))
        return trust_policy_json(*resolved)

    return pulumi.Output.all(*inputs).apply(render)


def service_trust_statement(
    service: str, *, source_account: str | None, source_arn: pulumi.Input[str] | None
) -> TrustStatement:
    """An AWS service may assume the role, for the given account and/or source resource only.

    Both guards are keyword-only and have no default: leaving out confused-deputy
    protection takes an explicit ``None``.
    """
    if not _SERVICE.fullmatch(service):
        raise PolicyError(
            f"service trust: {service!r} is not a service principal; "
            "give one like lambda.amazonaws.com"
        )
    conditions: list[Condition] = []
    if source_account is not None:
        if not _ACCOUNT_ID.fullmatch(source_account):
            raise PolicyError(
                f"service trust for {service}: source_account {source_account!r} is not a "
                "12-digit account id; pass the account's id from estate.accounts"
            )
        conditions.append(
            Condition(ConditionOperator.STRING_EQUALS, "aws:SourceAccount", (source_account,))
        )
    if source_arn is not None:
        conditions.append(Condition(ConditionOperator.ARN_EQUALS, "aws:SourceArn", (source_arn,)))
    return TrustStatement(
        sid="TrustService",
        principal_kind=PrincipalKind.SERVICE,
        principal=service,
        action="sts:AssumeRole",
        conditions=tuple(conditions),
    )


def service_trust(
    service: str, *, source_account: str | None, source_arn: pulumi.Input[str] | None
) -> pulumi.Output[str]:
    """Trust policy letting ``service`` assume the role (see ``service_trust_statement``)."""
    return trust_policy_document(
        service_trust_statement(service, source_account=source_account, source_arn=source_arn)
    )


def role_trust_statement(principal_role_arn: pulumi.Input[str], external_id: str) -> TrustStatement:
    """One role (e.g. the central scanner role) may assume this one, given the external id."""
    if not _EXTERNAL_ID.fullmatch(external_id):
        raise PolicyError(
            f"role trust: external id {external_id!r} is not 2-1224 characters of "
            "letters, digits and +=,.@:/-_; give the id agreed with the assuming side"
        )
    return TrustStatement(
        sid="TrustRole",
        principal_kind=PrincipalKind.AWS,
        principal=principal_role_arn,
        action="sts:AssumeRole",
        conditions=(Condition(ConditionOperator.STRING_EQUALS, "sts:ExternalId", (external_id,)),),
    )


def role_trust(principal_role_arn: pulumi.Input[str], external_id: str) -> pulumi.Output[str]:
    """Trust policy letting one role assume this one (see ``role_trust_statement``)."""
    return trust_policy_document(role_trust_statement(principal_role_arn, external_id))


def roles_of_account_trust_statement(
    account_id: str, role_arns: Sequence[str], external_id: str
) -> TrustStatement:
    """Named roles of another account, which may not exist yet, may assume this role.

    A role ARN as ``Principal`` must exist when the trust is written (IAM stores its
    unique id, and a recreated role silently loses access). So the principal is the
    account, narrowed to exactly ``role_arns`` by ``ArnEquals aws:PrincipalArn`` (no
    wildcard) and to callers giving ``external_id``.
    """
    if not _ACCOUNT_ID.fullmatch(account_id):
        raise PolicyError(
            f"roles-of-account trust: account id {account_id!r} is not 12 digits; "
            "pass the account's id from estate.accounts"
        )
    if isinstance(role_arns, str) or not role_arns:
        raise PolicyError(
            f"roles-of-account trust: role_arns {role_arns!r}; give a non-empty list of role ARNs"
        )
    for arn in role_arns:
        if not _ROLE_ARN.fullmatch(arn) or arn.split(":")[4] != account_id:
            raise PolicyError(
                f"roles-of-account trust: {arn!r} is not a role ARN in account {account_id}; "
                "name each role exactly (no wildcard)"
            )
    statement = role_trust_statement(f"arn:aws:iam::{account_id}:root", external_id)
    return replace(
        statement,
        sid="TrustRolesOfAccount",
        conditions=(
            *statement.conditions,
            Condition(ConditionOperator.ARN_EQUALS, "aws:PrincipalArn", tuple(role_arns)),
        ),
    )


def roles_of_account_trust(
    account_id: str, role_arns: Sequence[str], external_id: str
) -> pulumi.Output[str]:
    """Trust policy for ``roles_of_account_trust_statement``."""
    return trust_policy_document(
        roles_of_account_trust_statement(account_id, role_arns, external_id)
    )


def web_identity_trust_statement(
    *,
    sid: str,
    provider_arn: pulumi.Input[str],
    issuer_host: str,
    audience: str,
    subjects: Sequence[str],
) -> TrustStatement:
    """Admit tokens of one OIDC provider for ``audience`` whose subject is one of ``subjects``
    (GitHub Actions and Pulumi Deployments trust the same way; only the claims differ)."""
    return TrustStatement(
        sid=sid,
        principal_kind=PrincipalKind.FEDERATED,
        principal=provider_arn,
        action="sts:AssumeRoleWithWebIdentity",
        conditions=(
            Condition(ConditionOperator.STRING_EQUALS, f"{issuer_host}:aud", (audience,)),
            Condition(ConditionOperator.STRING_EQUALS, f"{issuer_host}:sub", tuple(subjects)),
        ),
    )
