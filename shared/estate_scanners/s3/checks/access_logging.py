"""s3.access_logging: server access logging is on."""

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
from estate_scanners.s3.facts import Fact


def access_logging(subject: BucketSubject) -> Verdict:
    """FAIL when server access logging has no target bucket."""
    bucket = subject.bucket
    config = present(bucket.logging)
    if config is None or not config.enabled:
        return failed(f"Bucket {bucket.name} has server access logging off.", enabled=False)
    return passed(
        f"Bucket {bucket.name} logs server access to bucket {config.target_bucket}.",
        enabled=True,
        target_bucket=config.target_bucket,
        target_prefix=config.target_prefix,
    )


CHECK = BucketCheck(
    check_id="s3.access_logging",
    title="Server access logging is on",
    severity="MEDIUM",
    severity_reason=(
        "Exposes nothing by itself, but without it there is no request-level trail to "
        "investigate an incident with."
    ),
    controls=("SecurityHub:S3.9",),
    remediation=Remediation(
        "Turn on server access logging to a separate log bucket in the same account and Region.",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html",
    ),
    needs=frozenset({Fact.LOGGING}),
    judge=access_logging,
)
