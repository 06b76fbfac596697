"""Every check, end to end against moto: one bucket that passes, one that fails.

Each test shapes two buckets, runs the whole analyzer once, and reads both findings back
from the written report (status, message, resource, evidence).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from estate_scanners.s3.check_model import TagRuleSet
from estate_scanners.tags.rules import parse_rules
from tests.support.s3_world import ACCOUNT_ID, OTHER_ACCOUNT_ID, S3World

NO_CROSS_ACCOUNT_GRANT = (
    "Bucket pass-bucket's policy gives no other account write, delete or access-changing actions."
)


def scan_pair(world: S3World, check_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    world.scan()
    return world.finding("pass-bucket", check_id), world.finding("fail-bucket", check_id)


def make_pair(world: S3World, **create: Any) -> None:
    world.bucket("pass-bucket", **create)
    world.bucket("fail-bucket")


def assert_bucket_finding(finding: dict[str, Any], status: str, message: str) -> None:
    assert finding["status"] == status
    assert finding["message"] == message
    assert finding["resource_type"] == "AWS::S3::Bucket"
    assert finding["resource_arn"] == f"arn:aws:s3:::{finding['resource_id']}"
    assert finding["account_id"] == ACCOUNT_ID
    assert finding["region"] == "us-east-1"


def test_account_public_access_block_fails_without_one(world: S3World) -> None:
    world.bucket("some-bucket")

    world.scan()

    finding = world.finding(ACCOUNT_ID, "s3.account_public_access_block")
    assert finding["status"] == "FAIL"
    assert (
        finding["message"] == f"Account {ACCOUNT_ID} has no account-level S3 public access block."
    )
    assert finding["resource_type"] == "AWS::::Account"
    assert finding["resource_arn"] == f"arn:aws:iam::{ACCOUNT_ID}:root"
    assert finding["severity"] == "HIGH"
    assert finding["controls"] == ["SecurityHub:S3.1"]
    assert finding["evidence"] == {
        "configured": False,
        "not_configured_code": "NoSuchPublicAccessBlockConfiguration",
    }


def test_account_public_access_block_fails_with_a_flag_off_and_passes_with_all_on(
    world: S3World,
) -> None:
    world.account_block(block_public_acls=True, ignore_public_acls=True, block_public_policy=True)
    world.scan()
    partial = world.finding(ACCOUNT_ID, "s3.account_public_access_block")

    world.account_block(
        block_public_acls=True,
        ignore_public_acls=True,
        block_public_policy=True,
        restrict_public_buckets=True,
    )
    world.scan(scan_id="scan-again")
    full = world.finding(ACCOUNT_ID, "s3.account_public_access_block", scan_id="scan-again")

    assert partial["status"] == "FAIL"
    assert partial["message"] == (
        f"Account {ACCOUNT_ID}'s public access block has RestrictPublicBuckets off."
    )
    assert partial["evidence"]["flags_off"] == ["RestrictPublicBuckets"]
    assert full["status"] == "PASS"
    assert full["evidence"]["flags"] == dict.fromkeys(
        ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"], True
    )


def test_bucket_public_access_block(world: S3World) -> None:
    make_pair(world)
    world.bucket_block(
        "pass-bucket",
        **dict.fromkeys(
            [
                "block_public_acls",
                "ignore_public_acls",
                "block_public_policy",
                "restrict_public_buckets",
            ],
            True,
        ),
    )
    world.bucket_block("fail-bucket", block_public_acls=True, ignore_public_acls=True)

    passed, failed = scan_pair(world, "s3.bucket_public_access_block")

    assert_bucket_finding(
        passed, "PASS", "Bucket pass-bucket's public access block has all four flags on."
    )
    assert_bucket_finding(
        failed,
        "FAIL",
        "Bucket fail-bucket's public access block has BlockPublicPolicy, "
        "RestrictPublicBuckets off.",
    )
    assert failed["evidence"]["flags_off"] == ["BlockPublicPolicy", "RestrictPublicBuckets"]
    assert failed["controls"] == ["SecurityHub:S3.8"]


def test_public_read_through_an_acl_grant(world: S3World) -> None:
    make_pair(world)
    world.grant_public("fail-bucket", "READ")

    passed, failed = scan_pair(world, "s3.public_read")

    assert_bucket_finding(passed, "PASS", "Bucket pass-bucket is not publicly readable.")
    assert_bucket_finding(
        failed,
        "FAIL",
        "Bucket fail-bucket is publicly readable through its ACL, and no public access block "
        "neutralises it.",
    )
    assert failed["severity"] == "CRITICAL"
    assert failed["evidence"]["acl"]["public_grants"][0]["permission"] == "READ"
    assert failed["evidence"]["account_block"] == {
        "configured": False,
        "not_configured_code": "NoSuchPublicAccessBlockConfiguration",
    }


def test_public_write_through_a_policy_statement(
    world: S3World, statement: Callable[..., dict[str, Any]]
) -> None:
    make_pair(world)
    world.policy("fail-bucket", statement("fail-bucket", Action=["s3:PutObject"]))

    passed, failed = scan_pair(world, "s3.public_write")

    assert_bucket_finding(passed, "PASS", "Bucket pass-bucket is not publicly writable.")
    assert_bucket_finding(
        failed,
        "FAIL",
        "Bucket fail-bucket is publicly writable through its bucket policy, and no public access "
        "block neutralises it.",
    )
    assert failed["evidence"]["policy"]["public_statements"][0]["Action"] == ["s3:PutObject"]
    assert failed["controls"] == ["SecurityHub:S3.3"]


def test_tls_only(world: S3World) -> None:
    make_pair(world)
    world.policy(
        "pass-bucket",
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::pass-bucket", "arn:aws:s3:::pass-bucket/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    )

    passed, failed = scan_pair(world, "s3.tls_only")

    assert_bucket_finding(
        passed, "PASS", "Bucket pass-bucket's policy denies requests made without TLS."
    )
    assert passed["evidence"]["statements_covering_objects"] == [0]
    assert_bucket_finding(
        failed,
        "FAIL",
        "Bucket fail-bucket has no bucket policy, so nothing denies requests without TLS.",
    )
    assert failed["evidence"] == {"has_policy": False, "not_configured_code": "NoSuchBucketPolicy"}


def test_cross_account_access(world: S3World, statement: Callable[..., dict[str, Any]]) -> None:
    make_pair(world)
    other = {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT_ID}:root"}
    world.policy("pass-bucket", statement("pass-bucket", Principal=other, Action="s3:GetObject"))
    world.policy("fail-bucket", statement("fail-bucket", Principal=other, Action="s3:PutObjectAcl"))

    passed, failed = scan_pair(world, "s3.cross_account_access")

    assert_bucket_finding(passed, "PASS", NO_CROSS_ACCOUNT_GRANT)
    assert_bucket_finding(
        failed,
        "FAIL",
        f"Bucket fail-bucket's policy lets account(s) {OTHER_ACCOUNT_ID} write, delete or change "
        "access.",
    )
    assert failed["evidence"]["grants"][0]["accounts"] == [OTHER_ACCOUNT_ID]
    assert failed["severity"] == "HIGH"


def test_access_logging(world: S3World) -> None:
    make_pair(world)
    world.bucket("log-target")
    world.admin().put_bucket_acl(Bucket="log-target", ACL="log-delivery-write")
    world.admin().put_bucket_logging(
        Bucket="pass-bucket",
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "log-target", "TargetPrefix": "s3/"}
        },
    )

    passed, failed = scan_pair(world, "s3.access_logging")

    assert_bucket_finding(
        passed, "PASS", "Bucket pass-bucket logs server access to bucket log-target."
    )
    assert passed["evidence"] == {
        "enabled": True,
        "target_bucket": "log-target",
        "target_prefix": "s3/",
    }
    assert_bucket_finding(failed, "FAIL", "Bucket fail-bucket has server access logging off.")


def test_versioning(world: S3World) -> None:
    make_pair(world)
    world.admin().put_bucket_versioning(
        Bucket="pass-bucket", VersioningConfiguration={"Status": "Enabled"}
    )
    world.admin().put_bucket_versioning(
        Bucket="fail-bucket", VersioningConfiguration={"Status": "Enabled"}
    )
    world.admin().put_bucket_versioning(
        Bucket="fail-bucket", VersioningConfiguration={"Status": "Suspended"}
    )

    passed, failed = scan_pair(world, "s3.versioning")

    assert_bucket_finding(passed, "PASS", "Bucket pass-bucket has versioning enabled.")
    assert_bucket_finding(failed, "FAIL", "Bucket fail-bucket's versioning is suspended.")
    assert failed["evidence"]["status"] == "Suspended"


def test_lifecycle(world: S3World) -> None:
    make_pair(world)

    def rule(status: str) -> dict[str, Any]:
        return {
            "ID": "expire",
            "Status": status,
            "Filter": {"Prefix": ""},
            "Expiration": {"Days": 30},
        }

    world.admin().put_bucket_lifecycle_configuration(
        Bucket="pass-bucket", LifecycleConfiguration={"Rules": [rule("Enabled")]}
    )
    world.admin().put_bucket_lifecycle_configuration(
        Bucket="fail-bucket", LifecycleConfiguration={"Rules": [rule("Disabled")]}
    )

    passed, failed = scan_pair(world, "s3.lifecycle")

    assert_bucket_finding(passed, "PASS", "Bucket pass-bucket has 1 enabled lifecycle rule(s).")
    assert passed["evidence"]["rules"] == [
        {"id": "expire", "enabled": True, "actions": ["Expiration"]}
    ]
    assert_bucket_finding(failed, "FAIL", "Bucket fail-bucket has only disabled lifecycle rules.")
    assert failed["controls"] == ["SecurityHub:S3.13"]


def test_lifecycle_maps_to_s3_10_only_on_a_versioned_bucket(world: S3World) -> None:
    make_pair(world)
    world.admin().put_bucket_versioning(
        Bucket="fail-bucket", VersioningConfiguration={"Status": "Enabled"}
    )

    unversioned, versioned = scan_pair(world, "s3.lifecycle")

    assert unversioned["status"] == versioned["status"] == "FAIL"
    assert unversioned["controls"] == ["SecurityHub:S3.13"]
    assert unversioned["evidence"]["versioning"] == {"status": None}
    assert versioned["controls"] == ["SecurityHub:S3.13", "SecurityHub:S3.10"]
    assert versioned["evidence"]["versioning"] == {"status": "Enabled"}


def test_lifecycle_still_judges_when_versioning_is_unreadable_and_leaves_s3_10_out(
    world: S3World,
) -> None:
    world.bucket("dim-bucket")
    world.fail_bucket("dim-bucket", code="AccessDenied", operation="GetBucketVersioning")

    world.scan()

    finding = world.finding("dim-bucket", "s3.lifecycle")
    assert finding["status"] == "FAIL"
    assert finding["controls"] == ["SecurityHub:S3.13"]
    assert finding["evidence"]["versioning"]["error"]["code"] == "AccessDenied"


def test_acls_disabled(world: S3World) -> None:
    make_pair(world)
    for bucket, ownership in (
        ("pass-bucket", "BucketOwnerEnforced"),
        ("fail-bucket", "ObjectWriter"),
    ):
        world.admin().put_bucket_ownership_controls(
            Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": ownership}]}
        )

    passed, failed = scan_pair(world, "s3.acls_disabled")

    assert_bucket_finding(
        passed,
        "PASS",
        "Bucket pass-bucket enforces bucket-owner object ownership, so ACLs are disabled.",
    )
    assert_bucket_finding(
        failed,
        "FAIL",
        "Bucket fail-bucket has object ownership ObjectWriter, so ACLs are in force.",
    )
    assert failed["evidence"] == {"object_ownership": "ObjectWriter"}


def encrypt(world: S3World, bucket: str, algorithm: str, key: str | None = None) -> None:
    default: dict[str, Any] = {"SSEAlgorithm": algorithm}
    if key:
        default["KMSMasterKeyID"] = key
    world.admin().put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": default}]
        },
    )


def test_kms_encryption(world: S3World) -> None:
    make_pair(world)
    key = f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    encrypt(world, "pass-bucket", "aws:kms", key)
    encrypt(world, "fail-bucket", "AES256")

    passed, failed = scan_pair(world, "s3.kms_encryption")

    assert_bucket_finding(
        passed, "PASS", "Bucket pass-bucket encrypts by default with KMS (aws:kms)."
    )
    assert passed["evidence"]["rules"][0]["kms_key_id"] == key
    assert_bucket_finding(
        failed, "FAIL", "Bucket fail-bucket encrypts by default with AES256, not with a KMS key."
    )


def test_default_encryption(world: S3World) -> None:
    make_pair(world)
    encrypt(world, "pass-bucket", "AES256")

    passed, failed = scan_pair(world, "s3.default_encryption")

    assert_bucket_finding(
        passed, "PASS", "Bucket pass-bucket encrypts new objects by default (AES256)."
    )
    assert_bucket_finding(
        failed,
        "FAIL",
        "Bucket fail-bucket has no default encryption: new objects may be stored unencrypted.",
    )
    assert (
        failed["evidence"]["not_configured_code"]
        == "ServerSideEncryptionConfigurationNotFoundError"
    )
    assert failed["controls"] == []


def test_event_notifications(world: S3World) -> None:
    make_pair(world)
    import boto3

    boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="bucket-events")
    world.admin().put_bucket_notification_configuration(
        Bucket="pass-bucket",
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": f"arn:aws:sqs:us-east-1:{ACCOUNT_ID}:bucket-events",
                    "Events": ["s3:ObjectCreated:*"],
                }
            ]
        },
    )

    passed, failed = scan_pair(world, "s3.event_notifications")

    assert_bucket_finding(passed, "PASS", "Bucket pass-bucket sends event notifications.")
    assert passed["evidence"]["queues"] == 1
    assert_bucket_finding(failed, "FAIL", "Bucket fail-bucket sends no event notifications.")
    assert failed["severity"] == "LOW"


def test_object_lock(world: S3World) -> None:
    make_pair(world, ObjectLockEnabledForBucket=True)

    passed, failed = scan_pair(world, "s3.object_lock")

    assert_bucket_finding(passed, "PASS", "Bucket pass-bucket has object lock enabled.")
    assert_bucket_finding(failed, "FAIL", "Bucket fail-bucket does not have object lock enabled.")
    assert failed["evidence"]["not_configured_code"] == "ObjectLockConfigurationNotFoundError"
    assert failed["severity"] == "INFORMATIONAL"


def test_replication(world: S3World) -> None:
    make_pair(world)
    world.bucket("replica-bucket")
    for bucket in ("pass-bucket", "replica-bucket"):
        world.admin().put_bucket_versioning(
            Bucket=bucket, VersioningConfiguration={"Status": "Enabled"}
        )
    world.admin().put_bucket_replication(
        Bucket="pass-bucket",
        ReplicationConfiguration={
            "Role": f"arn:aws:iam::{ACCOUNT_ID}:role/replication",
            "Rules": [
                {
                    "ID": "all",
                    "Status": "Enabled",
                    "Priority": 1,
                    "Filter": {"Prefix": ""},
                    "DeleteMarkerReplication": {"Status": "Disabled"},
                    "Destination": {"Bucket": "arn:aws:s3:::replica-bucket"},
                }
            ],
        },
    )

    passed, failed = scan_pair(world, "s3.replication")

    assert_bucket_finding(
        passed, "PASS", "Bucket pass-bucket replicates to arn:aws:s3:::replica-bucket."
    )
    assert_bucket_finding(failed, "FAIL", "Bucket fail-bucket has no replication rule.")
    assert failed["evidence"]["not_configured_code"] == "ReplicationConfigurationNotFoundError"


def test_findings_carry_json_evidence_and_every_bucket_gets_every_bucket_check(
    world: S3World,
) -> None:
    make_pair(world)

    result = world.scan()

    findings = world.findings()
    per_bucket = {(f["resource_id"], f["check_id"]) for f in findings}
    assert len(per_bucket) == len(findings) == result.findings
    assert {check for bucket, check in per_bucket if bucket == "pass-bucket"} == {
        check for bucket, check in per_bucket if bucket == "fail-bucket"
    }
    assert all(json.loads(json.dumps(f["evidence"])) == f["evidence"] for f in findings)


def test_required_tags_reuses_the_tag_checkers_rules(world: S3World) -> None:
    make_pair(world)
    world.admin().put_bucket_tagging(
        Bucket="pass-bucket",
        Tagging={
            "TagSet": [{"Key": "Owner", "Value": "team-a"}, {"Key": "Environment", "Value": "prod"}]
        },
    )
    world.admin().put_bucket_tagging(
        Bucket="fail-bucket",
        Tagging={
            "TagSet": [{"Key": "owner", "Value": "team-a"}, {"Key": "Environment", "Value": "qa"}]
        },
    )
    rules = parse_rules(
        [
            {"key": "Owner", "values": None, "pattern": None},
            {"key": "Environment", "values": ["dev", "staging", "prod"], "pattern": None},
        ]
    )

    world.scan(tag_rules=TagRuleSet(rules))

    passed = world.finding("pass-bucket", "s3.required_tags")
    failed = world.finding("fail-bucket", "s3.required_tags")
    assert_bucket_finding(
        passed, "PASS", "Bucket pass-bucket carries every required tag (Owner, Environment)."
    )
    assert_bucket_finding(
        failed,
        "FAIL",
        "Bucket fail-bucket breaks the required-tag rules: missing Owner; values breaking their "
        "rule on Environment; keys in another letter case (owner for Owner).",
    )
    assert failed["evidence"]["missing"] == ["Owner"]
    assert failed["evidence"]["case_mismatch"] == {"Owner": ["owner"]}
    assert failed["evidence"]["invalid"]["Environment"]["value"] == "qa"


def test_required_tags_on_an_untagged_bucket_and_without_rules(world: S3World) -> None:
    world.bucket("untagged")
    rules = TagRuleSet(parse_rules([{"key": "Owner"}]))

    world.scan(tag_rules=rules)
    world.scan(scan_id="no-rules")

    with_rules = world.finding("untagged", "s3.required_tags")
    without = world.finding("untagged", "s3.required_tags", scan_id="no-rules")
    assert with_rules["status"] == "FAIL"
    assert with_rules["evidence"]["missing"] == ["Owner"]
    assert without["status"] == "PASS"
    assert without["message"] == (
        "Bucket untagged is not held to any required tag: the account sets no rule."
    )


def test_tls_only_fails_a_deny_narrowed_by_an_extra_condition(world: S3World) -> None:
    make_pair(world)
    both = {"Effect": "Deny", "Principal": "*", "Action": "s3:*"}
    world.policy(
        "pass-bucket",
        both
        | {
            "Resource": ["arn:aws:s3:::pass-bucket", "arn:aws:s3:::pass-bucket/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    )
    world.policy(
        "fail-bucket",
        both
        | {
            "Resource": ["arn:aws:s3:::fail-bucket", "arn:aws:s3:::fail-bucket/*"],
            # Denies plain HTTP only through this one endpoint: everywhere else it is allowed.
            "Condition": {
                "Bool": {"aws:SecureTransport": "false"},
                "StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"},
            },
        },
    )

    passed, failed = scan_pair(world, "s3.tls_only")

    assert_bucket_finding(
        passed, "PASS", "Bucket pass-bucket's policy denies requests made without TLS."
    )
    assert_bucket_finding(
        failed,
        "FAIL",
        "Bucket fail-bucket's policy does not deny requests without TLS to the bucket or "
        "its objects.",
    )
    assert failed["evidence"]["statements_covering_bucket"] == []


def test_cross_account_access_fails_a_public_principal_pinned_to_another_account(
    world: S3World, statement: Callable[..., dict[str, Any]]
) -> None:
    make_pair(world)
    pinned = {"StringEquals": {"aws:PrincipalAccount": "999999999999"}}
    world.policy(
        "pass-bucket",
        statement(
            "pass-bucket",
            Action="s3:PutObject",
            Condition={"StringEquals": {"aws:PrincipalAccount": ACCOUNT_ID}},
        ),
    )
    world.policy("fail-bucket", statement("fail-bucket", Action="s3:PutObject", Condition=pinned))

    passed, failed = scan_pair(world, "s3.cross_account_access")

    assert_bucket_finding(passed, "PASS", NO_CROSS_ACCOUNT_GRANT)
    assert_bucket_finding(
        failed,
        "FAIL",
        "Bucket fail-bucket's policy lets account(s) 999999999999 write, delete or change access.",
    )
    assert failed["evidence"]["grants"][0]["accounts"] == ["999999999999"]
    assert "policy_is_public" not in failed["evidence"]
    assert world.finding("fail-bucket", "s3.public_write")["status"] == "PASS"
