"""s3.multi_region_access_point_public_access_block: every multi-Region access point blocks public access.

Security Hub S3.24. The account's multi-Region access points come from S3 Control's
ListMultiRegionAccessPoints, which AWS serves from us-west-2 only; each report carries
the access point's `PublicAccessBlock`. An account without any passes.
"""

from __future__ import annotations

from estate_scanners.s3.check_model import AccountCheck, Remediation, Verdict, present
from estate_scanners.s3.checks.access_point_public_access_block import judge_access_points
from estate_scanners.s3.facts import AccessPoints, AccountFacts, Fact


def multi_region_access_point_public_access_block(account: AccountFacts) -> Verdict:
    """FAIL when any multi-Region access point has a block flag off."""
    points = present(account.multi_region_access_points) or AccessPoints()
    return judge_access_points(
        points, owner=f"Account {account.account_id}", kind="multi-Region access point"
    )


CHECK = AccountCheck(
    check_id="s3.multi_region_access_point_public_access_block",
    title="Every multi-Region access point has all four public access block flags on",
    severity="HIGH",
    severity_reason=(
        "A multi-Region access point fronts buckets in several Regions at once, and its "
        "block cannot be changed after creation: an open one is a standing path to every "
        "bucket behind it whose own block is off."
    ),
    controls=("SecurityHub:S3.24",),
    remediation=Remediation(
        "Replace the multi-Region access point with one created with all four Block "
        "Public Access settings on.",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/multi-region-access-point-block-public-access.html",
    ),
    needs=frozenset({Fact.MULTI_REGION_ACCESS_POINTS}),
    judge=multi_region_access_point_public_access_block,
)
