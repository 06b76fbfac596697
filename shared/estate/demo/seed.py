"""The demo's accounts: a deterministic, realistic mix of good and bad buckets and instances.

Every bucket starts from a well-run baseline — public access blocked, ACLs disabled,
KMS default encryption, versioning, a lifecycle rule, access logging, a TLS-only policy,
the account's required tags — and bucket ``i`` gets the defects ``DEFECT_CYCLE[i]`` names.
Event notifications, object lock and replication are left off, as on most real buckets, so
their (LOW and INFORMATIONAL) checks fail everywhere. The dev account also leaves its
account-level public access block off, the one place a public bucket is really public.
Instances cycle through compliant, incomplete, wrongly valued and untagged tag sets.

The truth — which (resource, check) must FAIL — is derived from the same declarations, so
the demo's printed counts can be checked against it (tests/shared/demo).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from estate.accounts import Account
from estate_scanners.s3.checks import all_checks
from estate_scanners.tags.checks.required_tags import CHECK as INSTANCE_REQUIRED_TAGS
from estate_scanners.tags.rules import TagRule, parse_rules

AMI: Final = "ami-12c6146b"  # one of moto's built-in images
# Not configured on well-run buckets either: these checks fail on every seeded bucket.
BASELINE_FAILS: Final = frozenset({"s3.event_notifications", "s3.object_lock", "s3.replication"})
DEFECTS: Final[Mapping[str, frozenset[str]]] = {
    "public": frozenset({"s3.public_read", "s3.bucket_public_access_block", "s3.acls_disabled"}),
    "unencrypted": frozenset({"s3.default_encryption", "s3.kms_encryption"}),
    "unversioned": frozenset({"s3.versioning"}),
    "plain-http": frozenset({"s3.tls_only"}),
    "untagged": frozenset({"s3.required_tags"}),
    "unlogged": frozenset({"s3.access_logging"}),
}
DEFECT_CYCLE: Final[tuple[tuple[str, ...], ...]] = (
    (),
    ("untagged",),
    ("unencrypted",),
    (),
    ("plain-http", "unlogged"),
    ("unversioned",),
    ("public",),
    (),
    ("unencrypted", "untagged"),
    ("unlogged",),
)
INSTANCE_CYCLE: Final = ("compliant", "missing", "compliant", "wrong-value", "untagged")
# Values tried for each required tag until one the account's rule allows is found.
_CANDIDATES: Final = ("platform@acme.example", "1234", "prod", "staging", "dev", "platform")
_WRONG: Final = "!not-allowed!"
# The dev account's own block is off: a public bucket there is really public.
OPEN_ACCOUNT_STAGE: Final = "dev"

_CHECK_IDS = frozenset(check.check_id for check in all_checks())
if (
    not all(set(checks) <= _CHECK_IDS for checks in DEFECTS.values())
    or not BASELINE_FAILS <= _CHECK_IDS
):
    raise RuntimeError("estate.demo.seed names a check the registry does not have")


@dataclass(frozen=True)
class SeededBucket:
    """One bucket and the defects it was given."""

    name: str
    defects: tuple[str, ...]

    def failing(self) -> frozenset[str]:
        """The checks that must FAIL on it."""
        return BASELINE_FAILS.union(*(DEFECTS[d] for d in self.defects))


@dataclass(frozen=True)
class SeededInstance:
    """One instance and its tag profile."""

    instance_id: str
    profile: str


@dataclass
class SeededAccount:
    """What was seeded in one account, and the truth it implies."""

    account: Account
    buckets: list[SeededBucket] = field(default_factory=list)
    instances: list[SeededInstance] = field(default_factory=list)

    @property
    def account_block_on(self) -> bool:
        """Whether the account-level public access block is on."""
        return self.account.stage.value != OPEN_ACCOUNT_STAGE

    def expected_failures(self) -> dict[tuple[str, str], str]:
        """(resource id, check id) -> severity of every FAIL the scans must find."""
        severities: dict[str, str] = {check.check_id: check.severity for check in all_checks()}
        failures: dict[tuple[str, str], str] = {
            (bucket.name, check): severities[check]
            for bucket in self.buckets
            for check in bucket.failing()
        }
        for instance in self.instances:
            if instance.profile != "compliant":
                failures[(instance.instance_id, INSTANCE_REQUIRED_TAGS.check_id)] = (
                    INSTANCE_REQUIRED_TAGS.severity
                )
        if not self.account_block_on:
            check = "s3.account_public_access_block"
            failures[(self.account.account_id, check)] = severities[check]
        return failures

    def resources(self) -> frozenset[str]:
        """Every seeded resource id (buckets, instances, the account itself)."""
        return frozenset(
            [b.name for b in self.buckets]
            + [i.instance_id for i in self.instances]
            + [self.account.account_id]
        )


def bucket_defects(index: int, account: Account) -> tuple[str, ...]:
    """Bucket ``index``'s defects; a public bucket only where the account block is off."""
    defects = DEFECT_CYCLE[index % len(DEFECT_CYCLE)]
    if "public" in defects and account.stage.value != OPEN_ACCOUNT_STAGE:
        return ("untagged",)
    return defects


def compliant_tags(rules: Sequence[TagRule]) -> dict[str, str]:
    """One value per required tag that its rule allows."""
    tags = {}
    for rule in rules:
        value = next((v for v in (*(rule.values or ()), *_CANDIDATES) if rule.allows(v)), None)
        if value is None:
            raise ValueError(f"demo: no sample value satisfies required tag {rule.key!r}")
        tags[rule.key] = value
    return tags


def instance_tags(profile: str, rules: Sequence[TagRule]) -> dict[str, str]:
    """The tag set of one instance profile."""
    tags = compliant_tags(rules)
    if profile == "missing" and tags:
        tags.pop(sorted(tags)[-1])
    elif profile == "wrong-value":
        constrained = [r.key for r in rules if r.values is not None or r.pattern is not None]
        if constrained:
            tags[constrained[0]] = _WRONG
    elif profile == "untagged":
        tags = {}
    return tags


def seed_account(clients: Any, account: Account, *, buckets: int, instances: int) -> SeededAccount:
    """Create the account's buckets and instances; ``clients(service, region)`` gives clients
    acting in the account."""
    rules = parse_rules(account.tag_rules_payload())
    region = account.primary_region
    seeded = SeededAccount(account)
    s3control = clients("s3control", region)
    s3control.put_public_access_block(
        AccountId=account.account_id,
        PublicAccessBlockConfiguration=_block(seeded.account_block_on),
    )
    s3 = clients("s3", region)
    tags = compliant_tags(rules)
    # The access-log bucket: well run, but its own logs would loop, so it logs nowhere.
    logs = SeededBucket(f"{account.name}-access-logs", ("unlogged",))
    _seed_bucket(s3, logs, region, tags, log_bucket=logs.name)
    seeded.buckets.append(logs)
    _seed_trail(clients("cloudtrail", region), account, logs.name)
    for index in range(buckets):
        bucket = SeededBucket(f"{account.name}-data-{index:03d}", bucket_defects(index, account))
        _seed_bucket(s3, bucket, region, tags, log_bucket=logs.name)
        seeded.buckets.append(bucket)
    ec2 = clients("ec2", region)
    for index in range(instances):
        profile = INSTANCE_CYCLE[index % len(INSTANCE_CYCLE)]
        request: dict[str, Any] = {"ImageId": AMI, "MinCount": 1, "MaxCount": 1}
        tags = instance_tags(profile, rules)
        if tags:
            request["TagSpecifications"] = [
                {
                    "ResourceType": "instance",
                    "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
                }
            ]
        instance = ec2.run_instances(**request)["Instances"][0]["InstanceId"]
        seeded.instances.append(SeededInstance(instance, profile))
    return seeded


def _seed_trail(cloudtrail: Any, account: Account, log_bucket: str) -> None:
    """A multi-Region trail recording every bucket's object reads and writes: the baseline a
    well-run account has (S3.22/S3.23), so the data-event checks pass everywhere."""
    name = f"{account.name}-trail"
    cloudtrail.create_trail(Name=name, S3BucketName=log_bucket, IsMultiRegionTrail=True)
    cloudtrail.put_event_selectors(
        TrailName=name,
        EventSelectors=[
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": True,
                "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
            }
        ],
    )


def _block(on: bool) -> dict[str, bool]:
    return dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), on
    )


def _seed_bucket(
    s3: Any, bucket: SeededBucket, region: str, tags: Mapping[str, str], *, log_bucket: str
) -> None:
    name, defects = bucket.name, set(bucket.defects)
    create: dict[str, Any] = {"Bucket": name}
    if region != "us-east-1":
        create["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**create)
    public = "public" in defects
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=_block(not public))
    ownership = "ObjectWriter" if public else "BucketOwnerEnforced"
    s3.put_bucket_ownership_controls(
        Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": ownership}]}
    )
    if public:
        s3.put_bucket_acl(Bucket=name, ACL="public-read")
    if "unencrypted" not in defects:
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
            },
        )
    if "unversioned" not in defects:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(
        Bucket=name,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire-old",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
                }
            ]
        },
    )
    policy = tls_only_policy(name)
    if name == log_bucket:
        # First: moto reads statements in order and trips over a "*" principal before it.
        policy["Statement"].insert(0, _log_delivery(name))
    if "plain-http" not in defects or name == log_bucket:
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    if "unlogged" not in defects:
        _log_to(s3, name, log_bucket)
    if "untagged" not in defects and tags:
        s3.put_bucket_tagging(
            Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}
        )


def _log_delivery(name: str) -> dict[str, Any]:
    return {
        "Sid": "S3ServerAccessLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{name}/*",
    }


def _log_to(s3: Any, name: str, log_bucket: str) -> None:
    s3.put_bucket_logging(
        Bucket=name,
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": log_bucket, "TargetPrefix": f"{name}/"}
        },
    )


def tls_only_policy(name: str) -> dict[str, Any]:
    """The plain SecureTransport deny the tls_only check credits."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyPlainHttp",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def fix_bucket(s3: Any, bucket: SeededBucket, account: Account, log_bucket: str) -> frozenset[str]:
    """Repair the bucket's defects (those a fix can undo in place); return the checks it fixes."""
    fixed: set[str] = set()
    for defect in bucket.defects:
        if defect == "unencrypted":
            s3.put_bucket_encryption(
                Bucket=bucket.name,
                ServerSideEncryptionConfiguration={
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
                },
            )
        elif defect == "untagged":
            tags = compliant_tags(parse_rules(account.tag_rules_payload()))
            s3.put_bucket_tagging(
                Bucket=bucket.name,
                Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]},
            )
        elif defect == "unversioned":
            s3.put_bucket_versioning(
                Bucket=bucket.name, VersioningConfiguration={"Status": "Enabled"}
            )
        elif defect == "plain-http":
            s3.put_bucket_policy(
                Bucket=bucket.name, Policy=json.dumps(tls_only_policy(bucket.name))
            )
        elif defect == "unlogged" and bucket.name != log_bucket:
            _log_to(s3, bucket.name, log_bucket)
        else:
            continue
        fixed |= DEFECTS[defect]
    return frozenset(fixed)
