"""s3.acls_disabled: object ownership is BucketOwnerEnforced, which turns ACLs off."""

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

ENFORCED = "BucketOwnerEnforced"


def acls_disabled(subject: BucketSubject) -> Verdict:
    """FAIL when object ownership is not BucketOwnerEnforced, or no ownership controls exist."""
    bucket = subject.bucket
    controls = present(bucket.ownership_controls)
    if controls is None:
        return failed(
            f"Bucket {bucket.name} has no ownership controls, so ACLs are in force.",
            object_ownership=None,
            not_configured_code=not_configured_code(bucket.ownership_controls),
            note=(
                "AWS gives buckets created since April 2023 BucketOwnerEnforced and reports it "
                "here; no ownership controls means ACLs apply (an older bucket, or an emulator)."
            ),
        )
    if controls.object_ownership != ENFORCED:
        return failed(
            f"Bucket {bucket.name} has object ownership {controls.object_ownership}, "
            "so ACLs are in force.",
            object_ownership=controls.object_ownership,
        )
    return passed(
        f"Bucket {bucket.name} enforces bucket-owner object ownership, so ACLs are disabled.",
        object_ownership=controls.object_ownership,
    )


CHECK = BucketCheck(
    check_id="s3.acls_disabled",
    title="ACLs are disabled (BucketOwnerEnforced)",
    severity="MEDIUM",
    severity_reason=(
        "ACLs are a second, easily overlooked access path beside IAM and the bucket policy, "
        "and objects written by other accounts stay theirs."
    ),
    controls=("SecurityHub:S3.12",),
    remediation=Remediation(
        "Set Object Ownership to BucketOwnerEnforced after moving any access that ACLs grant into the bucket policy.",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html",
    ),
    needs=frozenset({Fact.OWNERSHIP_CONTROLS}),
    judge=acls_disabled,
)
