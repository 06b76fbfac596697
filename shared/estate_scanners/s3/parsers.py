"""Turn each AWS response into its typed fact; pure, so malformed answers are testable offline.

A parser raises `KeyError`, `TypeError`, `ValueError` (or `MalformedPolicyError`) on
a response it does not understand; the collector records that as a FetchError.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from estate_scanners.s3.facts import (
    AccessLogging,
    AccessPoint,
    AccessPoints,
    Acl,
    BasicSelector,
    BucketPolicy,
    DefaultEncryption,
    EncryptionRule,
    FieldSelector,
    Grant,
    Lifecycle,
    LifecycleRule,
    Notifications,
    ObjectLock,
    OwnershipControls,
    PublicAccessBlock,
    Replication,
    ReplicationRule,
    Tags,
    Trail,
    Trails,
    Versioning,
)
from estate_scanners.s3.policy import parse_policy

Response = Mapping[str, Any]

LIFECYCLE_ACTIONS = (
    "Expiration",
    "Transitions",
    "NoncurrentVersionExpiration",
    "NoncurrentVersionTransitions",
    "AbortIncompleteMultipartUpload",
)


def public_access_block(response: Response) -> PublicAccessBlock:
    """GetPublicAccessBlock (S3 or S3 Control): absent flags are off."""
    flags = response["PublicAccessBlockConfiguration"]
    return PublicAccessBlock(
        block_public_acls=bool(flags.get("BlockPublicAcls", False)),
        ignore_public_acls=bool(flags.get("IgnorePublicAcls", False)),
        block_public_policy=bool(flags.get("BlockPublicPolicy", False)),
        restrict_public_buckets=bool(flags.get("RestrictPublicBuckets", False)),
    )


def acl(response: Response) -> Acl:
    """GetBucketAcl."""
    grants = tuple(
        Grant(
            grantee_type=str(grant["Grantee"]["Type"]),
            permission=str(grant["Permission"]),
            uri=grant["Grantee"].get("URI"),
            grantee_id=grant["Grantee"].get("ID"),
        )
        for grant in response.get("Grants", [])
    )
    return Acl(owner_id=response.get("Owner", {}).get("ID"), grants=grants)


def bucket_policy(response: Response) -> BucketPolicy:
    """GetBucketPolicy: the policy text parsed into statements."""
    return BucketPolicy(statements=parse_policy(str(response["Policy"])))


def access_logging(response: Response) -> AccessLogging:
    """GetBucketLogging: no LoggingEnabled element means logging is off."""
    enabled = response.get("LoggingEnabled")
    if not enabled:
        return AccessLogging()
    return AccessLogging(
        target_bucket=str(enabled["TargetBucket"]), target_prefix=enabled.get("TargetPrefix")
    )


def versioning(response: Response) -> Versioning:
    """GetBucketVersioning: no Status means versioning was never enabled."""
    return Versioning(status=response.get("Status"), mfa_delete=response.get("MFADelete"))


def lifecycle(response: Response) -> Lifecycle:
    """GetBucketLifecycleConfiguration."""
    return Lifecycle(
        rules=tuple(
            LifecycleRule(
                rule_id=rule.get("ID"),
                enabled=rule["Status"] == "Enabled",
                actions=tuple(action for action in LIFECYCLE_ACTIONS if action in rule),
            )
            for rule in response.get("Rules", [])
        )
    )


def ownership_controls(response: Response) -> OwnershipControls:
    """GetBucketOwnershipControls: the first (and only) rule's setting."""
    rules = response["OwnershipControls"].get("Rules", [])
    return OwnershipControls(object_ownership=rules[0]["ObjectOwnership"] if rules else None)


def default_encryption(response: Response) -> DefaultEncryption:
    """GetBucketEncryption."""
    configuration = response["ServerSideEncryptionConfiguration"]
    return DefaultEncryption(
        rules=tuple(
            EncryptionRule(
                algorithm=str(rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]),
                kms_key_id=rule["ApplyServerSideEncryptionByDefault"].get("KMSMasterKeyID"),
                bucket_key_enabled=bool(rule.get("BucketKeyEnabled", False)),
            )
            for rule in configuration.get("Rules", [])
            if "ApplyServerSideEncryptionByDefault" in rule
        )
    )


def notifications(response: Response) -> Notifications:
    """GetBucketNotificationConfiguration: an empty answer means no notification."""
    return Notifications(
        topics=len(response.get("TopicConfigurations", [])),
        queues=len(response.get("QueueConfigurations", [])),
        lambda_functions=len(response.get("LambdaFunctionConfigurations", [])),
        eventbridge="EventBridgeConfiguration" in response,
    )


def object_lock(response: Response) -> ObjectLock:
    """GetObjectLockConfiguration."""
    configuration = response["ObjectLockConfiguration"]
    retention = configuration.get("Rule", {}).get("DefaultRetention", {})
    return ObjectLock(
        enabled=configuration.get("ObjectLockEnabled") == "Enabled",
        default_mode=retention.get("Mode"),
        default_days=retention.get("Days"),
        default_years=retention.get("Years"),
    )


def replication(response: Response) -> Replication:
    """GetBucketReplication."""
    configuration = response["ReplicationConfiguration"]
    return Replication(
        role=configuration.get("Role"),
        rules=tuple(
            ReplicationRule(
                rule_id=rule.get("ID"),
                enabled=rule["Status"] == "Enabled",
                destination_bucket=rule.get("Destination", {}).get("Bucket"),
            )
            for rule in configuration.get("Rules", [])
        ),
    )


def tags(response: Response) -> Tags:
    """GetBucketTagging."""
    return Tags(values={str(tag["Key"]): str(tag["Value"]) for tag in response["TagSet"]})


def _block(flags: Mapping[str, Any] | None) -> PublicAccessBlock | None:
    """A public access block from its four flags (absent flags are off); None when absent."""
    if flags is None:
        return None
    return public_access_block({"PublicAccessBlockConfiguration": flags})


def access_points(response: Response) -> AccessPoints:
    """The bucket's access points, each from its GetAccessPoint answer."""
    return AccessPoints(
        points=tuple(
            AccessPoint(
                name=str(point["Name"]),
                block=_block(point.get("PublicAccessBlockConfiguration")),
                network_origin=point.get("NetworkOrigin"),
            )
            for point in response["AccessPoints"]
        )
    )


def multi_region_access_points(response: Response) -> AccessPoints:
    """ListMultiRegionAccessPoints' reports (the block is `PublicAccessBlock` there)."""
    return AccessPoints(
        points=tuple(
            AccessPoint(name=str(point["Name"]), block=_block(point.get("PublicAccessBlock")))
            for point in response["AccessPoints"]
        )
    )


def trails(response: Response) -> Trails:
    """DescribeTrails with each trail's GetEventSelectors answer (or its error code)."""
    return Trails(trails=tuple(_trail(item) for item in response["Trails"]))


def _trail(item: Mapping[str, Any]) -> Trail:
    trail, selectors = item["Trail"], item["Selectors"]
    common = {
        "name": str(trail["Name"]),
        "arn": str(trail.get("TrailARN") or trail["Name"]),
        "home_region": trail.get("HomeRegion"),
        "multi_region": bool(trail.get("IsMultiRegionTrail", False)),
    }
    if "Error" in selectors:
        return Trail(**common, selectors_error=str(selectors["Error"]))
    basic = tuple(
        BasicSelector(
            read_write_type=str(selector.get("ReadWriteType", "All")),
            data_resources=tuple(
                (str(resource["Type"]), tuple(str(v) for v in resource.get("Values", [])))
                for resource in selector.get("DataResources", [])
            ),
        )
        for selector in selectors.get("EventSelectors") or []
    )
    advanced = tuple(
        tuple(
            FieldSelector(
                field=str(field_selector["Field"]),
                operators=tuple(
                    (operator, tuple(str(v) for v in values))
                    for operator, values in field_selector.items()
                    if operator != "Field"
                ),
            )
            for field_selector in selector.get("FieldSelectors", [])
        )
        for selector in selectors.get("AdvancedEventSelectors") or []
    )
    return Trail(**common, basic=basic, advanced=advanced)
