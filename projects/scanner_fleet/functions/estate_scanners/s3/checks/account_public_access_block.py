"""s3.account_public_access_block: the account-wide public access block has all four flags on."""

from __future__ import annotations

from estate_scanners.s3.check_model import (
    AccountCheck,
    Verdict,
    failed,
    not_configured_code,
    passed,
    present,
)
from estate_scanners.s3.facts import AccountFacts, Fact


def account_public_access_block(account: AccountFacts) -> Verdict:
    """FAIL when the account-level block is missing or any of its flags is off."""
    block = present(account.public_access_block)
    if block is None:
        return failed(
            f"Account {account.account_id} has no account-level S3 public access block.",
            configured=False,
            not_configured_code=not_configured_code(account.public_access_block),
        )
    off = block.flags_off()
    if off:
        return failed(
            f"Account {account.account_id}'s public access block has {', '.join(off)} off.",
            configured=True,
            flags=block.flags(),
            flags_off=off,
        )
    return passed(
        f"Account {account.account_id}'s public access block has all four flags on.",
        configured=True,
        flags=block.flags(),
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
    needs=frozenset({Fact.ACCOUNT_PUBLIC_ACCESS_BLOCK}),
    judge=account_public_access_block,
)
