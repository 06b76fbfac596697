"""Where each fact comes from: AWS operation, IAM action allowing it, not-configured codes.

The IAM action is not always the operation's name (GetBucketEncryption needs
`s3:GetEncryptionConfiguration`; S3's GetPublicAccessBlock needs
`s3:GetBucketPublicAccessBlock`, S3 Control's `s3:GetAccountPublicAccessBlock`), so
each is written down here, checked against AWS's API reference and IAM's action list.
Only the listed codes mean "not configured"; every other error is a FetchError.

Most facts are one call. A fact that needs pages or follow-up calls (an access point's
flags are only in GetAccessPoint, a trail's selectors in GetEventSelectors) names its
further operations in `also_calls`, so `required_iam_actions()` lists them, and gives a
`read` that makes the calls and returns one response for its parser. The collector calls
`FactSource.call(client, **params)` either way, with a client of `operation.service` in
the bucket's region (bucket facts; `Bucket`, `ExpectedBucketOwner`) or in `region` or
the home region (account facts; `AccountId`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from estate_scanners.s3 import parsers, reads
from estate_scanners.s3.checks import needed_facts
from estate_scanners.s3.facts import Fact


@dataclass(frozen=True, slots=True)
class Operation:
    """One AWS API operation and the IAM action a caller needs for it."""

    service: str
    name: str
    iam_action: str

    @property
    def method(self) -> str:
        """The boto3 client method name (GetBucketAcl -> get_bucket_acl)."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.name).lower()


Read = Callable[[Any, Mapping[str, str]], Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class FactSource:
    """How one fact is fetched and parsed.

    `read` (default: one call of `operation` with the collector's parameters) returns the
    response `parse` reads; `also_calls` are the further operations a `read` makes;
    `region` pins an account fact's calls to one region (S3 Control serves multi-Region
    access points from us-west-2 only).
    """

    fact: Fact
    operation: Operation
    not_configured_codes: frozenset[str]
    parse: Callable[[Mapping[str, Any]], Any]
    read: Read | None = None
    also_calls: tuple[Operation, ...] = ()
    region: str | None = None

    def call(self, client: Any, **params: str) -> Mapping[str, Any]:
        """The response to parse: the source's own `read`, or one call of its operation."""
        if self.read is not None:
            return self.read(client, params)
        response: Mapping[str, Any] = getattr(client, self.operation.method)(**params)
        return response

    @property
    def operations(self) -> tuple[Operation, ...]:
        """Every operation fetching this fact may call."""
        return (self.operation, *self.also_calls)


LIST_BUCKETS: Final = Operation("s3", "ListBuckets", "s3:ListAllMyBuckets")
GET_BUCKET_LOCATION: Final = Operation("s3", "GetBucketLocation", "s3:GetBucketLocation")


def _source(
    fact: Fact,
    operation: Operation,
    parse: Callable[[Mapping[str, Any]], Any],
    *not_configured: str,
) -> FactSource:
    return FactSource(fact, operation, frozenset(not_configured), parse)


SOURCES: Final[Mapping[Fact, FactSource]] = {
    source.fact: source
    for source in (
        _source(
            Fact.PUBLIC_ACCESS_BLOCK,
            Operation("s3", "GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
            parsers.public_access_block,
            "NoSuchPublicAccessBlockConfiguration",
        ),
        _source(Fact.ACL, Operation("s3", "GetBucketAcl", "s3:GetBucketAcl"), parsers.acl),
        _source(
            Fact.POLICY,
            Operation("s3", "GetBucketPolicy", "s3:GetBucketPolicy"),
            parsers.bucket_policy,
            "NoSuchBucketPolicy",
        ),
        _source(
            Fact.LOGGING,
            Operation("s3", "GetBucketLogging", "s3:GetBucketLogging"),
            parsers.access_logging,
        ),
        _source(
            Fact.VERSIONING,
            Operation("s3", "GetBucketVersioning", "s3:GetBucketVersioning"),
            parsers.versioning,
        ),
        _source(
            Fact.LIFECYCLE,
            Operation("s3", "GetBucketLifecycleConfiguration", "s3:GetLifecycleConfiguration"),
            parsers.lifecycle,
            "NoSuchLifecycleConfiguration",
        ),
        _source(
            Fact.OWNERSHIP_CONTROLS,
            Operation("s3", "GetBucketOwnershipControls", "s3:GetBucketOwnershipControls"),
            parsers.ownership_controls,
            "OwnershipControlsNotFoundError",
        ),
        _source(
            Fact.ENCRYPTION,
            Operation("s3", "GetBucketEncryption", "s3:GetEncryptionConfiguration"),
            parsers.default_encryption,
            "ServerSideEncryptionConfigurationNotFoundError",
        ),
        _source(
            Fact.NOTIFICATIONS,
            Operation("s3", "GetBucketNotificationConfiguration", "s3:GetBucketNotification"),
            parsers.notifications,
        ),
        _source(
            Fact.OBJECT_LOCK,
            Operation("s3", "GetObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration"),
            parsers.object_lock,
            "ObjectLockConfigurationNotFoundError",
        ),
        _source(
            Fact.REPLICATION,
            Operation("s3", "GetBucketReplication", "s3:GetReplicationConfiguration"),
            parsers.replication,
            "ReplicationConfigurationNotFoundError",
        ),
        _source(
            Fact.TAGS,
            Operation("s3", "GetBucketTagging", "s3:GetBucketTagging"),
            parsers.tags,
            "NoSuchTagSet",
        ),
        FactSource(
            Fact.ACCESS_POINTS,
            Operation("s3control", "ListAccessPoints", "s3:ListAccessPoints"),
            frozenset(),
            parsers.access_points,
            read=reads.bucket_access_points,
            also_calls=(Operation("s3control", "GetAccessPoint", "s3:GetAccessPoint"),),
        ),
        FactSource(
            Fact.MULTI_REGION_ACCESS_POINTS,
            Operation(
                "s3control",
                "ListMultiRegionAccessPoints",
                "s3:ListMultiRegionAccessPoints",
            ),
            frozenset(),
            parsers.multi_region_access_points,
            read=reads.multi_region_access_points,
            region=reads.MULTI_REGION_CONTROL_REGION,
        ),
        FactSource(
            Fact.TRAILS,
            Operation("cloudtrail", "DescribeTrails", "cloudtrail:DescribeTrails"),
            frozenset(),
            parsers.trails,
            read=reads.trails_with_selectors,
            also_calls=(
                Operation("cloudtrail", "GetEventSelectors", "cloudtrail:GetEventSelectors"),
            ),
        ),
        _source(
            Fact.ACCOUNT_PUBLIC_ACCESS_BLOCK,
            Operation("s3control", "GetPublicAccessBlock", "s3:GetAccountPublicAccessBlock"),
            parsers.public_access_block,
            "NoSuchPublicAccessBlockConfiguration",
        ),
    )
}


def sources_for(facts: Iterable[Fact]) -> tuple[FactSource, ...]:
    """The sources of the given facts, in a stable order."""
    return tuple(SOURCES[fact] for fact in sorted(set(facts)))


def operations_for(facts: Iterable[Fact]) -> frozenset[Operation]:
    """Every operation a scan fetching these facts may call, listing included."""
    return frozenset({LIST_BUCKETS, GET_BUCKET_LOCATION}) | {
        operation for source in sources_for(facts) for operation in source.operations
    }


def required_iam_actions() -> frozenset[str]:
    """The IAM actions the analyzer needs in a target account, derived from the check registry."""
    return frozenset(operation.iam_action for operation in operations_for(needed_facts()))
