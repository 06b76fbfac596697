"""What the CI roles may do, per resource type the platform manages: read for previews, write for deploys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class TypePermissions:
    """The IAM actions that read and that manage one Pulumi resource type, and where."""

    read: tuple[str, ...]
    write: tuple[str, ...]
    # ARN patterns of the platform's own resources of this type; {account_id} and {prefix}
    # (the estate.naming prefix of the account) are filled in by the program.
    arn_patterns: tuple[str, ...]


GITHUB_OIDC_PROVIDER_ARN = (
    "arn:aws:iam::{account_id}:oidc-provider/token.actions.githubusercontent.com"
)
_ROLE_ARNS = ("arn:aws:iam::{account_id}:role/{prefix}*",)
_POLICY_ARNS = ("arn:aws:iam::{account_id}:policy/{prefix}*",)
# Types whose ARNs the name-prefix model cannot express yet: regional ARNs need the
# region (patterns know only {account_id} and {prefix}, and estate.iam refuses a "*" region),
# and KMS keys, API Gateway resources and event source mappings have AWS-generated ids;
# S3's are held back because the boundary (one managed policy) would pass 6,144 characters.
# Listed so the type is known; the deploy role gets their actions once org-iam can scope
# them (by region or by tag condition) — see the README's "core" section.
_NOT_YET_SCOPED = TypePermissions(read=(), write=(), arn_patterns=())

# One entry per Pulumi resource type any project creates; a test fails when `estate plan`
# records a type missing here, so the deploy role can never silently lack a permission.
MANAGED_TYPES: Mapping[str, TypePermissions] = {
    "aws:iam/role:Role": TypePermissions(
        read=(
            "iam:GetRole",
            "iam:ListRolePolicies",
            "iam:ListAttachedRolePolicies",
            "iam:GetRolePolicy",
            "iam:ListInstanceProfilesForRole",
            "iam:ListRoleTags",
        ),
        write=(
            "iam:CreateRole",
            "iam:DeleteRole",
            "iam:UpdateRole",
            "iam:UpdateAssumeRolePolicy",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:PutRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:PutRolePermissionsBoundary",
        ),
        arn_patterns=_ROLE_ARNS,
    ),
    "aws:iam/policy:Policy": TypePermissions(
        read=(
            "iam:GetPolicy",
            "iam:GetPolicyVersion",
            "iam:ListPolicyVersions",
            "iam:ListPolicyTags",
        ),
        write=(
            "iam:CreatePolicy",
            "iam:DeletePolicy",
            "iam:CreatePolicyVersion",
            "iam:DeletePolicyVersion",
            "iam:TagPolicy",
            "iam:UntagPolicy",
        ),
        arn_patterns=_POLICY_ARNS,
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": TypePermissions(
        read=("iam:ListAttachedRolePolicies",),
        write=("iam:AttachRolePolicy", "iam:DetachRolePolicy"),
        arn_patterns=_ROLE_ARNS,
    ),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": TypePermissions(
        read=("iam:GetOpenIDConnectProvider",),
        # The trust anchor of every CI role: only org-iam, applied by an administrator,
        # changes it. CI reads it; the boundary denies OIDC_PROVIDER_WRITES to every role.
        write=(),
        arn_patterns=(GITHUB_OIDC_PROVIDER_ARN,),
    ),
    "aws:iam/rolePolicy:RolePolicy": TypePermissions(
        read=("iam:GetRolePolicy", "iam:ListRolePolicies"),
        write=("iam:PutRolePolicy", "iam:DeleteRolePolicy"),
        arn_patterns=_ROLE_ARNS,
    ),
    "aws:s3/bucket:Bucket": _NOT_YET_SCOPED,
    "aws:s3/bucketVersioning:BucketVersioning": _NOT_YET_SCOPED,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": _NOT_YET_SCOPED,
    "aws:s3/bucketLogging:BucketLogging": _NOT_YET_SCOPED,
    "aws:s3/bucketNotification:BucketNotification": _NOT_YET_SCOPED,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _NOT_YET_SCOPED,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _NOT_YET_SCOPED,
    # parliament reports s3:PutBucketPolicy and s3:PutLifecycleConfiguration without object
    # access as resource-policy privilege escalation: whoever writes the bucket policy can
    # grant itself the objects. How the deploy role may hold them is org-iam's decision.
    "aws-native:s3:BucketPolicy": _NOT_YET_SCOPED,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _NOT_YET_SCOPED,
    "aws-native:sns:Topic": _NOT_YET_SCOPED,
    "aws:apigateway/deployment:Deployment": _NOT_YET_SCOPED,
    "aws:apigateway/integration:Integration": _NOT_YET_SCOPED,
    "aws:apigateway/method:Method": _NOT_YET_SCOPED,
    "aws:apigateway/resource:Resource": _NOT_YET_SCOPED,
    "aws:apigateway/restApi:RestApi": _NOT_YET_SCOPED,
    "aws:apigateway/stage:Stage": _NOT_YET_SCOPED,
    "aws:cloudwatch/logGroup:LogGroup": _NOT_YET_SCOPED,
    "aws:dynamodb/table:Table": _NOT_YET_SCOPED,
    "aws:kms/alias:Alias": _NOT_YET_SCOPED,
    "aws:kms/key:Key": _NOT_YET_SCOPED,
    "aws:lambda/alias:Alias": _NOT_YET_SCOPED,
    "aws:lambda/eventSourceMapping:EventSourceMapping": _NOT_YET_SCOPED,
    "aws:lambda/function:Function": _NOT_YET_SCOPED,
    "aws:lambda/permission:Permission": _NOT_YET_SCOPED,
    "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig": _NOT_YET_SCOPED,
    "aws:sqs/queue:Queue": _NOT_YET_SCOPED,
    "aws:sqs/queuePolicy:QueuePolicy": _NOT_YET_SCOPED,
}

OIDC_PROVIDER_WRITES = (
    "iam:AddClientIDToOpenIDConnectProvider",
    "iam:CreateOpenIDConnectProvider",
    "iam:DeleteOpenIDConnectProvider",
    "iam:RemoveClientIDFromOpenIDConnectProvider",
    "iam:TagOpenIDConnectProvider",
    "iam:UntagOpenIDConnectProvider",
    "iam:UpdateOpenIDConnectProviderThumbprint",
)

# Resource types that are not AWS resources (providers, components, references) need no IAM.
NON_AWS_TYPE_PREFIXES = ("pulumi:", "estate:")
