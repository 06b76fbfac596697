"""The reports bucket, its access-log bucket, and the customer-managed key of core's data."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native

from estate.components import block_public_access
from estate.programs.core.resource_policies import (
    log_bucket_policy,
    reports_bucket_policy,
    reports_key_policy,
)

FINDINGS_PREFIX = "findings/"
QUARANTINE_PREFIX = "quarantine/"
ACCESS_LOG_PREFIX = "reports/"


@dataclass(frozen=True, kw_only=True)
class ReportsStoreArgs:
    """Names and retention of the reports bucket; checked when built."""

    bucket_name: str
    log_bucket_name: str
    key_alias: str
    account_id: str
    # The alarms that may use the key to publish to the alert topic it encrypts
    # (arn:aws:cloudwatch:<region>:<account id>:alarm:<name prefix>*).
    alarm_arn_pattern: str
    # Parts are read by ingest within minutes and by Athena over weeks: after
    # `infrequent_access_days` they move to STANDARD_IA, after `expire_days` they go.
    infrequent_access_days: int = 30
    expire_days: int = 400
    noncurrent_days: int = 30
    log_expire_days: int = 90

    def __post_init__(self) -> None:
        alarms = f":{self.account_id}:alarm:"
        if not (
            self.alarm_arn_pattern.startswith("arn:aws:cloudwatch:")
            and alarms in self.alarm_arn_pattern
            and not self.alarm_arn_pattern.endswith(alarms + "*")
        ):
            raise ValueError(
                f"alarm_arn_pattern {self.alarm_arn_pattern!r}: name this account's alarms "
                f"by a name prefix, arn:aws:cloudwatch:<region>{alarms}<prefix>*"
            )
        # STANDARD_IA takes objects 30 days old at the earliest (S3 lifecycle rules).
        if self.infrequent_access_days < 30:
            raise ValueError(
                f"infrequent_access_days {self.infrequent_access_days}: S3 moves objects to "
                "STANDARD_IA after 30 days at the earliest; use 30 or more"
            )
        if self.expire_days <= self.infrequent_access_days:
            raise ValueError(
                f"expire_days {self.expire_days} must exceed infrequent_access_days "
                f"{self.infrequent_access_days}"
            )
        for field in ("noncurrent_days", "log_expire_days"):
            if getattr(self, field) < 1:
                raise ValueError(f"{field} must be at least 1 day")


def _block_public_access(name: str, bucket: aws.s3.Bucket, parent: pulumi.Resource) -> None:
    block_public_access(
        bucket,
        block_name=f"{name}-public-access-block",
        ownership_name=f"{name}-ownership",
        opts=pulumi.ResourceOptions(parent=parent),
    )


class ReportsStore(pulumi.ComponentResource):
    """Where findings land: SSE-KMS, versioned, lifecycled, private, TLS-only, logged."""

    key_arn: pulumi.Output[str]
    key_id: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    bucket: aws.s3.Bucket
    log_bucket_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: ReportsStoreArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("estate:core:ReportsStore", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # The account's IAM decides, as with the default key policy, so every grant stays in
        # the functions' generated policies; the policy adds CloudWatch for the alarms
        # (resource_policies.reports_key_policy). Protected: losing it loses every report.
        key = aws.kms.Key(
            f"{name}-key",
            description="Encrypts core's reports, findings table and alert topic",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        # Protected like the key: deleting it would fall back to the default policy, and
        # alarms would lose their notifications without a word.
        aws.kms.KeyPolicy(
            f"{name}-key-policy",
            key_id=key.key_id,
            policy=reports_key_policy(
                key.arn, account_id=args.account_id, alarm_arn_pattern=args.alarm_arn_pattern
            ),
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        aws.kms.Alias(
            f"{name}-key-alias", name=args.key_alias, target_key_id=key.key_id, opts=child
        )

        # Access logs expire by lifecycle: versions and protection would only keep them longer
        # (the policy pack's reviewed exceptions; tag values allow no commas).
        log_bucket = aws.s3.Bucket(
            f"{name}-access-logs",
            bucket=args.log_bucket_name,
            tags={
                "estate:policy-exempt:bucket-versioned": "access logs expire by lifecycle",
                "estate:policy-exempt:stateful-protected": "access logs expire by lifecycle",
            },
            opts=child,
        )
        _block_public_access(f"{name}-access-logs", log_bucket, self)
        # Log delivery writes only to SSE-S3 targets; the logs hold request metadata, not findings.
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-access-logs-encryption",
            bucket=log_bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-access-logs-lifecycle",
            bucket=log_bucket.id,
            rules=[
                {
                    "id": "expire-access-logs",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "expiration": {"days": args.log_expire_days},
                }
            ],
            opts=child,
        )

        bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=args.bucket_name,
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        _block_public_access(f"{name}-bucket", bucket, self)
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": key.arn,
                    },
                    # One data key per bucket and period, not per object: far fewer KMS calls.
                    "bucket_key_enabled": True,
                }
            ],
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=[
                {
                    "id": "findings-parts",
                    "status": "Enabled",
                    "filter": {"prefix": FINDINGS_PREFIX},
                    "transitions": [
                        {"days": args.infrequent_access_days, "storage_class": "STANDARD_IA"}
                    ],
                    "expiration": {"days": args.expire_days},
                    "noncurrent_version_expiration": {"noncurrent_days": args.noncurrent_days},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 1},
                },
                {
                    "id": "quarantine",
                    "status": "Enabled",
                    "filter": {"prefix": QUARANTINE_PREFIX},
                    "expiration": {"days": args.expire_days},
                    "noncurrent_version_expiration": {"noncurrent_days": args.noncurrent_days},
                },
            ],
            # Lifecycle rules on versions need versioning in place first.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        # aws-native: the policy document is structured data, one resource per bucket.
        aws_native.s3.BucketPolicy(
            f"{name}-bucket-policy",
            bucket=bucket.id,
            policy_document=reports_bucket_policy(bucket.arn),
            opts=child,
        )
        log_policy = aws_native.s3.BucketPolicy(
            f"{name}-access-logs-policy",
            bucket=log_bucket.id,
            policy_document=log_bucket_policy(log_bucket.arn, bucket.arn, args.account_id),
            opts=child,
        )
        # S3 checks that the target lets log delivery write before it accepts the logging.
        aws.s3.BucketLogging(
            f"{name}-logging",
            bucket=bucket.id,
            target_bucket=log_bucket.id,
            target_prefix=ACCESS_LOG_PREFIX,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_policy]),
        )
        self.bucket = bucket
        self.key_arn = key.arn
        self.key_id = key.key_id
        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.log_bucket_name = log_bucket.bucket
        self.register_outputs(
            {
                "key_arn": self.key_arn,
                "bucket_name": self.bucket_name,
                "bucket_arn": self.bucket_arn,
                "log_bucket_name": self.log_bucket_name,
            }
        )
