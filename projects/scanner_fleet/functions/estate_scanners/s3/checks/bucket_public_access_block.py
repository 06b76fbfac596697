"""s3.bucket_public_access_block: the bucket's own public access block has all four flags on."""

from __future__ import annotations

from estate_scanners.s3.check_model import (
    BucketCheck,
    BucketSubject,
    Verdict,
    failed,
    not_configured_code,
    passed,
    present,
)
from estate_scanners.s3.facts import Fact


def bucket_public_access_block(subject: BucketSubject) -> Verdict:
    """FAIL when the bucket-level block is missing or any of its flags is off."""
    bucket = subject.bucket
    block = present(bucket.public_access_block)
    if block is None:
        return failed(
            f"Bucket {bucket.name} has no bucket-level public access block.",
            configured=False,
            not_configured_code=not_configured_code(bucket.public_access_block),
        )
    off = block.flags_off()
    if off:
        return failed(
            f"Bucket {bucket.name}'s public access block has {', '.join(off)} off.",
            configured=True,
            flags=block.flags(),
            flags_off=off,
        )
    return passed(
        f"Bucket {bucket.name}'s public access block has all four flags on.",
        configured=True,
        flags=block.flags(),
    )


CHECK = BucketCheck(
    check_id="s3.bucket_public_access_block",
    title="The bucket-level public access block is fully on",
    severity="HIGH",
    severity_reason=(
        "The bucket's own guard against public ACLs and policies; it still protects the "
        "bucket if the account-level block is ever relaxed."
    ),
    controls=("SecurityHub:S3.8",),
    needs=frozenset({Fact.PUBLIC_ACCESS_BLOCK}),
    judge=bucket_public_access_block,
)
