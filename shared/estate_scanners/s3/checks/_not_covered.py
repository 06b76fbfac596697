"""The peers' S3 controls estate does not check, each with the reason (rendered into the README).

Compared against Security Hub's AWS Foundational Security Best Practices S3 controls and
Prowler's S3 checks. A control that an estate check covers is not listed here: its id is
in that check's `controls`, and a test holds the two lists apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class NotCovered:
    """A peer's control or check that estate leaves out, and why."""

    control: str
    title: str
    reason: str


NOT_COVERED: Final[tuple[NotCovered, ...]] = (
    NotCovered(
        "SecurityHub:S3.4",
        "Buckets have server-side encryption enabled",
        "Retired by Security Hub: AWS encrypts every new object with SSE-S3 since January "
        "2023; `s3.default_encryption` still reports a bucket without a configuration.",
    ),
    NotCovered(
        "SecurityHub:S3.25",
        "Directory buckets have lifecycle configurations",
        "Directory buckets (S3 Express One Zone) are listed by ListDirectoryBuckets and "
        "served by zonal endpoints; the scanner covers general purpose buckets only.",
    ),
    NotCovered(
        "Prowler:s3_bucket_shadow_resource_vulnerability",
        "No bucket with a predictable service name is owned by another account",
        "It probes bucket names in other accounts (HeadBucket on guessed names); a scanner "
        "with read-only access to one account's own configuration cannot see them.",
    ),
    NotCovered(
        "Prowler:cloudtrail_bucket_requires_mfa_delete",
        "The CloudTrail log bucket has MFA delete",
        "`s3.mfa_delete` judges every versioned bucket, the log bucket included when it is "
        "in the scanned account; a log bucket in another account is that account's scan.",
    ),
)
