"""What each fleet function's own code calls with its execution role: its grants.

Every function reads the scanned account through that account's org-iam ``scanner`` role
(``estate.scanning``), the hub's own account included: the execution roles hold no read
permission on any bucket or instance, only ``sts:AssumeRole`` on the scanner roles of the
accounts their hub scans, and their writes to core's reports bucket. The scanner role's
reads are org-iam's policy (exactly the scanners' required actions).

The writes, per function, as the handlers make them (tests/projects/test_least_privilege.py
records them):

- planner: PutObject of the plan and manifest under ``scans/``; ListBucket to list the
  scan's parts for the manifest; KMS data keys (SSE-KMS with core's key).
- analyzer and tag checker: PutObject of parts under ``findings/``; ListBucket and
  DeleteObject(s) for the stale parts an earlier, longer run of the same scan left;
  KMS data keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pulumi

from estate.iam import Statement

FINDINGS_PREFIX: Final = "findings/"
SCANS_PREFIX: Final = "scans/"


def _objects(bucket_arn: pulumi.Input[str], prefix: str) -> pulumi.Output[str]:
    return pulumi.Output.from_input(bucket_arn).apply(lambda arn: f"{arn}/{prefix}*")


def _assume(scanner_role_arns: Sequence[str]) -> list[Statement]:
    # A fleet whose hub scans no account (another hub scans it) assumes nothing.
    if not scanner_role_arns:
        return []
    return [
        Statement(
            sid="AssumeScannerRoles",
            actions=("sts:AssumeRole",),
            resources=tuple(sorted(scanner_role_arns)),
        )
    ]


def _reports_key(key_arn: pulumi.Input[str]) -> Statement:
    # PutObject with SSE-KMS makes S3 ask KMS for a data key as the caller.
    return Statement(
        sid="EncryptWithReportsKey", actions=("kms:GenerateDataKey",), resources=(key_arn,)
    )


def planner_statements(
    *, scanner_role_arns: Sequence[str], bucket_arn: pulumi.Input[str], key_arn: pulumi.Input[str]
) -> list[Statement]:
    """Assume the scanner roles (to list buckets), write plans and manifests, list parts."""
    return [
        *_assume(scanner_role_arns),
        Statement(
            sid="WritePlansAndManifests",
            actions=("s3:PutObject",),
            resources=(_objects(bucket_arn, SCANS_PREFIX),),
        ),
        Statement(sid="ListReportParts", actions=("s3:ListBucket",), resources=(bucket_arn,)),
        _reports_key(key_arn),
    ]


def worker_statements(
    *, scanner_role_arns: Sequence[str], bucket_arn: pulumi.Input[str], key_arn: pulumi.Input[str]
) -> list[Statement]:
    """The analyzer's and the tag checker's: assume, write parts, remove stale parts."""
    return [
        *_assume(scanner_role_arns),
        Statement(
            sid="WriteReportParts",
            actions=("s3:PutObject", "s3:DeleteObject"),
            resources=(_objects(bucket_arn, FINDINGS_PREFIX),),
        ),
        Statement(sid="ListReportParts", actions=("s3:ListBucket",), resources=(bucket_arn,)),
        _reports_key(key_arn),
    ]
