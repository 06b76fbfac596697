"""s3.public_read: nobody outside the account can read the bucket through its ACL or policy."""

from __future__ import annotations

from estate_scanners.s3.check_model import BucketCheck, BucketSubject, Remediation, Verdict
from estate_scanners.s3.checks._public import PUBLIC_ACCESS_FACTS, judge_public_access
from estate_scanners.s3.public_access import Access


def public_read(subject: BucketSubject) -> Verdict:
    """FAIL when a public ACL grant or policy statement allows reading, un-neutralised."""
    return judge_public_access(subject, Access.READ)


CHECK = BucketCheck(
    check_id="s3.public_read",
    title="The bucket is not publicly readable",
    severity="CRITICAL",
    severity_reason="Anyone on the internet can list or download the data: a breach already.",
    controls=("SecurityHub:S3.2",),
    remediation=Remediation(
        "Remove the ACL grants and policy statements that give everyone read access, and turn on Block Public Access.",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
    ),
    needs=PUBLIC_ACCESS_FACTS,
    judges_partial_facts=True,
    judge=public_read,
)
