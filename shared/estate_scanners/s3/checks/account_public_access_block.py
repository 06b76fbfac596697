"""s3.account_public_access_block: the account-wide public access block has all four flags on."""

from __future__ import annotations

from estate_scanners.s3.check_model import AccountCheck, Remediation, Verdict
from estate_scanners.s3.checks._block_flags import judge_block_flags
from estate_scanners.s3.facts import AccountFacts, Fact


def account_public_access_block(account: AccountFacts) -> Verdict:
    """FAIL when the account-level block is missing or any of its flags is off."""
    return judge_block_flags(
        account.public_access_block,
        owner=f"Account {account.account_id}",
        level="account-level S3",
    )


CHECK = AccountCheck(
    check_id="s3.account_public_access_block",
    title="The account-level S3 public access block is fully on",
    severity="HIGH",
    severity_reason=(
        "It is the account-wide safety net: without it, one bucket's ACL or policy "
        "mistake is enough to publish data."
    ),
    controls=("SecurityHub:S3.1",),
    remediation=Remediation(
        "Turn on all four settings of the account's S3 Block Public Access (s3control PutPublicAccessBlock).",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-account.html",
    ),
    needs=frozenset({Fact.ACCOUNT_PUBLIC_ACCESS_BLOCK}),
    judge=account_public_access_block,
)
