"""s3.default_encryption: the bucket has some default encryption (SSE-S3, SSE-KMS or DSSE-KMS)."""

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
from estate_scanners.s3.checks._encryption import encryption_evidence
from estate_scanners.s3.facts import Fact


def default_encryption(subject: BucketSubject) -> Verdict:
    """FAIL when the bucket has no default-encryption rule at all."""
    bucket = subject.bucket
    encryption = present(bucket.encryption)
    evidence = encryption_evidence(bucket.encryption)
    if encryption is None or not encryption.rules:
        return failed(
            f"Bucket {bucket.name} has no default encryption: new objects may be stored "
            "unencrypted.",
            **evidence,
        )
    return passed(
        f"Bucket {bucket.name} encrypts new objects by default "
        f"({', '.join(evidence['algorithms'])}).",
        **evidence,
    )


CHECK = BucketCheck(
    check_id="s3.default_encryption",
    title="Default encryption is configured",
    severity="HIGH",
    severity_reason=(
        "Data at rest may be stored unencrypted. AWS applies SSE-S3 to every bucket since "
        "January 2023, so a FAIL means an emulator, an S3-compatible store, or a state AWS "
        "no longer produces — each worth a look."
    ),
    controls=(),
    remediation=Remediation(
        "Configure default encryption (SSE-S3 or SSE-KMS) on the bucket.",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html",
    ),
    needs=frozenset({Fact.ENCRYPTION}),
    judge=default_encryption,
)
