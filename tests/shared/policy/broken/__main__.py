"""A deliberately broken program: each resource breaks exactly one rule of the policy pack
(and keeps every other), so the pack must report one violation per rule, naming it."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from estate.accounts import load_estate
from estate.providers import stack_tags

estate = load_estate()
account = estate.account(pulumi.get_stack())
tags = stack_tags(account, estate.organization, pulumi.get_project())


def provider(name: str, *, pinned: bool = True, tagged: bool = True) -> aws.Provider:
    return aws.Provider(
        name,
        region=account.primary_region,
        allowed_account_ids=[account.account_id] if pinned else None,
        default_tags=aws.ProviderDefaultTagsArgs(tags=tags) if tagged else None,
    )


good = pulumi.ResourceOptions(provider=provider("good"))
protected = pulumi.ResourceOptions(provider=good.provider, protect=True)
ROLE = f"arn:aws:iam::{account.account_id}:role/estate-broken"


def policy(name: str, action: str, resource: str) -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": [action], "Resource": resource}],
    }
    aws.iam.Policy(name, policy=json.dumps(document), opts=good)


# no-wildcard-actions, then resource-star-allow-listed
policy("wildcard-action", "s3:Get*", f"arn:aws:s3:::estate-broken-{account.account_id}/*")
policy("star-resource", "s3:GetObject", "*")

dlq = aws.sqs.Queue("dlq", opts=good)


def function(
    name: str, *, memory: int = 256, log_group: bool = True, dead_letters: bool = True
) -> aws.lambda_.Function:
    physical = f"estate-broken-{name}"
    if log_group:
        aws.cloudwatch.LogGroup(
            f"{name}-logs", name=f"/aws/lambda/{physical}", retention_in_days=14, opts=good
        )
    return aws.lambda_.Function(
        name,
        name=physical,
        role=ROLE,
        runtime="python3.12",
        handler="index.handler",
        code=pulumi.AssetArchive({}),
        memory_size=memory,
        dead_letter_config=aws.lambda_.FunctionDeadLetterConfigArgs(target_arn=dlq.arn)
        if dead_letters
        else None,
        opts=good,
    )


function("no-log-group", log_group=False)  # lambda-explicit-log-group
# lambda-failure-destination: invoked asynchronously (EventBridge), failures go nowhere
aws.lambda_.Permission(
    "no-failure-path-invoke",
    function=function("no-failure-path", dead_letters=False).name,
    action="lambda:InvokeFunction",
    principal="events.amazonaws.com",
    opts=good,
)
function("too-big", memory=2048)  # lambda-memory-limit


def bucket(name: str, *, skip: str) -> None:
    created = aws.s3.Bucket(
        name, bucket=f"estate-broken-{name}-{account.account_id}", opts=protected
    )
    if skip != "encryption":
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=created.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms"
                    )
                )
            ],
            opts=good,
        )
    if skip != "versioning":
        aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=created.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"
            ),
            opts=good,
        )
    if skip != "public-access":
        aws.s3.BucketPublicAccessBlock(
            f"{name}-block",
            bucket=created.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=good,
        )
    if skip != "tls":
        tls_only = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "TlsOnly",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::estate-broken-{name}-{account.account_id}"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
        aws.s3.BucketPolicy(
            f"{name}-policy", bucket=created.id, policy=json.dumps(tls_only), opts=good
        )


for missing in ("encryption", "versioning", "public-access", "tls"):
    bucket(f"no-{missing}", skip=missing)

# dynamodb-on-demand-pitr: provisioned, PITR on
aws.dynamodb.Table(
    "provisioned",
    attributes=[aws.dynamodb.TableAttributeArgs(name="pk", type="S")],
    hash_key="pk",
    billing_mode="PROVISIONED",
    read_capacity=1,
    write_capacity=1,
    point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
    opts=protected,
)
# required-tags: a pinned provider without the standard tags
aws.sqs.Queue("untagged", opts=pulumi.ResourceOptions(provider=provider("untagged", tagged=False)))
# stateful-protected: a key anyone can delete with the stack
aws.kms.Key("unprotected", opts=good)
# provider-pinned: a provider that allows every account
aws.sqs.Queue("unpinned", opts=pulumi.ResourceOptions(provider=provider("unpinned", pinned=False)))
