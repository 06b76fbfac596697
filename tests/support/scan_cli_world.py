"""The small moto worlds `estate scan`'s command-line tests scan: two buckets, one public
and one tagged, and two instances, one tagged `Owner` and one `owner` (a wrong key)."""

from __future__ import annotations

import boto3

REGION = "us-east-1"


def make_buckets(endpoint_url: str | None = None) -> None:
    """`open-bucket` (public-read ACL, untagged) and `quiet-bucket` (private, Owner=ops)."""
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=endpoint_url)
    s3.create_bucket(Bucket="open-bucket")
    s3.put_bucket_acl(Bucket="open-bucket", ACL="public-read")
    s3.create_bucket(Bucket="quiet-bucket")
    s3.put_bucket_tagging(
        Bucket="quiet-bucket", Tagging={"TagSet": [{"Key": "Owner", "Value": "ops"}]}
    )


def make_instances(endpoint_url: str | None = None) -> None:
    """Two instances in REGION: one tagged Owner=ops, one owner=ops (the key's case differs)."""
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=endpoint_url)
    for tags in ([{"Key": "Owner", "Value": "ops"}], [{"Key": "owner", "Value": "ops"}]):
        ec2.run_instances(
            ImageId="ami-12c6146b",
            MinCount=1,
            MaxCount=1,
            TagSpecifications=[{"ResourceType": "instance", "Tags": tags}],
        )
