"""What makes a bucket private, the same for every bucket the platform creates: all four
public access block settings on (Security Hub S3.8) and BucketOwnerEnforced ownership, so
no ACL can grant anything (S3.12)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws


def block_public_access(
    bucket: aws.s3.Bucket, *, block_name: str, ownership_name: str, opts: pulumi.ResourceOptions
) -> None:
    """The bucket's public access block and ownership controls, under the given names."""
    aws.s3.BucketPublicAccessBlock(
        block_name,
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts,
    )
    aws.s3.BucketOwnershipControls(
        ownership_name,
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=opts,
    )
