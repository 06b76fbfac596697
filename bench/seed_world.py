"""A benchmark account in moto: buckets with a realistic mix of configurations, and instances.

The same deterministic world is seeded in process (`mock_aws`, to record responses) and
in a `moto_server` (the emulator run). Bucket `i` gets its configuration from `i` alone,
so every size has the same proportions: about half tagged, a third blocked, a third
KMS-encrypted, a quarter versioned, a fifth with a policy, a few public, logged, notified,
replicated or object-locked. Instances are launched ten per reservation (one call each)
with a mix of compliant, incomplete, wrongly cased and untagged tag sets.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

from estate_scanners.tags.rules import TagRuleSet, parse_rules

ACCOUNT_ID: Final = "123456789012"  # moto's default account
OTHER_ACCOUNT_ID: Final = "210987654321"
REGIONS: Final = ("us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2")
HOME_REGION: Final = REGIONS[0]
RESERVATION_SIZE: Final = 10
# moto pages DescribeInstances by reservation, AWS by instance: asking moto for 100
# reservations of 10 gives AWS's 1,000-instance pages (and their number of calls). With
# MaxResults=1000, moto would answer a region in one page of every instance, which through
# moto_server takes longer than the client's read timeout.
INSTANCE_PAGE_SIZE: Final = 1000 // RESERVATION_SIZE
AMI: Final = "ami-12c6146b"
RULES_JSON: Final = [
    {"key": "Owner", "values": None, "pattern": "^[a-z0-9._-]+@acme\\.example$"},
    {"key": "Environment", "values": ["dev", "staging", "prod"], "pattern": None},
    {"key": "CostCenter", "values": None, "pattern": "^[0-9]{4}$"},
]
_TAG_SETS: Final = (
    {"Owner": "jane.doe@acme.example", "Environment": "prod", "CostCenter": "1234"},
    {"Owner": "ops@acme.example", "Environment": "dev", "CostCenter": "0042"},
    {"Owner": "ops@acme.example", "Environment": "qa", "CostCenter": "0042"},
    {"owner": "ops@acme.example", "Environment": "staging"},
    {"Name": "legacy-box"},
)

ClientFor = Callable[[str, str], Any]  # (service, region) -> boto3 client


def tag_rules() -> TagRuleSet:
    """The account's required-tag rules (as accounts/dev.yaml sets them), as both scanners
    take them."""
    return TagRuleSet(parse_rules(RULES_JSON))


def bucket_name(index: int) -> str:
    """The name of bucket `index`."""
    return f"estate-bench-{index:05d}"


def seed_buckets(client_for: ClientFor, count: int, *, threads: int = 1) -> list[str]:
    """Create `count` buckets over REGIONS with their configurations; their names."""
    client_for("s3control", HOME_REGION).put_public_access_block(
        AccountId=ACCOUNT_ID,
        PublicAccessBlockConfiguration=_block(restrict=False),
    )
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(lambda i: _seed_bucket(client_for, i), range(count)))


def _seed_bucket(client_for: ClientFor, index: int) -> str:
    name = bucket_name(index)
    region = REGIONS[index % len(REGIONS)]
    s3 = client_for("s3", region)
    create: dict[str, Any] = {"Bucket": name, "ObjectLockEnabledForBucket": index % 20 == 7}
    if region != "us-east-1":
        create["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**create)
    _seed_access(s3, name, index)
    _seed_data_protection(s3, name, index)
    return name


def _seed_access(s3: Any, name: str, index: int) -> None:
    """Tags, blocks, policy, ownership and ACL: who may reach the bucket."""
    if index % 2 == 0:
        tags = _TAG_SETS[index // 2 % len(_TAG_SETS)]
        s3.put_bucket_tagging(
            Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}
        )
    if index % 3 == 0 or index % 9 == 4:
        configuration = _block(restrict=index % 3 == 0)
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=configuration)
    if index % 5 == 0:
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps(_policy(name, index)))
    if index % 6 == 0:
        s3.put_bucket_ownership_controls(
            Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
        )
    if index % 17 == 0:
        s3.put_bucket_acl(Bucket=name, ACL="public-read")


def _seed_data_protection(s3: Any, name: str, index: int) -> None:
    """Encryption, versioning, lifecycle, logging, notifications, replication (after the
    policy: logging needs the bucket's own policy to let the logging service write)."""
    if index % 3 == 1 or index % 6 == 2:
        rule: dict[str, Any] = {"SSEAlgorithm": "AES256"}
        if index % 3 == 1:
            rule = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": f"alias/bench-{index % 4}"}
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": rule}]
            },
        )
    if index % 4 == 0:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    if index % 8 == 0:
        expire = {"ID": "expire", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 90}}
        s3.put_bucket_lifecycle_configuration(
            Bucket=name, LifecycleConfiguration={"Rules": [expire]}
        )
    if index % 10 == 0:
        s3.put_bucket_logging(
            Bucket=name,
            BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": name, "TargetPrefix": "logs/"}},
        )
    if index % 12 == 0:
        s3.put_bucket_notification_configuration(
            Bucket=name, NotificationConfiguration={"EventBridgeConfiguration": {}}
        )
    if index % 16 == 0:  # versioned too (index % 4 == 0), as replication requires
        s3.put_bucket_replication(Bucket=name, ReplicationConfiguration=_replication(index))


def _block(*, restrict: bool) -> dict[str, bool]:
    return {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": restrict,
    }


def _policy(name: str, index: int) -> dict[str, Any]:
    arn = f"arn:aws:s3:::{name}"
    statements: list[dict[str, Any]] = []
    if index % 10 == 0:  # the bucket logs into itself; first, as moto reads statements in order
        statements.append(
            {
                "Sid": "ServerAccessLogs",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": ["s3:PutObject"],
                "Resource": f"{arn}/*",
            }
        )
    statements.append(
        {
            "Sid": "TlsOnly",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [arn, f"{arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )
    if index % 15 == 0:
        statements.append(
            {
                "Sid": "Partner",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT_ID}:root"},
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": f"{arn}/*",
            }
        )
    if index % 25 == 0:
        statements.append(
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{arn}/*"}
        )
    return {"Version": "2012-10-17", "Statement": statements}


def _replication(index: int) -> dict[str, Any]:
    return {
        "Role": f"arn:aws:iam::{ACCOUNT_ID}:role/bench-replication",
        "Rules": [
            {
                "ID": "copy",
                "Status": "Enabled",
                "Priority": 1,
                "Filter": {},
                "DeleteMarkerReplication": {"Status": "Disabled"},
                "Destination": {"Bucket": f"arn:aws:s3:::{bucket_name(index)}-replica"},
            }
        ],
    }


def seed_instances(client_for: ClientFor, count: int, *, threads: int = 1) -> list[str]:
    """Launch `count` instances spread evenly over REGIONS; their ids."""
    batches: list[tuple[str, int, int]] = []
    for position, region in enumerate(REGIONS):
        share = count // len(REGIONS) + (position < count % len(REGIONS))
        for start in range(0, share, RESERVATION_SIZE):
            batches.append((region, len(batches), min(RESERVATION_SIZE, share - start)))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        launched = pool.map(lambda batch: _launch(client_for, *batch), batches)
        return [instance_id for ids in launched for instance_id in ids]


def _launch(client_for: ClientFor, region: str, batch: int, size: int) -> list[str]:
    tags = _TAG_SETS[batch % len(_TAG_SETS)]
    response = client_for("ec2", region).run_instances(
        ImageId=AMI,
        InstanceType="t3.micro",
        MinCount=size,
        MaxCount=size,
        TagSpecifications=[
            {
                "ResourceType": "instance",
                "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
            }
        ],
    )
    return [str(instance["InstanceId"]) for instance in response["Instances"]]
