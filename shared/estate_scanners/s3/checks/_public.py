"""The judge shared by s3.public_read and s3.public_write (see `public_access` for the rules)."""

from __future__ import annotations

from typing import Any

from estate_scanners.s3.check_model import BucketSubject, Verdict, errored, failed, passed
from estate_scanners.s3.facts import Fact, Fetched, FetchError, PublicAccessBlock
from estate_scanners.s3.public_access import Access, Exposure, assess_public_access

PUBLIC_ACCESS_FACTS = frozenset(
    {Fact.ACL, Fact.POLICY, Fact.PUBLIC_ACCESS_BLOCK, Fact.ACCOUNT_PUBLIC_ACCESS_BLOCK}
)


def judge_public_access(subject: BucketSubject, access: Access) -> Verdict:
    """FAIL when the ACL or the policy exposes the bucket and no block flag neutralises it."""
    bucket = subject.bucket
    assessment = assess_public_access(
        access=access,
        acl=bucket.acl,
        policy=bucket.policy,
        bucket_block=bucket.public_access_block,
        account_block=subject.account.public_access_block,
    )
    evidence = {
        **assessment.evidence(),
        "bucket_block": block_evidence(bucket.public_access_block),
        "account_block": block_evidence(subject.account.public_access_block),
    }
    if assessment.exposure is Exposure.PUBLIC:
        paths = [
            name
            for name, path in (("ACL", assessment.acl), ("bucket policy", assessment.policy))
            if path.exposure is Exposure.PUBLIC
        ]
        return failed(
            f"Bucket {bucket.name} is publicly {_able(access)} through its {' and '.join(paths)}, "
            "and no public access block neutralises it.",
            **evidence,
        )
    if assessment.exposure is Exposure.UNKNOWN:
        return errored(
            f"Could not tell whether bucket {bucket.name} is publicly {_able(access)}: "
            "a configuration item needed to decide could not be read.",
            **evidence,
        )
    return passed(f"Bucket {bucket.name} is not publicly {_able(access)}.", **evidence)


def block_evidence(block: Fetched[PublicAccessBlock]) -> dict[str, Any]:
    """A public access block as evidence: its flags, absent, or the error reading it."""
    if isinstance(block, PublicAccessBlock):
        return {"configured": True, "flags": block.flags()}
    if isinstance(block, FetchError):
        return {"configured": None, "error": block.as_evidence()}
    return {"configured": False, "not_configured_code": block.code}


def _able(access: Access) -> str:
    return "readable" if access is Access.READ else "writable"
