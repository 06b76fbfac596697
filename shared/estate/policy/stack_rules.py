"""Every AWS resource: required tags, an explicit provider pinned to a region and one
allowed account, and stateful resources protected from deletion."""

from __future__ import annotations

from collections.abc import Collection

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from estate.policy.props import decoded, effective_tags, exemption

AWS_PREFIXES = ("aws:", "aws-native:")
# pulumi-aws resources that take no tags; every other AWS resource is taggable.
UNTAGGABLE_TYPES = frozenset(
    {
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketNotification:BucketNotification",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketLogging:BucketLogging",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:sqs/queuePolicy:QueuePolicy",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:lambda/permission:Permission",
        "aws:lambda/alias:Alias",
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
        "aws:kms/alias:Alias",
        "aws:apigateway/deployment:Deployment",
        "aws:apigateway/integration:Integration",
        "aws:apigateway/method:Method",
        "aws:apigateway/resource:Resource",
        "aws:apigateway/methodSettings:MethodSettings",
        "aws:apigateway/account:Account",
        "aws:cloudwatch/eventTarget:EventTarget",
    }
)
STATEFUL_TYPES = frozenset(
    {
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketV2:BucketV2",
        "aws:dynamodb/table:Table",
        "aws:kms/key:Key",
        "aws-native:s3:Bucket",
        "aws-native:dynamodb:Table",
        "aws-native:kms:Key",
    }
)


def is_aws(resource_type: str) -> bool:
    """True for resources of the AWS providers (the only ones these rules govern)."""
    return resource_type.startswith(AWS_PREFIXES)


def required_tags_policy(required_keys: Collection[str]) -> ResourceValidationPolicy:
    """Every taggable AWS resource carries `required_keys` (its own tags or its provider's)."""

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if not is_aws(args.resource_type) or args.resource_type in UNTAGGABLE_TYPES:
            return
        tags = effective_tags(args.props, args.provider)
        missing = sorted(key for key in required_keys if not tags.get(key))
        if missing:
            report(f"{args.name}: missing tags {missing}; create it with estate.providers", None)

    return ResourceValidationPolicy(
        name="required-tags",
        description="Every taggable AWS resource carries the organisation's and the stack's tags.",
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
    )


def _provider_pinned(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not is_aws(args.resource_type):
        return
    provider = args.provider
    if provider is None or "::default_" in provider.urn or provider.name.startswith("default_"):
        report(f"{args.name}: uses a default provider; pass one from estate.providers", None)
        return
    allowed = decoded(provider.props.get("allowedAccountIds"))
    if not (isinstance(allowed, list) and len(allowed) == 1 and str(allowed[0]).isdigit()):
        report(
            f"{args.name}: provider {provider.name} allows accounts {allowed!r}, not exactly one",
            None,
        )
    if not provider.props.get("region"):
        report(f"{args.name}: provider {provider.name} pins no region", None)


def _stateful_protected(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in STATEFUL_TYPES or exemption(args.props, "stateful-protected"):
        return
    if not args.opts.protect:
        report(f"{args.name}: {args.resource_type} holds data; create it with protect=True", None)


PROVIDER_PINNED = ResourceValidationPolicy(
    name="provider-pinned",
    description="Every AWS resource uses an explicit provider pinned to a region and one account.",
    validate=_provider_pinned,
    enforcement_level=EnforcementLevel.MANDATORY,
)
STATEFUL_PROTECTED = ResourceValidationPolicy(
    name="stateful-protected",
    description="Buckets, tables and keys are protected against deletion.",
    validate=_stateful_protected,
    enforcement_level=EnforcementLevel.MANDATORY,
)
