"""Whether anyone on the internet can read or write a bucket, through its ACL or its policy.

The rules are the S3 User Guide's, "Blocking public access to your Amazon S3 storage"
(`S3_BPA`), section "The meaning of 'public'" (`S3_PUBLIC`), summarised with every
citation in docs/checks.md, "The meaning of public". Each rule below quotes the
sentence it encodes; conditions are read in `conditions`.

Two paths, each neutralised by a public access block flag at bucket OR account level:
- ACL grants to the AllUsers or AuthenticatedUsers groups; `IgnorePublicAcls`
  makes S3 ignore them.
- Allow statements that do not grant "only to fixed values" (a public principal, a
  NotPrincipal, a federated principal) and have no limiting condition;
  `RestrictPublicBuckets` restricts such a policy to AWS services and the owner's own
  principals. `BlockPublicPolicy` only rejects *new* public policies and
  `BlockPublicAcls` only *new* public ACLs: neither neutralises what is already stored,
  so neither counts here.

Deny statements are not subtracted: the document does not say whether S3 weighs them,
so a public Allow stays public and its evidence names the Deny statements that might
narrow it (an open case, said as such).

Each path is three-valued. A fact we could not fetch makes a path UNKNOWN unless a
block flag we did read neutralises it anyway; the verdict is PUBLIC if any path is
public, else UNKNOWN (ERROR) if any path is unknown, else NOT_PUBLIC.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from estate_scanners.s3.conditions import is_fixed, read_condition
from estate_scanners.s3.facts import (
    Acl,
    BucketPolicy,
    Fetched,
    FetchError,
    Grant,
    NotConfigured,
    PublicAccessBlock,
)
from estate_scanners.s3.policy import PolicyStatement, Principal
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


# S3_PUBLIC is `conditions.S3_PUBLIC`, the section "The meaning of 'public'" of S3_BPA.
S3_BPA = (
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"
)
IAM_PRINCIPAL = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
)
IAM_NOT_PRINCIPAL = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"
)
IAM_NOT_ACTION = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"
)
# The "bad actions" (AWS SDK for .NET API reference, PublicAccessBlockConfiguration).
BAD_ACTIONS_SOURCE = (
    "https://docs.aws.amazon.com/sdkfornet/v3/apidocs/items/S3/TPublicAccessBlockConfiguration.html"
)

# S3_PUBLIC, "ACLs": "Amazon S3 considers a bucket or object ACL public if it grants any
# permissions to members of the predefined AllUsers or AuthenticatedUsers groups."
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
PUBLIC_GROUPS = frozenset({ALL_USERS, AUTHENTICATED_USERS})

# Our split of "any permissions" into reading and writing (the document does not split):
# WRITE_ACP counts as read too: whoever may rewrite the ACL may grant themselves READ.
ACL_PERMISSIONS: dict[Access, frozenset[str]] = {
    Access.READ: frozenset({"READ", "READ_ACP", "WRITE_ACP", "FULL_CONTROL"}),
    Access.WRITE: frozenset({"WRITE", "WRITE_ACP", "FULL_CONTROL"}),
}

# BAD_ACTIONS_SOURCE: ""Bad actions" are those that could expose the data inside a bucket to
# reads or writes by the public. These actions are s3:Get*, s3:List*, s3:AbortMultipartUpload,
# s3:Delete*, s3:Put*, and s3:RestoreObject." Split by what they expose (our split);
# patterns are IAM wildcards. Whether a policy is public at all does not depend on them:
# S3_BPA says S3 "reviews policies for current actions and any potential actions".
POLICY_ACTIONS: dict[Access, tuple[str, ...]] = {
    Access.READ: ("s3:Get*", "s3:List*"),
    Access.WRITE: ("s3:Put*", "s3:Delete*", "s3:AbortMultipartUpload", "s3:RestoreObject"),
}

# S3_BPA, "Block public access settings": IgnorePublicAcls "causes Amazon S3 to ignore all
# public ACLs on a bucket"; RestrictPublicBuckets "restricts access to an access point or
# bucket with a public policy to only AWS service principals and authorized users within
# the bucket owner's account". BlockPublicAcls and BlockPublicPolicy reject new grants
# only ("Enabling this setting doesn't affect existing ... policies").
IGNORE_PUBLIC_ACLS = "IgnorePublicAcls"
# Kinds whose fixed values S3_PUBLIC calls non-public: "An AWS principal, user, role, or
# service principal". IAM_PRINCIPAL: a canonical user id is one way to name an AWS account.
FIXED_PRINCIPAL_KINDS = frozenset({"AWS", "Service", "CanonicalUser"})
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


@dataclass(frozen=True, slots=True)
class PrincipalReading:
    """Whether one principal is a fixed one, by which rule, and the open case it rests on."""

    principal: Principal
    fixed: bool
    rule: str
    undetermined: str | None = None


@dataclass(frozen=True, slots=True)
class StatementReading:
    """Whether one statement grants to the public, why, and the open cases the answer rests on."""

    statement: PolicyStatement
    public: bool
    because: str
    undetermined: tuple[str, ...] = ()

    def as_evidence(self, *extra_undetermined: str) -> dict[str, Any]:
        """The statement, the reason and any open case, as finding evidence."""
        evidence = {**self.statement.as_evidence(), "because": self.because}
        undetermined = [*self.undetermined, *extra_undetermined]
        if undetermined:
            evidence["undetermined"] = undetermined
        return evidence


def public_grants(acl: Acl, access: Access) -> tuple[Grant, ...]:
    """ACL grants that give the public this kind of access."""
    return tuple(
        grant
        for grant in acl.grants
        if grant.grantee_type == "Group"
        and grant.uri in PUBLIC_GROUPS
        and grant.permission in ACL_PERMISSIONS[access]
    )


def read_principal(principal: Principal) -> PrincipalReading:
    """Whether a principal is one the document calls fixed."""
    if principal.kind == "*" or (principal.kind == "AWS" and principal.value == "*"):
        # IAM_PRINCIPAL: for anonymous users ""Principal": "*"" and ""Principal" : { "AWS" :
        # "*" }" are equivalent; S3_PUBLIC's second example, "Principal": "*", is public.
        return PrincipalReading(principal, False, 'everyone: "*" or {"AWS": "*"}')
    if principal.kind == "Federated":
        # S3_PUBLIC: "Under these rules, the following example policies are considered
        # public": the first grants to { "Federated": "graph.facebook.com" }; federated
        # principals are not among "An AWS principal, user, role, or service principal".
        account_owned = principal.value.startswith("arn:")
        return PrincipalReading(
            principal,
            False,
            "a federated principal is not one the document lists",
            (
                f"{principal.value} is an identity provider of one account; the document's "
                "public example is a web identity provider"
            )
            if account_owned
            else None,
        )
    if principal.kind in FIXED_PRINCIPAL_KINDS and is_fixed(principal.value):
        # S3_PUBLIC: non-public when granted "only to fixed values ... for ... An AWS
        # principal, user, role, or service principal". A canonical user id names an account.
        return PrincipalReading(principal, True, "a fixed AWS principal or service principal")
    # S3_PUBLIC: "fixed values (values that don't contain a wildcard ...)"; anything else
    # keeps the document's starting point: "Amazon S3 begins by assuming that the policy
    # is public."
    return PrincipalReading(principal, False, "not a fixed principal")


def read_statement(statement: PolicyStatement) -> StatementReading:
    """Whether the statement grants to the public, following S3_PUBLIC rule by rule."""
    if not statement.allows:
        # A Deny statement grants nothing ("must grant access only to fixed values").
        return StatementReading(statement, False, "a Deny statement grants nothing")
    principals = [read_principal(principal) for principal in statement.principals]
    if not principals and not statement.not_principal:
        # policy.IAM_GRAMMAR, notes: "The principal_block element is required in resource-based
        # policies"; S3 refuses such a policy, and a statement naming nobody grants nothing.
        return StatementReading(statement, False, "names no principal")
    if statement.not_principal:
        # IAM_NOT_PRINCIPAL, "NotPrincipal With Allow": "Doing so allows all principals
        # except the one named in the NotPrincipal element ... you might grant access to
        # anonymous (unauthenticated) users."
        who = "NotPrincipal with Allow grants to every principal but those named"
    elif all(reading.fixed for reading in principals):
        return StatementReading(statement, False, "granted only to fixed principals")
    else:
        who = "; ".join(sorted({r.rule for r in principals if not r.fixed}))
    conditions = [read_condition(condition) for condition in statement.conditions]
    limiting = [reading for reading in conditions if reading.limits]
    if limiting:
        # S3_PUBLIC: "You can make these policies non-public by including any of the
        # condition keys listed previously, using a fixed value." Conditions are ANDed.
        clean = any(reading.undetermined is None for reading in limiting)
        return StatementReading(
            statement,
            False,
            f"{who}, limited by {', '.join(sorted({r.condition.key for r in limiting}))}",
            () if clean else tuple(r.undetermined for r in limiting if r.undetermined),
        )
    open_cases = [r.undetermined for r in principals if r.undetermined]
    open_cases += [r.undetermined for r in conditions if r.undetermined]
    return StatementReading(
        statement, True, f"{who}, with no limiting condition", tuple(open_cases)
    )


def grants_to_public(statement: PolicyStatement) -> bool:
    """Whether an Allow statement admits anyone, with no limiting condition."""
    return read_statement(statement).public


def allows_any(statement: PolicyStatement, patterns: tuple[str, ...]) -> bool:
    """Whether the statement's actions (or NotAction complement) reach any of the patterns."""
    if statement.not_action:
        # IAM_NOT_ACTION: "all of the applicable actions or services that are not listed
        # are allowed if you use the Allow effect".
        return any(
            not any(pattern_covers(excluded, pattern) for excluded in statement.actions)
            for pattern in patterns
        )
    return any(
        patterns_overlap(action, pattern) for action in statement.actions for pattern in patterns
    )


def policy_is_public(policy: BucketPolicy) -> bool:
    """S3's "public policy": any unlimited Allow to a public principal, whatever the action."""
    return any(grants_to_public(statement) for statement in policy.statements)


def narrowing_denies(policy: BucketPolicy, statement: PolicyStatement) -> tuple[int, ...]:
    """Deny statements whose actions may meet the statement's: they might narrow it."""
    return tuple(
        deny.index
        for deny in policy.statements
        if deny.denies
        and (
            deny.not_action
            or statement.not_action
            or any(patterns_overlap(a, b) for a in deny.actions for b in statement.actions)
        )
    )


def policy_evidence(
    policy: BucketPolicy, access: Access
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The exposing statements, and the open cases any other statement's reading rests on."""
    readings = _readings(policy)
    exposing = _exposing(access, readings)
    exposing_evidence = []
    for reading in exposing:
        denies = narrowing_denies(policy, reading.statement)
        note = (
            f"Deny statement(s) {', '.join(map(str, denies))} may narrow this grant; the "
            "document does not say whether S3 weighs Deny statements"
        )
        exposing_evidence.append(reading.as_evidence(*([note] if denies else [])))
    undetermined = [
        {"index": r.statement.index, "because": r.because, "undetermined": list(r.undetermined)}
        for r in readings
        if r.undetermined and not r.public
    ]
    return exposing_evidence, undetermined


def _readings(policy: BucketPolicy) -> list[StatementReading]:
    return [read_statement(statement) for statement in policy.statements]


def _exposing(access: Access, readings: list[StatementReading]) -> list[StatementReading]:
    return [r for r in readings if r.public and allows_any(r.statement, POLICY_ACTIONS[access])]


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
    policy_open: list[dict[str, Any]] = []
    if isinstance(policy, BucketPolicy):
        policy_exposing, policy_open = policy_evidence(policy, access)
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
        undetermined=policy_open,
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
    undetermined: list[dict[str, Any]] | None = None,
) -> PathAssessment:
    evidence: dict[str, Any] = {
        label: exposing or [],
        "neutralising_flag": guard.flag,
        "neutralised_at": list(guard.levels_on),
    }
    if undetermined:
        # Statements judged not public whose reading rests on a case the document leaves open.
        evidence["undetermined"] = undetermined
    if guard.levels_unknown:
        evidence["block_unreadable_at"] = list(guard.levels_unknown)
    if isinstance(source, FetchError):
        evidence["error"] = source.as_evidence()
        exposure = Exposure.NOT_PUBLIC if guard.on is True else Exposure.UNKNOWN
        return PathAssessment(exposure, evidence)
    if not exposing or guard.on is True:
        return PathAssessment(Exposure.NOT_PUBLIC, evidence)
    return PathAssessment(Exposure.PUBLIC if guard.on is False else Exposure.UNKNOWN, evidence)
