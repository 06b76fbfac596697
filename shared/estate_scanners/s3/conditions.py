"""Which policy conditions limit a statement to known callers (and so keep it from being public).

Follows S3's own meaning of "public": a statement with a public principal is not
public when a condition pins the caller to fixed values of a source or principal
key — fixed CIDRs of `aws:SourceIp`, a fixed `aws:SourceVpc`/`aws:SourceVpce`,
`aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOwner`, `aws:userid`, or the
KMS key id S3 names. We add the principal-side keys the same reasoning covers:
`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`,
`aws:PrincipalArn`.

Our decisions, stricter than S3's where S3 is silent:
- only positive operators limit (`StringEquals`, `StringEqualsIgnoreCase`,
  `StringLike`, `ArnEquals`, `ArnLike`, `IpAddress`, and their `ForAnyValue:`
  forms); negated operators (`StringNotEquals`, `NotIpAddress`) admit everyone
  else, `...IfExists` passes when the key is absent, and `ForAllValues:` is true
  when the key is missing — none of them limits;
- a value is fixed when it has no `*`, no `?` and no policy variable (`${...}`);
- an `aws:SourceIp` CIDR limits only at /8 or narrower (IPv4), /32 or narrower
  (IPv6): `0.0.0.0/1` is the internet in two halves, not a limit.
Conditions are ANDed, so one limiting condition is enough.
"""

from __future__ import annotations

import ipaddress

from estate_scanners.s3.policy import Condition, PolicyStatement

LIMITING_KEYS = frozenset(
    {
        "aws:sourceip",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:userid",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
    }
)

LIMITING_OPERATORS = frozenset(
    {
        "StringEquals",
        "StringEqualsIgnoreCase",
        "StringLike",
        "ArnEquals",
        "ArnLike",
        "IpAddress",
    }
)

MIN_IPV4_PREFIX = 8
MIN_IPV6_PREFIX = 32


def is_limiting(condition: Condition) -> bool:
    """Whether this one condition pins the caller to fixed, known values."""
    operator = condition.operator.removeprefix("ForAnyValue:")
    if operator not in LIMITING_OPERATORS or condition.key not in LIMITING_KEYS:
        return False
    if not condition.values:
        return False
    if condition.key == "aws:sourceip":
        return all(_narrow_cidr(value) for value in condition.values)
    return all(_fixed(value) for value in condition.values)


def is_limited(statement: PolicyStatement) -> bool:
    """Whether any condition of the statement limits it."""
    return any(is_limiting(condition) for condition in statement.conditions)


def limiting_conditions(statement: PolicyStatement) -> list[Condition]:
    """The statement's limiting conditions, for evidence."""
    return [condition for condition in statement.conditions if is_limiting(condition)]


def _fixed(value: str) -> bool:
    return bool(value) and "*" not in value and "?" not in value and "${" not in value


def _narrow_cidr(value: str) -> bool:
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    minimum = MIN_IPV4_PREFIX if network.version == 4 else MIN_IPV6_PREFIX
    return network.prefixlen >= minimum
