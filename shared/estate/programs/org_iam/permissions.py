"""What the CI roles may do, per resource type the platform manages: read for previews, write for deploys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from estate.components.lambda_function import POWERTOOLS_LAYER_ACCOUNT


@dataclass(frozen=True)
class TypePermissions:
    """The IAM actions that read and that manage one Pulumi resource type, and where.

    ``arn_patterns`` use ``{account_id}``, ``{prefix}`` (``estate-<account>-``),
    ``{glue_prefix}`` (``estate_<account>_``) and ``{region}``; a pattern naming a region is
    expanded over the account's regions. ``tagged``: the ARNs hold AWS-generated ids (KMS
    keys, REST APIs, event source mappings), so the statements carry
    ``aws:ResourceTag/estate:account`` = the account (every resource gets the tag from its
    provider's default tags). ``star_read``/``star_write``: actions AWS documents with no
    resource type (each in estate.iam's RESOURCE_STAR_ACTIONS with its caller), granted on
    ``"*"`` — under ``aws:RequestTag/estate:account`` when ``tagged``.
    """

    read: tuple[str, ...]
    write: tuple[str, ...]
    arn_patterns: tuple[str, ...]
    tagged: bool = False
    star_read: tuple[str, ...] = ()
    star_write: tuple[str, ...] = ()


GITHUB_OIDC_PROVIDER_ARN = (
    "arn:aws:iam::{account_id}:oidc-provider/token.actions.githubusercontent.com"
)
PULUMI_OIDC_PROVIDER_ARN = "arn:aws:iam::{account_id}:oidc-provider/api.pulumi.com/oidc"
OIDC_PROVIDER_ARNS = (GITHUB_OIDC_PROVIDER_ARN, PULUMI_OIDC_PROVIDER_ARN)
_ROLE_ARNS = ("arn:aws:iam::{account_id}:role/{prefix}*",)
_POLICY_ARNS = ("arn:aws:iam::{account_id}:policy/{prefix}*",)
_BUCKET_ARNS = ("arn:aws:s3:::{prefix}*",)
_REGIONAL = "arn:aws:{service}:{{region}}:{{account_id}}:{resource}"
# pulumi-aws-native goes through the Cloud Control API, which then calls the service with
# the caller's own credentials (so the service actions below are still needed).
CLOUD_CONTROL_READ = ("cloudformation:GetResource", "cloudformation:GetResourceRequestStatus")
CLOUD_CONTROL_WRITE = (
    "cloudformation:CreateResource",
    "cloudformation:DeleteResource",
    "cloudformation:UpdateResource",
)


def _regional(service: str, *resources: str) -> tuple[str, ...]:
    return tuple(_REGIONAL.format(service=service, resource=r) for r in resources)


def _bucket_config(read: str, write: str) -> TypePermissions:
    return TypePermissions(read=(read,), write=(write,), arn_patterns=_BUCKET_ARNS)


_LAMBDA_FUNCTIONS = _regional("lambda", "function:{prefix}*")
_LOG_GROUPS = _regional("logs", "log-group:{prefix}*")
_QUEUES = _regional("sqs", "{prefix}*")
_TABLES = _regional("dynamodb", "table/{prefix}*")
_KEYS = _regional("kms", "key/*")
_REST_APIS = tuple(f"arn:aws:apigateway:{{region}}::/{path}" for path in ("restapis/*", "tags/*"))
_APIGATEWAY_CHILD = TypePermissions(
    read=("apigateway:GET",),
    write=("apigateway:DELETE", "apigateway:PATCH", "apigateway:POST", "apigateway:PUT"),
    arn_patterns=_REST_APIS,
    tagged=True,
)
_POWERTOOLS_LAYERS = (
    f"arn:aws:lambda:{{region}}:{POWERTOOLS_LAYER_ACCOUNT}:layer:AWSLambdaPowertoolsPythonV3-*"
)
_LAMBDA_TAGS = ("lambda:ListTags",), ("lambda:TagResource", "lambda:UntagResource")

# One entry per Pulumi resource type any project creates; a test fails when `estate plan`
# records a type missing here, and the deploy role's tests evaluate a representative
# create and update of every entry against its planned policies and boundary.
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
        # The trust anchors of every CI role (GitHub's, Pulumi Cloud's): only org-iam,
        # applied by an administrator, changes them. CI reads them; the guard rails deny
        # OIDC_PROVIDER_WRITES to every role.
        write=(),
        arn_patterns=OIDC_PROVIDER_ARNS,
    ),
    "aws:iam/rolePolicy:RolePolicy": TypePermissions(
        read=("iam:GetRolePolicy", "iam:ListRolePolicies"),
        write=("iam:PutRolePolicy", "iam:DeleteRolePolicy"),
        arn_patterns=_ROLE_ARNS,
    ),
    # S3: names are global and carry no account; the deploy role's buckets are the
    # account's prefix (a bucket of that name elsewhere is not ours to create).
    "aws:s3/bucket:Bucket": TypePermissions(
        # What the provider's refresh of a bucket reads (its deprecated inline attributes).
        read=(
            "s3:ListBucket",
            "s3:GetBucketAcl",
            "s3:GetBucketCORS",
            "s3:GetBucketWebsite",
            "s3:GetAccelerateConfiguration",
            "s3:GetBucketRequestPayment",
            "s3:GetReplicationConfiguration",
            "s3:GetBucketObjectLockConfiguration",
            "s3:GetBucketTagging",
        ),
        write=("s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketTagging"),
        arn_patterns=_BUCKET_ARNS,
    ),
    "aws:s3/bucketVersioning:BucketVersioning": _bucket_config(
        "s3:GetBucketVersioning", "s3:PutBucketVersioning"
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        _bucket_config("s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration")
    ),
    "aws:s3/bucketLogging:BucketLogging": _bucket_config(
        "s3:GetBucketLogging", "s3:PutBucketLogging"
    ),
    "aws:s3/bucketNotification:BucketNotification": _bucket_config(
        "s3:GetBucketNotification", "s3:PutBucketNotification"
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _bucket_config(
        "s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls"
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _bucket_config(
        "s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"
    ),
    # parliament reports s3:PutBucketPolicy and s3:PutLifecycleConfiguration without object
    # access as resource-policy privilege escalation: whoever writes the bucket policy can
    # grant itself the objects. The deploy role writes the platform's bucket policies by
    # design (TLS-only, the notification's queue), so it is given the same buckets'
    # objects outright (Get/Put/DeleteObject: it also empties a bucket it replaces): the
    # escalation gains nothing it does not already hold, and it stays the platform's.
    "aws-native:s3:BucketPolicy": TypePermissions(
        read=("s3:GetBucketPolicy",),
        write=(
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
        ),
        arn_patterns=_BUCKET_ARNS,
        star_read=CLOUD_CONTROL_READ,
        star_write=CLOUD_CONTROL_WRITE,
    ),
    # Expiring objects is deleting them: the same statement holds DeleteObject (above).
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": TypePermissions(
        read=("s3:GetLifecycleConfiguration",),
        write=("s3:PutLifecycleConfiguration", "s3:DeleteObject"),
        arn_patterns=_BUCKET_ARNS,
    ),
    "aws-native:sns:Topic": TypePermissions(
        read=(
            "sns:GetTopicAttributes",
            "sns:ListTagsForResource",
            "sns:ListSubscriptionsByTopic",
        ),
        write=(
            "sns:CreateTopic",
            "sns:DeleteTopic",
            "sns:SetTopicAttributes",
            "sns:TagResource",
            "sns:UntagResource",
            "sns:Subscribe",
        ),
        # A subscription's ARN is the topic's plus ":<id>": the prefix covers both.
        arn_patterns=_regional("sns", "{prefix}*"),
        star_read=CLOUD_CONTROL_READ,
        star_write=(*CLOUD_CONTROL_WRITE, "sns:Unsubscribe"),
    ),
    "aws:apigateway/restApi:RestApi": TypePermissions(
        read=("apigateway:GET",),
        write=("apigateway:POST",),
        # Creating a REST API is a POST on the collection; the new API must carry the tag.
        arn_patterns=("arn:aws:apigateway:{region}::/restapis",),
        tagged=True,
    ),
    "aws:apigateway/deployment:Deployment": _APIGATEWAY_CHILD,
    "aws:apigateway/integration:Integration": _APIGATEWAY_CHILD,
    "aws:apigateway/method:Method": _APIGATEWAY_CHILD,
    "aws:apigateway/resource:Resource": _APIGATEWAY_CHILD,
    "aws:apigateway/stage:Stage": _APIGATEWAY_CHILD,
    "aws:cloudwatch/logGroup:LogGroup": TypePermissions(
        read=("logs:ListTagsForResource",),
        write=(
            "logs:CreateLogGroup",
            "logs:DeleteLogGroup",
            "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy",
            "logs:TagResource",
            "logs:UntagResource",
        ),
        arn_patterns=_LOG_GROUPS,
        star_read=("logs:DescribeLogGroups",),
    ),
    "aws:dynamodb/table:Table": TypePermissions(
        read=(
            "dynamodb:DescribeTable",
            "dynamodb:DescribeContinuousBackups",
            "dynamodb:DescribeTimeToLive",
            "dynamodb:ListTagsOfResource",
        ),
        write=(
            "dynamodb:CreateTable",
            "dynamodb:DeleteTable",
            "dynamodb:UpdateTable",
            "dynamodb:UpdateContinuousBackups",
            "dynamodb:TagResource",
            "dynamodb:UntagResource",
        ),
        arn_patterns=_TABLES,
    ),
    "aws:kms/key:Key": TypePermissions(
        read=(
            "kms:DescribeKey",
            "kms:GetKeyPolicy",
            "kms:GetKeyRotationStatus",
            "kms:ListResourceTags",
        ),
        write=(
            "kms:PutKeyPolicy",
            "kms:EnableKeyRotation",
            "kms:UpdateKeyDescription",
            "kms:TagResource",
            "kms:UntagResource",
            "kms:ScheduleKeyDeletion",
            # A table encrypted with the key: DynamoDB creates a grant as the caller.
            "kms:CreateGrant",
        ),
        arn_patterns=_KEYS,
        tagged=True,
        star_write=("kms:CreateKey",),
    ),
    "aws:kms/keyPolicy:KeyPolicy": TypePermissions(
        read=("kms:DescribeKey", "kms:GetKeyPolicy"),
        write=("kms:PutKeyPolicy",),
        arn_patterns=_KEYS,
        tagged=True,
    ),
    "aws:kms/alias:Alias": TypePermissions(
        read=(),
        # Authorised on the alias and on its key: aliases carry no tags, so the alias's
        # name scopes the pair (estate.iam's ALIAS_ACTIONS); an alias grants no key use.
        write=("kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"),
        arn_patterns=_regional("kms", "alias/{prefix}*", "key/*"),
        star_read=("kms:ListAliases",),
    ),
    "aws:lambda/function:Function": TypePermissions(
        read=(
            "lambda:GetFunction",
            "lambda:GetFunctionCodeSigningConfig",
            "lambda:ListVersionsByFunction",
            _LAMBDA_TAGS[0][0],
        ),
        write=(
            "lambda:CreateFunction",
            "lambda:DeleteFunction",
            "lambda:UpdateFunctionCode",
            "lambda:UpdateFunctionConfiguration",
            "lambda:PublishVersion",
            *_LAMBDA_TAGS[1],
            # Creating a function with a layer reads the layer (AWS's Powertools layer).
            "lambda:GetLayerVersion",
        ),
        arn_patterns=(*_LAMBDA_FUNCTIONS, _POWERTOOLS_LAYERS),
    ),
    "aws:lambda/alias:Alias": TypePermissions(
        read=("lambda:GetAlias",),
        write=("lambda:CreateAlias", "lambda:DeleteAlias", "lambda:UpdateAlias"),
        arn_patterns=_LAMBDA_FUNCTIONS,
    ),
    "aws:lambda/permission:Permission": TypePermissions(
        read=("lambda:GetPolicy",),
        write=("lambda:AddPermission", "lambda:RemovePermission"),
        arn_patterns=_LAMBDA_FUNCTIONS,
    ),
    "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig": TypePermissions(
        read=("lambda:GetProvisionedConcurrencyConfig",),
        write=(
            "lambda:PutProvisionedConcurrencyConfig",
            "lambda:DeleteProvisionedConcurrencyConfig",
        ),
        arn_patterns=_LAMBDA_FUNCTIONS,
    ),
    "aws:lambda/eventSourceMapping:EventSourceMapping": TypePermissions(
        read=("lambda:GetEventSourceMapping",),
        write=(
            "lambda:UpdateEventSourceMapping",
            "lambda:DeleteEventSourceMapping",
            *_LAMBDA_TAGS[1],
        ),
        arn_patterns=_regional("lambda", "event-source-mapping:*"),
        tagged=True,
        star_write=("lambda:CreateEventSourceMapping",),
    ),
    "aws:sqs/queue:Queue": TypePermissions(
        read=("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags"),
        write=(
            "sqs:CreateQueue",
            "sqs:DeleteQueue",
            "sqs:SetQueueAttributes",
            "sqs:TagQueue",
            "sqs:UntagQueue",
        ),
        arn_patterns=_QUEUES,
    ),
    "aws:sqs/queuePolicy:QueuePolicy": TypePermissions(
        read=("sqs:GetQueueAttributes",),
        write=("sqs:SetQueueAttributes",),
        arn_patterns=_QUEUES,
    ),
    "aws:sfn/stateMachine:StateMachine": TypePermissions(
        read=(
            "states:DescribeStateMachine",
            "states:ListStateMachineVersions",
            "states:ListTagsForResource",
        ),
        write=(
            "states:CreateStateMachine",
            "states:DeleteStateMachine",
            "states:UpdateStateMachine",
            "states:TagResource",
            "states:UntagResource",
        ),
        arn_patterns=_regional("states", "stateMachine:{prefix}*"),
    ),
    "aws-native:scheduler:Schedule": TypePermissions(
        read=("scheduler:GetSchedule",),
        write=("scheduler:CreateSchedule", "scheduler:DeleteSchedule", "scheduler:UpdateSchedule"),
        arn_patterns=_regional("scheduler", "schedule/default/{prefix}*"),
        star_read=CLOUD_CONTROL_READ,
        star_write=CLOUD_CONTROL_WRITE,
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": TypePermissions(
        read=("cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
        write=(
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:DeleteAlarms",
            "cloudwatch:TagResource",
            "cloudwatch:UntagResource",
        ),
        arn_patterns=_regional("cloudwatch", "alarm:{prefix}*"),
    ),
    "aws:cloudwatch/dashboard:Dashboard": TypePermissions(
        read=("cloudwatch:GetDashboard",),
        write=("cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards"),
        # Dashboards are global: their ARN has no region.
        arn_patterns=("arn:aws:cloudwatch::{account_id}:dashboard/{prefix}*",),
    ),
    "aws:glue/catalogDatabase:CatalogDatabase": TypePermissions(
        read=("glue:GetDatabase",),
        write=("glue:CreateDatabase", "glue:DeleteDatabase", "glue:UpdateDatabase"),
        # DeleteDatabase also names the database's tables and functions.
        arn_patterns=_regional(
            "glue",
            "catalog",
            "database/{glue_prefix}*",
            "table/{glue_prefix}*/*",
            "userDefinedFunction/{glue_prefix}*/*",
        ),
    ),
    "aws:glue/catalogTable:CatalogTable": TypePermissions(
        read=("glue:GetTable",),
        write=("glue:CreateTable", "glue:DeleteTable", "glue:UpdateTable"),
        arn_patterns=_regional(
            "glue", "catalog", "database/{glue_prefix}*", "table/{glue_prefix}*/*"
        ),
    ),
    "aws:athena/workgroup:Workgroup": TypePermissions(
        read=("athena:GetWorkGroup", "athena:ListTagsForResource"),
        write=(
            "athena:CreateWorkGroup",
            "athena:DeleteWorkGroup",
            "athena:UpdateWorkGroup",
            "athena:TagResource",
            "athena:UntagResource",
        ),
        # The tagging actions name all three taggable types; ours are workgroups only.
        arn_patterns=_regional(
            "athena",
            "workgroup/{prefix}*",
            "datacatalog/{prefix}*",
            "capacity-reservation/{prefix}*",
        ),
    ),
    "aws:athena/namedQuery:NamedQuery": TypePermissions(
        # Named queries are authorised on their workgroup.
        read=("athena:GetNamedQuery",),
        write=("athena:CreateNamedQuery", "athena:DeleteNamedQuery"),
        arn_patterns=_regional("athena", "workgroup/{prefix}*"),
    ),
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
