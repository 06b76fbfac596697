"""s3.versioning: versioning is Enabled, so overwrites and deletes can be undone."""

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


def versioning(subject: BucketSubject) -> Verdict:
    """FAIL when versioning was never enabled or is Suspended."""
    bucket = subject.bucket
    state = present(bucket.versioning)
    status = state.status if state is not None else None
    mfa_delete = state.mfa_delete if state is not None else None
    if status != "Enabled":
        described = "is suspended" if status == "Suspended" else "has never been enabled"
        return failed(
            f"Bucket {bucket.name}'s versioning {described}.",
            status=status,
            mfa_delete=mfa_delete,
        )
    return passed(
        f"Bucket {bucket.name} has versioning enabled.", status=status, mfa_delete=mfa_delete
    )


CHECK = BucketCheck(
    check_id="s3.versioning",
    title="Versioning is enabled",
    severity="MEDIUM",
    severity_reason=(
        "Without versions an overwrite or delete — by mistake or by ransomware — is final."
    ),
    controls=("SecurityHub:S3.14",),
    remediation=Remediation(
        "Enable versioning on the bucket (PutBucketVersioning Status=Enabled).",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/manage-versioning-examples.html",
    ),
    needs=frozenset({Fact.VERSIONING}),
    judge=versioning,
)
