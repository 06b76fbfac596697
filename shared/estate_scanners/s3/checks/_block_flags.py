"""The judge shared by the account-level and the bucket-level public access block checks."""

from __future__ import annotations

from estate_scanners.s3.check_model import Verdict, failed, not_configured_code, passed, present
from estate_scanners.s3.facts import Fetched, PublicAccessBlock


def judge_block_flags(fetched: Fetched[PublicAccessBlock], *, owner: str, level: str) -> Verdict:
    """FAIL when the block is missing or any of its four flags is off.

    `owner` starts each message ("Account 123456789012", "Bucket logs"); `level` names
    the missing block ("account-level S3", "bucket-level").
    """
    block = present(fetched)
    if block is None:
        return failed(
            f"{owner} has no {level} public access block.",
            configured=False,
            not_configured_code=not_configured_code(fetched),
        )
    off = block.flags_off()
    if off:
        return failed(
            f"{owner}'s public access block has {', '.join(off)} off.",
            configured=True,
            flags=block.flags(),
            flags_off=off,
        )
    return passed(
        f"{owner}'s public access block has all four flags on.",
        configured=True,
        flags=block.flags(),
    )
