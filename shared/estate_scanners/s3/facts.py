"""Typed facts about one bucket and one account, each fetched once from AWS.

A fact is a configuration item (the bucket's ACL, its policy, ...). Each is
`Fetched`: the parsed value, `NotConfigured` (AWS answered with one of the codes
that mean "this bucket has none"), or `FetchError` (anything else: denied,
throttled out, the bucket deleted mid-scan). Checks read these and never call AWS.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeAlias, TypeVar

from estate_runtime.findings import account_arn, partition_for_region
from estate_scanners.s3.policy import PolicyStatement

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class NotConfigured:
    """The item is absent: AWS answered with `code`, one of its not-configured codes."""

    code: str


@dataclass(frozen=True, slots=True)
class FetchError:
    """The item could not be read; checks that need it report ERROR with this code."""

    code: str
    message: str
    operation: str = ""

    def as_evidence(self) -> dict[str, str]:
        """The error as finding evidence: code, message and the failed operation."""
        return {"code": self.code, "message": self.message, "operation": self.operation}


# The default of every fact field: a check reading a fact it did not declare in its
# `needs` sees this error (and reports ERROR) instead of a silent "not configured".
NOT_FETCHED = FetchError(code="NotFetched", message="no registered check needs this fact")

Fetched: TypeAlias = T | NotConfigured | FetchError


class Fact(StrEnum):
    """Every configuration item a check can need; bucket facts name `BucketFacts` fields."""

    PUBLIC_ACCESS_BLOCK = "public_access_block"
    ACL = "acl"
    POLICY = "policy"
    LOGGING = "logging"
    VERSIONING = "versioning"
    LIFECYCLE = "lifecycle"
    OWNERSHIP_CONTROLS = "ownership_controls"
    ENCRYPTION = "encryption"
    NOTIFICATIONS = "notifications"
    OBJECT_LOCK = "object_lock"
    REPLICATION = "replication"
    TAGS = "tags"
    ACCESS_POINTS = "access_points"
    ACCOUNT_PUBLIC_ACCESS_BLOCK = "account_public_access_block"
    MULTI_REGION_ACCESS_POINTS = "multi_region_access_points"
    TRAILS = "trails"

    @property
    def is_account_fact(self) -> bool:
        """Whether the fact belongs to the account (fetched once) rather than to each bucket."""
        return self in _ACCOUNT_FIELDS

    @property
    def field(self) -> str:
        """The name of the `BucketFacts` or `AccountFacts` field holding this fact."""
        return _ACCOUNT_FIELDS.get(self, self.value)


# Account facts and their `AccountFacts` field (the account's own block is its
# `public_access_block`, as a bucket's is).
_ACCOUNT_FIELDS: dict[Fact, str] = {
    Fact.ACCOUNT_PUBLIC_ACCESS_BLOCK: "public_access_block",
    Fact.MULTI_REGION_ACCESS_POINTS: "multi_region_access_points",
    Fact.TRAILS: "trails",
}


BUCKET_FACTS: frozenset[Fact] = frozenset(f for f in Fact if not f.is_account_fact)
ACCOUNT_FACTS: frozenset[Fact] = frozenset(f for f in Fact if f.is_account_fact)


@dataclass(frozen=True, slots=True)
class PublicAccessBlock:
    """The four flags of a bucket- or account-level public access block."""

    block_public_acls: bool = False
    ignore_public_acls: bool = False
    block_public_policy: bool = False
    restrict_public_buckets: bool = False

    def flags(self) -> dict[str, bool]:
        """The flags under their AWS names, in AWS's order."""
        return {
            "BlockPublicAcls": self.block_public_acls,
            "IgnorePublicAcls": self.ignore_public_acls,
            "BlockPublicPolicy": self.block_public_policy,
            "RestrictPublicBuckets": self.restrict_public_buckets,
        }

    def flags_off(self) -> list[str]:
        """AWS names of the flags that are off."""
        return [name for name, on in self.flags().items() if not on]


@dataclass(frozen=True, slots=True)
class Grant:
    """One ACL grant: grantee (by type and URI or id) and permission."""

    grantee_type: str
    permission: str
    uri: str | None = None
    grantee_id: str | None = None

    def as_evidence(self) -> dict[str, str | None]:
        """The grant as finding evidence."""
        return {
            "grantee_type": self.grantee_type,
            "uri": self.uri,
            "grantee_id": self.grantee_id,
            "permission": self.permission,
        }


@dataclass(frozen=True, slots=True)
class Acl:
    """A bucket ACL: its owner and grants."""

    owner_id: str | None
    grants: tuple[Grant, ...]


@dataclass(frozen=True, slots=True)
class BucketPolicy:
    """A bucket policy, parsed into statements."""

    statements: tuple[PolicyStatement, ...]


@dataclass(frozen=True, slots=True)
class AccessLogging:
    """Server access logging: where logs go, or no target when logging is off."""

    target_bucket: str | None = None
    target_prefix: str | None = None

    @property
    def enabled(self) -> bool:
        """Logging is on exactly when a target bucket is set."""
        return self.target_bucket is not None


@dataclass(frozen=True, slots=True)
class Versioning:
    """Versioning status (None when it was never enabled) and MFA delete."""

    status: str | None = None
    mfa_delete: str | None = None


@dataclass(frozen=True, slots=True)
class LifecycleRule:
    """One lifecycle rule: id, whether enabled, and the kinds of action it takes."""

    rule_id: str | None
    enabled: bool
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """The bucket's lifecycle rules."""

    rules: tuple[LifecycleRule, ...]


@dataclass(frozen=True, slots=True)
class OwnershipControls:
    """Object ownership setting (BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter)."""

    object_ownership: str | None


@dataclass(frozen=True, slots=True)
class EncryptionRule:
    """One default-encryption rule: algorithm, KMS key and whether an S3 bucket key is used."""

    algorithm: str
    kms_key_id: str | None = None
    bucket_key_enabled: bool = False


@dataclass(frozen=True, slots=True)
class DefaultEncryption:
    """The bucket's default-encryption rules."""

    rules: tuple[EncryptionRule, ...]


@dataclass(frozen=True, slots=True)
class Notifications:
    """How many notification targets of each kind the bucket has."""

    topics: int = 0
    queues: int = 0
    lambda_functions: int = 0
    eventbridge: bool = False

    @property
    def configured(self) -> bool:
        """Whether any event reaches any target."""
        return bool(self.topics or self.queues or self.lambda_functions or self.eventbridge)


@dataclass(frozen=True, slots=True)
class ObjectLock:
    """Object lock state and default retention."""

    enabled: bool
    default_mode: str | None = None
    default_days: int | None = None
    default_years: int | None = None


@dataclass(frozen=True, slots=True)
class ReplicationRule:
    """One replication rule: id, whether enabled, destination bucket ARN."""

    rule_id: str | None
    enabled: bool
    destination_bucket: str | None


@dataclass(frozen=True, slots=True)
class Replication:
    """The bucket's replication role and rules."""

    role: str | None
    rules: tuple[ReplicationRule, ...]


@dataclass(frozen=True, slots=True)
class Tags:
    """The bucket's tags, key to value."""

    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AccessPoint:
    """An access point (single- or multi-Region) and its own public access block."""

    name: str
    block: PublicAccessBlock | None
    network_origin: str | None = None

    def as_evidence(self) -> dict[str, Any]:
        """The access point as finding evidence: name, origin, flags (None when absent)."""
        return {
            "name": self.name,
            "network_origin": self.network_origin,
            "flags": self.block.flags() if self.block is not None else None,
        }


@dataclass(frozen=True, slots=True)
class AccessPoints:
    """The access points of one bucket (or the account's multi-Region access points)."""

    points: tuple[AccessPoint, ...] = ()


@dataclass(frozen=True, slots=True)
class FieldSelector:
    """One field test of an advanced event selector: `Field` and its operators' values."""

    field: str
    operators: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class BasicSelector:
    """A basic event selector: which data resources it logs, for reads, writes or all."""

    read_write_type: str
    data_resources: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class Trail:
    """A CloudTrail trail and its event selectors, or why they could not be read."""

    name: str
    arn: str
    home_region: str | None
    multi_region: bool
    basic: tuple[BasicSelector, ...] = ()
    advanced: tuple[tuple[FieldSelector, ...], ...] = ()
    selectors_error: str | None = None


@dataclass(frozen=True, slots=True)
class Trails:
    """Every trail the account's home region shows, shadow trails included."""

    trails: tuple[Trail, ...] = ()


@dataclass(frozen=True, slots=True)
class BucketFacts:
    """Everything the checks may read about one bucket; one field per configuration item."""

    name: str
    region: str
    arn: str
    created: datetime | None = None
    public_access_block: Fetched[PublicAccessBlock] = NOT_FETCHED
    acl: Fetched[Acl] = NOT_FETCHED
    policy: Fetched[BucketPolicy] = NOT_FETCHED
    logging: Fetched[AccessLogging] = NOT_FETCHED
    versioning: Fetched[Versioning] = NOT_FETCHED
    lifecycle: Fetched[Lifecycle] = NOT_FETCHED
    ownership_controls: Fetched[OwnershipControls] = NOT_FETCHED
    encryption: Fetched[DefaultEncryption] = NOT_FETCHED
    notifications: Fetched[Notifications] = NOT_FETCHED
    object_lock: Fetched[ObjectLock] = NOT_FETCHED
    replication: Fetched[Replication] = NOT_FETCHED
    tags: Fetched[Tags] = NOT_FETCHED
    access_points: Fetched[AccessPoints] = NOT_FETCHED

    def get(self, fact: Fact) -> Fetched[Any]:
        """The fetched value of one bucket fact."""
        if fact.is_account_fact:
            raise ValueError(f"{fact} is an account fact, not a bucket fact")
        return getattr(self, fact.field)

    def with_facts(self, facts: dict[Fact, Fetched[Any]]) -> BucketFacts:
        """A copy with the given bucket facts set."""
        changes: dict[str, Any] = {fact.field: value for fact, value in facts.items()}
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """Everything the checks may read about the account, fetched once per scan."""

    account_id: str
    region: str
    public_access_block: Fetched[PublicAccessBlock] = NOT_FETCHED
    multi_region_access_points: Fetched[AccessPoints] = NOT_FETCHED
    trails: Fetched[Trails] = NOT_FETCHED

    @property
    def arn(self) -> str:
        """The account's identifying ARN: its root principal (accounts have no ARN of their own)."""
        return account_arn(self.account_id, self.region)

    def get(self, fact: Fact) -> Fetched[Any]:
        """The fetched value of one account fact."""
        if not fact.is_account_fact:
            raise ValueError(f"{fact} is a bucket fact, not an account fact")
        return getattr(self, fact.field)

    def with_facts(self, facts: dict[Fact, Fetched[Any]]) -> AccountFacts:
        """A copy with the given account facts set."""
        changes: dict[str, Any] = {fact.field: value for fact, value in facts.items()}
        return dataclasses.replace(self, **changes)


def bucket_arn(name: str, region: str) -> str:
    """The ARN of a bucket in the given region's partition."""
    return f"arn:{partition_for_region(region)}:s3:::{name}"
