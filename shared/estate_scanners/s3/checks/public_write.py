"""s3.public_write: nobody outside the account can write to the bucket through its ACL or policy."""

from __future__ import annotations

from estate_scanners.s3.check_model import BucketCheck, BucketSubject, Remediation, Verdict
from estate_scanners.s3.checks._public import PUBLIC_ACCESS_FACTS, judge_public_access
from estate_scanners.s3.public_access import Access


def public_write(subject: BucketSubject) -> Verdict:
    """FAIL when a public ACL grant or policy statement allows writing, un-neutralised."""
    return judge_public_access(subject, Access.WRITE)


CHECK = BucketCheck(
    check_id="s3.public_write",
    title="The bucket is not publicly writable",
    severity="CRITICAL",
    severity_reason=(
        "Anyone can overwrite or delete data, plant malware, or run up the bill: "
        "integrity and availability are lost."
    ),
    controls=("SecurityHub:S3.3",),
    remediation=Remediation(
        "Remove the ACL grants and policy statements that give everyone write access, and turn on Block Public Access.",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
    ),
    needs=PUBLIC_ACCESS_FACTS,
    judges_partial_facts=True,
    judge=public_write,
)
