"""s3.access_point_public_access_block: every access point of the bucket blocks public access.

Security Hub S3.19. Access points are listed per bucket (S3 Control ListAccessPoints with
`Bucket`, in the bucket's region, for the bucket's account) and each one's four flags read
with GetAccessPoint: the list does not carry them. A bucket without access points passes.
Access points another account created on this bucket are that account's to list.
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
from estate_scanners.s3.facts import AccessPoints, Fact


def access_point_public_access_block(subject: BucketSubject) -> Verdict:
    """FAIL when any access point of the bucket has a block flag off (or no block at all)."""
    bucket = subject.bucket
    points = present(bucket.access_points) or AccessPoints()
    return judge_access_points(points, owner=f"Bucket {bucket.name}", kind="access point")


def judge_access_points(points: AccessPoints, *, owner: str, kind: str) -> Verdict:
    """The verdict on a set of access points: all four flags on for each, or FAIL naming them."""
    evidence = {"access_points": [point.as_evidence() for point in points.points]}
    if not points.points:
        return passed(f"{owner} has no {kind}s.", **evidence)
    open_points = [
        point.name for point in points.points if point.block is None or point.block.flags_off()
    ]
    if open_points:
        return failed(
            f"{owner}'s {kind}(s) {', '.join(open_points)} do not block all public access.",
            open_access_points=open_points,
            **evidence,
        )
    return passed(f"{owner}'s {len(points.points)} {kind}(s) block all public access.", **evidence)


CHECK = BucketCheck(
    check_id="s3.access_point_public_access_block",
    title="Every access point of the bucket has all four public access block flags on",
    severity="HIGH",
    severity_reason=(
        "A request through an access point is refused when the access point's, the "
        "bucket's or the account's block says so, so an open access point exposes data "
        "only where the others are open too; but it is one guard fewer, and it can never "
        "be closed again short of replacing the access point."
    ),
    controls=("SecurityHub:S3.19",),
    remediation=Remediation(
        "Replace the access point with one created with all four Block Public Access "
        "settings on (they cannot be changed after creation).",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-bpa-settings.html",
    ),
    needs=frozenset({Fact.ACCESS_POINTS}),
    judge=access_point_public_access_block,
)
