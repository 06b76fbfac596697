"""s3.object_lock: object lock is enabled (write-once-read-many protection)."""

from __future__ import annotations

from estate_scanners.s3.check_model import (
    BucketCheck,
    BucketSubject,
    Remediation,
    Verdict,
    failed,
    not_configured_code,
    passed,
    present,
)
from estate_scanners.s3.facts import Fact


def object_lock(subject: BucketSubject) -> Verdict:
    """FAIL when the bucket has no object lock configuration or it is not enabled."""
    bucket = subject.bucket
    lock = present(bucket.object_lock)
    if lock is None or not lock.enabled:
        return failed(
            f"Bucket {bucket.name} does not have object lock enabled.",
            enabled=False,
            not_configured_code=not_configured_code(bucket.object_lock),
        )
    return passed(
        f"Bucket {bucket.name} has object lock enabled.",
        enabled=True,
        default_mode=lock.default_mode,
        default_days=lock.default_days,
        default_years=lock.default_years,
    )


CHECK = BucketCheck(
    check_id="s3.object_lock",
    title="Object lock is enabled",
    severity="INFORMATIONAL",
    severity_reason=(
        "Only buckets holding records that must be immutable need it, and it can only be "
        "turned on deliberately: an inventory fact, not a defect."
    ),
    controls=("SecurityHub:S3.15",),
    remediation=Remediation(
        "Enable Object Lock with a default retention on buckets that hold records which must stay immutable.",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-configure.html",
    ),
    needs=frozenset({Fact.OBJECT_LOCK}),
    judge=object_lock,
)
