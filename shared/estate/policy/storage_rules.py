"""Stateful storage: buckets encrypted, versioned, public access blocked and TLS-only;
DynamoDB tables on demand with point-in-time recovery."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from estate.policy.props import as_list, decoded, exemption, policy_documents, statements

BUCKET_TYPES = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})
NATIVE_BUCKET = "aws-native:s3:Bucket"
ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICIES = frozenset({"aws:s3/bucketPolicy:BucketPolicy", "aws-native:s3:BucketPolicy"})
BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
TABLE_TYPES = frozenset({"aws:dynamodb/table:Table"})

# One check per property: (rule name, what it requires, does a companion resource or the
# native bucket's own props satisfy it).
BucketCheck = Callable[[PolicyResource, list[PolicyResource]], bool]


def _companions(
    bucket: PolicyResource, resources: Iterable[PolicyResource], type_token: str | frozenset[str]
) -> list[PolicyResource]:
    """Resources of `type_token` that configure `bucket` (by name, id or logical name)."""
    keys = {
        bucket.name,
        str(bucket.props.get("bucket") or ""),
        str(bucket.props.get("bucketName") or ""),
        str(bucket.props.get("id") or ""),
    }
    keys.discard("")
    types = {type_token} if isinstance(type_token, str) else type_token
    return [
        r
        for r in resources
        if r.resource_type in types and str(r.props.get("bucket") or "") in keys
    ]


def _encrypted(bucket: PolicyResource, resources: list[PolicyResource]) -> bool:
    if bucket.resource_type == NATIVE_BUCKET:
        rules = (bucket.props.get("bucketEncryption") or {}).get(
            "serverSideEncryptionConfiguration"
        ) or []
        return any(
            (r.get("serverSideEncryptionByDefault") or {}).get("sseAlgorithm") for r in rules
        )
    return any(
        (rule.get("applyServerSideEncryptionByDefault") or {}).get("sseAlgorithm")
        for config in _companions(bucket, resources, ENCRYPTION)
        for rule in config.props.get("rules") or []
    )


def _versioned(bucket: PolicyResource, resources: list[PolicyResource]) -> bool:
    if bucket.resource_type == NATIVE_BUCKET:
        return (bucket.props.get("versioningConfiguration") or {}).get("status") == "Enabled"
    return any(
        (config.props.get("versioningConfiguration") or {}).get("status") == "Enabled"
        for config in _companions(bucket, resources, VERSIONING)
    )


def _public_access_blocked(bucket: PolicyResource, resources: list[PolicyResource]) -> bool:
    if bucket.resource_type == NATIVE_BUCKET:
        block: Mapping[str, Any] = bucket.props.get("publicAccessBlockConfiguration") or {}
        return all(block.get(flag) is True for flag in BLOCK_FLAGS)
    return any(
        all(c.props.get(flag) is True for flag in BLOCK_FLAGS)
        for c in _companions(bucket, resources, PUBLIC_ACCESS_BLOCK)
    )


def _tls_only(bucket: PolicyResource, resources: list[PolicyResource]) -> bool:
    for bucket_policy in _companions(bucket, resources, BUCKET_POLICIES):
        for _key, document in policy_documents(bucket_policy.resource_type, bucket_policy.props):
            for statement in statements(document):
                condition = (statement.get("Condition") or {}).get("Bool") or {}
                if (
                    statement.get("Effect") == "Deny"
                    and str(condition.get("aws:SecureTransport")).lower() == "false"
                    and "s3:*" in as_list(statement.get("Action"))
                ):
                    return True
    return False


def _bucket_policy(
    rule: str, description: str, check: BucketCheck, fix: str
) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        resources = list(args.resources)
        for bucket in resources:
            if bucket.resource_type not in BUCKET_TYPES | {NATIVE_BUCKET}:
                continue
            if exemption(bucket.props, rule) or check(bucket, resources):
                continue
            report(f"{bucket.name}: {fix}", bucket.urn)

    return StackValidationPolicy(
        name=rule,
        description=description,
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
    )


BUCKET_ENCRYPTED = _bucket_policy(
    "bucket-encrypted",
    "Every bucket has default encryption configured.",
    _encrypted,
    "no default encryption; add a BucketServerSideEncryptionConfiguration",
)
BUCKET_VERSIONED = _bucket_policy(
    "bucket-versioned",
    "Every bucket has versioning enabled.",
    _versioned,
    "versioning is not Enabled; add a BucketVersioning",
)
BUCKET_PUBLIC_ACCESS_BLOCKED = _bucket_policy(
    "bucket-public-access-blocked",
    "Every bucket blocks public access (all four flags).",
    _public_access_blocked,
    "public access is not fully blocked; add a BucketPublicAccessBlock with all four flags true",
)
BUCKET_TLS_ONLY = _bucket_policy(
    "bucket-tls-only",
    "Every bucket's policy denies requests without TLS.",
    _tls_only,
    "no bucket policy denies s3:* when aws:SecureTransport is false; add one",
)


def _dynamodb_on_demand_pitr(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in TABLE_TYPES:
        return
    if args.props.get("billingMode") != "PAY_PER_REQUEST":
        report(
            f"{args.name}: billingMode {args.props.get('billingMode')!r}; use PAY_PER_REQUEST", None
        )
    if not (decoded(args.props.get("pointInTimeRecovery")) or {}).get("enabled"):
        report(f"{args.name}: point-in-time recovery is off; set pointInTimeRecovery.enabled", None)


DYNAMODB_ON_DEMAND_PITR = ResourceValidationPolicy(
    name="dynamodb-on-demand-pitr",
    description="DynamoDB tables bill on demand and keep point-in-time recovery.",
    validate=_dynamodb_on_demand_pitr,
    enforcement_level=EnforcementLevel.MANDATORY,
)
