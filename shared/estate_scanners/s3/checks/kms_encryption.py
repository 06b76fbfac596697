"""s3.kms_encryption: default encryption uses a KMS key (SSE-KMS or DSSE-KMS)."""

from __future__ import annotations

from estate_scanners.s3.check_model import (
    BucketCheck,
    BucketSubject,
    Remediation,
    Verdict,
    failed,
    passed,
    present,
)
from estate_scanners.s3.checks._encryption import KMS_ALGORITHMS, encryption_evidence
from estate_scanners.s3.facts import Fact


def kms_encryption(subject: BucketSubject) -> Verdict:
    """FAIL when no default-encryption rule uses aws:kms or aws:kms:dsse."""
    bucket = subject.bucket
    encryption = present(bucket.encryption)
    evidence = encryption_evidence(bucket.encryption)
    kms_rules = [
        r for r in (encryption.rules if encryption else ()) if r.algorithm in KMS_ALGORITHMS
    ]
    if not kms_rules:
        algorithms = evidence["algorithms"]
        if not algorithms:
            return failed(
                f"Bucket {bucket.name} has no default encryption, so none with a KMS key.",
                **evidence,
            )
        return failed(
            f"Bucket {bucket.name} encrypts by default with {', '.join(algorithms)}, "
            "not with a KMS key.",
            **evidence,
        )
    return passed(
        f"Bucket {bucket.name} encrypts by default with KMS ({kms_rules[0].algorithm}).", **evidence
    )


CHECK = BucketCheck(
    check_id="s3.kms_encryption",
    title="Default encryption uses KMS",
    severity="MEDIUM",
    severity_reason=(
        "SSE-S3 already encrypts at rest; a KMS key adds a key policy as a second gate and "
        "an audit trail of every decrypt."
    ),
    controls=("SecurityHub:S3.17",),
    remediation=Remediation(
        "Set the bucket's default encryption to SSE-KMS with a customer managed key, with an S3 Bucket Key to cut KMS calls.",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-bucket-key.html",
    ),
    needs=frozenset({Fact.ENCRYPTION}),
    judge=kms_encryption,
)
