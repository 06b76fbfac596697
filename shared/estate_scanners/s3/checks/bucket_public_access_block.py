"""s3.bucket_public_access_block: the bucket's own public access block has all four flags on."""

from __future__ import annotations

from estate_scanners.s3.check_model import BucketCheck, BucketSubject, Remediation, Verdict
from estate_scanners.s3.checks._block_flags import judge_block_flags
from estate_scanners.s3.facts import Fact


def bucket_public_access_block(subject: BucketSubject) -> Verdict:
    """FAIL when the bucket-level block is missing or any of its flags is off."""
    bucket = subject.bucket
    return judge_block_flags(
        bucket.public_access_block, owner=f"Bucket {bucket.name}", level="bucket-level"
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
    remediation=Remediation(
        "Turn on all four Block Public Access settings of the bucket.",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-bucket.html",
    ),
    needs=frozenset({Fact.PUBLIC_ACCESS_BLOCK}),
    judge=bucket_public_access_block,
)
