"""S3: buckets and their configuration, the bucket policy, the one notification."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from estate.emulator.registry import Materialised, Resource, World, materialiser


def _s3(world: World, resource: Resource) -> Any:
    return world.client("s3", resource.account_id, resource.region)


@materialiser("aws:s3/bucket:Bucket")
def bucket(world: World, resource: Resource) -> Materialised:
    """CreateBucket in the provider's region."""
    name = str(resource.inputs["bucket"])
    extra: dict[str, Any] = {}
    if resource.region != "us-east-1":
        extra["CreateBucketConfiguration"] = {"LocationConstraint": resource.region}
    _s3(world, resource).create_bucket(Bucket=name, **extra)
    return {"id": name, "bucket": name, "arn": f"arn:aws:s3:::{name}"}


@materialiser("aws:s3/bucketVersioning:BucketVersioning")
def versioning(world: World, resource: Resource) -> Materialised:
    """PutBucketVersioning."""
    status = resource.inputs["versioningConfiguration"]["status"]
    _s3(world, resource).put_bucket_versioning(
        Bucket=resource.inputs["bucket"], VersioningConfiguration={"Status": status}
    )
    return {}


@materialiser(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
def encryption(world: World, resource: Resource) -> Materialised:
    """PutBucketEncryption."""
    rules = []
    for rule in resource.inputs["rules"]:
        default = rule["applyServerSideEncryptionByDefault"]
        applied = {"SSEAlgorithm": default["sseAlgorithm"]}
        if default.get("kmsMasterKeyId"):
            applied["KMSMasterKeyID"] = default["kmsMasterKeyId"]
        rules.append(
            {
                "ApplyServerSideEncryptionByDefault": applied,
                "BucketKeyEnabled": bool(rule.get("bucketKeyEnabled", False)),
            }
        )
    _s3(world, resource).put_bucket_encryption(
        Bucket=resource.inputs["bucket"], ServerSideEncryptionConfiguration={"Rules": rules}
    )
    return {}


def _lifecycle_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ID": rule["id"],
        "Status": rule["status"],
        "Filter": {"Prefix": rule.get("filter", {}).get("prefix", "")},
    }
    if "expiration" in rule:
        out["Expiration"] = {"Days": int(rule["expiration"]["days"])}
    if "transitions" in rule:
        out["Transitions"] = [
            {"Days": int(t["days"]), "StorageClass": t["storageClass"]} for t in rule["transitions"]
        ]
    if "noncurrentVersionExpiration" in rule:
        days = int(rule["noncurrentVersionExpiration"]["noncurrentDays"])
        out["NoncurrentVersionExpiration"] = {"NoncurrentDays": days}
    if "abortIncompleteMultipartUpload" in rule:
        days = int(rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"])
        out["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": days}
    return out


@materialiser("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
def lifecycle(world: World, resource: Resource) -> Materialised:
    """PutBucketLifecycleConfiguration."""
    _s3(world, resource).put_bucket_lifecycle_configuration(
        Bucket=resource.inputs["bucket"],
        LifecycleConfiguration={"Rules": [_lifecycle_rule(r) for r in resource.inputs["rules"]]},
    )
    return {}


@materialiser("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
def public_access_block(world: World, resource: Resource) -> Materialised:
    """PutPublicAccessBlock."""
    inputs = resource.inputs
    _s3(world, resource).put_public_access_block(
        Bucket=inputs["bucket"],
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": bool(inputs.get("blockPublicAcls")),
            "IgnorePublicAcls": bool(inputs.get("ignorePublicAcls")),
            "BlockPublicPolicy": bool(inputs.get("blockPublicPolicy")),
            "RestrictPublicBuckets": bool(inputs.get("restrictPublicBuckets")),
        },
    )
    return {}


@materialiser("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
def ownership(world: World, resource: Resource) -> Materialised:
    """PutBucketOwnershipControls."""
    _s3(world, resource).put_bucket_ownership_controls(
        Bucket=resource.inputs["bucket"],
        OwnershipControls={
            "Rules": [{"ObjectOwnership": resource.inputs["rule"]["objectOwnership"]}]
        },
    )
    return {}


@materialiser("aws:s3/bucketLogging:BucketLogging")
def logging(world: World, resource: Resource) -> Materialised:
    """PutBucketLogging."""
    _s3(world, resource).put_bucket_logging(
        Bucket=resource.inputs["bucket"],
        BucketLoggingStatus={
            "LoggingEnabled": {
                "TargetBucket": resource.inputs["targetBucket"],
                "TargetPrefix": resource.inputs.get("targetPrefix", ""),
            }
        },
    )
    return {}


def moto_enforceable(document: Mapping[str, Any]) -> dict[str, Any]:
    """The policy without conditional Deny statements.

    moto ignores a bucket policy's conditions, so the TLS-only Deny (``s3:*`` when
    ``aws:SecureTransport`` is false) would deny every request. Those statements are left
    out of the emulator's copy; the plan tests assert them on the recorded policy.
    """
    kept = [
        statement
        for statement in document.get("Statement", [])
        if not (statement.get("Effect") == "Deny" and statement.get("Condition"))
    ]
    return {**document, "Statement": kept}


@materialiser("aws-native:s3:BucketPolicy")
def bucket_policy(world: World, resource: Resource) -> Materialised:
    """PutBucketPolicy with what moto can enforce of the structured document."""
    document = moto_enforceable(resource.inputs["policyDocument"])
    if document["Statement"]:
        _s3(world, resource).put_bucket_policy(
            Bucket=resource.inputs["bucket"], Policy=json.dumps(document)
        )
    return {}


@materialiser("aws:s3/bucketNotification:BucketNotification")
def notification(world: World, resource: Resource) -> Materialised:
    """PutBucketNotificationConfiguration: queues with their key filters, as declared."""
    queues = []
    for queue in resource.inputs.get("queues", []):
        rules = [
            {"Name": name, "Value": queue[field]}
            for name, field in (("prefix", "filterPrefix"), ("suffix", "filterSuffix"))
            if queue.get(field)
        ]
        config: dict[str, Any] = {"QueueArn": queue["queueArn"], "Events": list(queue["events"])}
        if rules:
            config["Filter"] = {"Key": {"FilterRules": rules}}
        queues.append(config)
    _s3(world, resource).put_bucket_notification_configuration(
        Bucket=resource.inputs["bucket"],
        NotificationConfiguration={"QueueConfigurations": queues},
    )
    return {}
