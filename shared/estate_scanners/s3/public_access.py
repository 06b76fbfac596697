"""Whether anyone on the internet can read or write a bucket, through its ACL or its policy.

Two paths, each neutralised by a public access block flag at bucket OR account level:
- ACL grants to the AllUsers or AuthenticatedUsers groups; `IgnorePublicAcls`
  makes S3 ignore them.
- Allow statements with a public principal (`*`, `{"AWS": "*"}`, or a NotPrincipal)
  and no limiting condition (see `conditions`); `RestrictPublicBuckets` restricts
  such a policy to AWS services and the owner's own principals. `BlockPublicPolicy`
  only rejects *new* public policies and `BlockPublicAcls` only *new* public ACLs:
  neither neutralises what is already stored, so neither counts here.

Deny statements are not subtracted: a public Allow narrowed by a Deny elsewhere is
still reported (S3's own "public" status does the same).

Each path is three-valued. A fact we could not fetch makes a path UNKNOWN unless a
block flag we did read neutralises it anyway; the verdict is PUBLIC if any path is
public, else UNKNOWN (ERROR) if any path is unknown, else NOT_PUBLIC.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from estate_scanners.s3.conditions import is_limited
from estate_scanners.s3.facts import (
    Acl,
    BucketPolicy,
    Fetched,
    FetchError,
    Grant,
    NotConfigured,
    PublicAccessBlock,
)
from estate_scanners.s3.policy import PolicyStatement
from estate_scanners.s3.wildcards import pattern_covers, patterns_overlap


class Access(StrEnum):
    """The kind of access a check asks about."""

    READ = "read"
    WRITE = "write"


class Exposure(StrEnum):
    """The three-valued answer for one path or for the bucket."""

    PUBLIC = "PUBLIC"
    NOT_PUBLIC = "NOT_PUBLIC"
    UNKNOWN = "UNKNOWN"


ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
PUBLIC_GROUPS = frozenset({ALL_USERS, AUTHENTICATED_USERS})

# WRITE_ACP counts as read too: whoever may rewrite the ACL may grant themselves READ.
ACL_PERMISSIONS: dict[Access, frozenset[str]] = {
    Access.READ: frozenset({"READ", "READ_ACP", "WRITE_ACP", "FULL_CONTROL"}),
    Access.WRITE: frozenset({"WRITE", "WRITE_ACP", "FULL_CONTROL"}),
}

# S3's "bad actions" split by what they expose; patterns are IAM wildcards.
POLICY_ACTIONS: dict[Access, tuple[str, ...]] = {
    Access.READ: ("s3:Get*", "s3:List*"),
    Access.WRITE: ("s3:Put*", "s3:Delete*", "s3:AbortMultipartUpload", "s3:RestoreObject"),
}

IGNORE_PUBLIC_ACLS = "IgnorePublicAcls"
RESTRICT_PUBLIC_BUCKETS = "RestrictPublicBuckets"


@dataclass(frozen=True, slots=True)
class Neutraliser:
    """Whether a block flag is on at bucket or account level; None when it cannot be told."""

    flag: str
    on: bool | None
    levels_on: tuple[str, ...]
    levels_unknown: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PathAssessment:
    """The exposure through one path (ACL or policy) and the facts behind it."""

    exposure: Exposure
    evidence: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PublicAccessAssessment:
    """The bucket's exposure for one kind of access, path by path."""

    access: Access
    exposure: Exposure
    acl: PathAssessment
    policy: PathAssessment

    def evidence(self) -> dict[str, Any]:
        """Both paths' facts, as finding evidence."""
        return {
            "access": self.access.value,
            "acl": self.acl.evidence,
            "policy": self.policy.evidence,
        }


def public_grants(acl: Acl, access: Access) -> tuple[Grant, ...]:
    """ACL grants that give the public this kind of access."""
    return tuple(
        grant
        for grant in acl.grants
        if grant.grantee_type == "Group"
        and grant.uri in PUBLIC_GROUPS
        and grant.permission in ACL_PERMISSIONS[access]
    )


def grants_to_public(statement: PolicyStatement) -> bool:
    """Whether an Allow statement admits anyone, with no limiting condition."""
    anyone = statement.not_principal or any(p.is_public for p in statement.principals)
    return statement.allows and anyone and not is_limited(statement)


def allows_any(statement: PolicyStatement, patterns: tuple[str, ...]) -> bool:
    """Whether the statement's actions (or NotAction complement) reach any of the patterns."""
    if statement.not_action:
        return any(
            not any(pattern_covers(excluded, pattern) for excluded in statement.actions)
            for pattern in patterns
        )
    return any(
        patterns_overlap(action, pattern) for action in statement.actions for pattern in patterns
    )


def public_statements(policy: BucketPolicy, access: Access) -> tuple[PolicyStatement, ...]:
    """Statements that give the public this kind of access."""
    return tuple(
        statement
        for statement in policy.statements
        if grants_to_public(statement) and allows_any(statement, POLICY_ACTIONS[access])
    )


def policy_is_public(policy: BucketPolicy) -> bool:
    """S3's "public policy": any unlimited Allow to a public principal, whatever the action."""
    return any(grants_to_public(statement) for statement in policy.statements)


def neutraliser(
    flag: str,
    bucket_block: Fetched[PublicAccessBlock],
    account_block: Fetched[PublicAccessBlock],
) -> Neutraliser:
    """Whether `flag` is on at either level (a missing block has every flag off)."""
    levels_on: list[str] = []
    levels_unknown: list[str] = []
    for level, block in (("bucket", bucket_block), ("account", account_block)):
        if isinstance(block, FetchError):
            levels_unknown.append(level)
        elif isinstance(block, PublicAccessBlock) and block.flags()[flag]:
            levels_on.append(level)
    on = True if levels_on else (None if levels_unknown else False)
    return Neutraliser(flag, on, tuple(levels_on), tuple(levels_unknown))


def assess_public_access(
    *,
    access: Access,
    acl: Fetched[Acl],
    policy: Fetched[BucketPolicy],
    bucket_block: Fetched[PublicAccessBlock],
    account_block: Fetched[PublicAccessBlock],
) -> PublicAccessAssessment:
    """The bucket's public exposure for one kind of access, with every path's evidence."""
    acl_exposing: list[dict[str, Any]] | None = None
    if isinstance(acl, Acl):
        acl_exposing = [grant.as_evidence() for grant in public_grants(acl, access)]
    policy_exposing: list[dict[str, Any]] | None = None
    if isinstance(policy, BucketPolicy):
        policy_exposing = [s.as_evidence() for s in public_statements(policy, access)]
    elif isinstance(policy, NotConfigured):
        policy_exposing = []
    acl_path = _assess_path(
        source=acl,
        exposing=acl_exposing,
        label="public_grants",
        guard=neutraliser(IGNORE_PUBLIC_ACLS, bucket_block, account_block),
    )
    policy_path = _assess_path(
        source=policy,
        exposing=policy_exposing,
        label="public_statements",
        guard=neutraliser(RESTRICT_PUBLIC_BUCKETS, bucket_block, account_block),
    )
    return PublicAccessAssessment(
        access, combine(acl_path.exposure, policy_path.exposure), acl_path, policy_path
    )


def combine(*exposures: Exposure) -> Exposure:
    """Public if any path is; else unknown if any path is; else not public."""
    if Exposure.PUBLIC in exposures:
        return Exposure.PUBLIC
    if Exposure.UNKNOWN in exposures:
        return Exposure.UNKNOWN
    return Exposure.NOT_PUBLIC


def _assess_path(
    *,
    source: Fetched[Any],
    exposing: list[dict[str, Any]] | None,
    label: str,
    guard: Neutraliser,
) -> PathAssessment:
    evidence: dict[str, Any] = {
        label: exposing or [],
        "neutralising_flag": guard.flag,
        "neutralised_at": list(guard.levels_on),
    }
    if guard.levels_unknown:
        evidence["block_unreadable_at"] = list(guard.levels_unknown)
    if isinstance(source, FetchError):
        evidence["error"] = source.as_evidence()
        exposure = Exposure.NOT_PUBLIC if guard.on is True else Exposure.UNKNOWN
        return PathAssessment(exposure, evidence)
    if not exposing or guard.on is True:
        return PathAssessment(Exposure.NOT_PUBLIC, evidence)
    return PathAssessment(Exposure.PUBLIC if guard.on is False else Exposure.UNKNOWN, evidence)
