"""The actions that may be granted beyond named resources, each with the code that calls it.

``RESOURCE_STAR_ACTIONS``: AWS documents no resource type for these, so ``"*"`` is the
only resource that grants them. An action belongs here only if that is true (a test
checks every entry against the IAM catalogue) and something in this repository calls
it: the reason names the caller, and a test fails for an entry no planned policy grants.

``account_wide_read_actions()``: the read actions org-iam's scanner role grants on every
resource of a type (``arn:aws:s3:::*``), because a scanner reads every bucket of the
account by design. They are derived from the S3 analyzer's own declaration of what it
fetches (``estate_scanners.s3.sources``), never listed by hand, and are all read-level.

Adding to either is a reviewed change to this file, never a flag at the call site.
"""

import functools
from collections.abc import Mapping
from types import MappingProxyType

RESOURCE_STAR_ACTIONS: Mapping[str, str] = MappingProxyType(
    {
        # Scanners, through org-iam's scanner role: enumerating an account is account-wide.
        "s3:ListAllMyBuckets": (
            "S3 analyzer's ListBuckets (estate_scanners.s3.collector) lists every bucket"
        ),
        "s3:GetAccountPublicAccessBlock": (
            "S3 analyzer reads the account-level public access block (S3 Control, "
            "estate_scanners.s3.sources)"
        ),
        "s3:ListAccessPoints": (
            "S3 analyzer lists a bucket's access points (S3 Control, estate_scanners.s3.reads)"
        ),
        "s3:GetAccessPoint": (
            "S3 analyzer reads each access point's block (estate_scanners.s3.reads); the "
            "catalogue gives it no resource type"
        ),
        "s3:ListMultiRegionAccessPoints": (
            "S3 analyzer lists the account's multi-Region access points "
            "(estate_scanners.s3.sources)"
        ),
        "cloudtrail:DescribeTrails": (
            "S3 analyzer lists trails for the data-event checks (estate_scanners.s3.reads)"
        ),
        "ec2:DescribeInstances": (
            "tag checker's DescribeInstances (estate_scanners.tags.collector); EC2 Describe* "
            "take no ARN"
        ),
        # Lambda's stream poller, with the function's role (core's alerts and Security Hub).
        "dynamodb:ListStreams": (
            "Lambda's DynamoDB stream poller (estate.programs.core.functions."
            "stream_poll_statements), which AWS documents among its required permissions"
        ),
        # The deploy role (org-iam's MANAGED_TYPES), creating what has no ARN before it exists.
        "kms:CreateKey": (
            "deploy role creates core's reports key (aws:kms/key:Key), only with the "
            "account's estate:account tag (aws:RequestTag)"
        ),
        "lambda:CreateEventSourceMapping": (
            "deploy role creates core's queue and stream mappings "
            "(aws:lambda/eventSourceMapping:EventSourceMapping), only tagged (aws:RequestTag)"
        ),
        "sns:Unsubscribe": (
            "deploy role: an address leaves alerts.emails (core's aws-native alert Topic)"
        ),
        "kms:ListAliases": "preview and deploy roles: the aws provider reads an alias by listing",
        "logs:DescribeLogGroups": (
            "preview and deploy roles: the aws provider reads a log group by prefix listing"
        ),
        # pulumi-aws-native (s3 BucketPolicy, sns Topic, scheduler Schedule) goes through the
        # Cloud Control API; Cloud Control then calls the service with the caller's rights.
        "cloudformation:CreateResource": "deploy role: pulumi-aws-native creates via Cloud Control",
        "cloudformation:UpdateResource": "deploy role: pulumi-aws-native updates via Cloud Control",
        "cloudformation:DeleteResource": "deploy role: pulumi-aws-native deletes via Cloud Control",
        "cloudformation:GetResource": "preview and deploy roles: pulumi-aws-native reads",
        "cloudformation:GetResourceRequestStatus": (
            "deploy role: pulumi-aws-native polls its Cloud Control requests"
        ),
        # Identity: Pulumi's aws provider asks who it is before anything else.
        "sts:GetCallerIdentity": (
            "preview and deploy roles (org-iam's WhoAmI statement): the Pulumi aws provider "
            "checks the account it reached"
        ),
    }
)


@functools.cache
def account_wide_read_actions() -> frozenset[str]:
    """Read actions the S3 analyzer needs on every bucket (those that name a resource)."""
    # Imported here: estate.iam stays importable without the scanner registry loaded.
    from estate.iam.catalogue import action_catalogue  # noqa: PLC0415
    from estate_scanners.s3.sources import required_iam_actions  # noqa: PLC0415

    catalogue = action_catalogue()
    wide = set()
    for action in required_iam_actions():
        info = catalogue.info(action)
        if info is not None and info.resource_types and info.access_level in {"Read", "List"}:
            wide.add(action)
    return frozenset(wide)
