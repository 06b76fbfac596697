"""s3.mfa_delete: a versioned bucket requires MFA to delete versions or change versioning.

Security Hub S3.20 asks it of versioned buckets. Our decisions, stated in the evidence:
- a bucket whose versioning was never enabled is not versioned: nothing to protect
  (`applicable: false`, PASS; `s3.versioning` reports the missing versioning);
- a Suspended bucket still holds its versions and MFA delete still guards them, so it is
  judged like an Enabled one;
- "You can't use MFA delete with lifecycle configurations" (S3 User Guide, Configuring
  MFA delete): a bucket with lifecycle rules cannot turn it on, so it is not applicable
  there either (PASS, `applicable: false`, the reason given).
"""

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


def mfa_delete(subject: BucketSubject) -> Verdict:
    """FAIL when a versioned bucket without lifecycle rules does not have MFA delete Enabled."""
    bucket = subject.bucket
    state = present(bucket.versioning)
    status = state.status if state is not None else None
    mfa = state.mfa_delete if state is not None else None
    lifecycle = present(bucket.lifecycle)
    rules = len(lifecycle.rules) if lifecycle is not None else 0
    evidence = {"versioning": status, "mfa_delete": mfa, "lifecycle_rules": rules}
    if status not in {"Enabled", "Suspended"}:
        return passed(
            f"Bucket {bucket.name} is not versioned: MFA delete does not apply.",
            applicable=False,
            **evidence,
        )
    if mfa == "Enabled":
        return passed(f"Bucket {bucket.name} requires MFA delete.", applicable=True, **evidence)
    if rules:
        return passed(
            f"Bucket {bucket.name} has lifecycle rules, which MFA delete cannot be used with.",
            applicable=False,
            **evidence,
        )
    return failed(
        f"Bucket {bucket.name} is versioned but does not require MFA delete.",
        applicable=True,
        **evidence,
    )


CHECK = BucketCheck(
    check_id="s3.mfa_delete",
    title="A versioned bucket requires MFA delete",
    severity="LOW",
    severity_reason=(
        "A second factor guards only permanent version deletes and versioning changes, and "
        "only the root user can turn it on; versioning and least privilege already stop "
        "most losses. Security Hub rates S3.20 LOW."
    ),
    controls=("SecurityHub:S3.20",),
    remediation=Remediation(
        "As the root user with an MFA device, call PutBucketVersioning with MFADelete "
        "Enabled (and no lifecycle rules on the bucket).",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiFactorAuthenticationDelete.html",
    ),
    needs=frozenset({Fact.VERSIONING, Fact.LIFECYCLE}),
    judge=mfa_delete,
)
