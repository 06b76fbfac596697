"""The S3 analyzer's checks: the subjects its judges take and how they read fetched facts.

The rest of a check — `CheckSpec`, `Verdict` and its helpers, `Remediation` — is shared with
the tag checker (`estate_scanners.check_model`) and re-exported here, so an S3 check module
imports its whole vocabulary from this one module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, TypeVar

from estate_scanners.check_model import (
    ACCOUNT_RESOURCE,
    CheckSpec,
    Remediation,
    Verdict,
    errored,
    failed,
    passed,
)
from estate_scanners.s3.facts import (
    AccountFacts,
    BucketFacts,
    Fact,
    Fetched,
    FetchError,
    NotConfigured,
)
from estate_scanners.tags.rules import TagRuleSet

__all__ = [
    "ACCOUNT_RESOURCE",
    "BUCKET_RESOURCE",
    "AccountCheck",
    "AccountJudge",
    "BucketCheck",
    "BucketJudge",
    "BucketSubject",
    "CheckSpec",
    "FactCheck",
    "FactUnavailable",
    "Remediation",
    "TagRuleSet",
    "Verdict",
    "errored",
    "failed",
    "not_configured_code",
    "passed",
    "present",
]

T = TypeVar("T")

BUCKET_RESOURCE: Final = "AWS::S3::Bucket"


class FactUnavailable(Exception):
    """Raised by `present` when a judge reads a fact that could not be fetched."""

    def __init__(self, error: FetchError) -> None:
        super().__init__(f"{error.operation or 'fact'} failed with {error.code}")
        self.error = error


def present(fetched: Fetched[T]) -> T | None:
    """The fetched value, None when not configured; a fetch error stops the judge (ERROR)."""
    if isinstance(fetched, FetchError):
        raise FactUnavailable(fetched)
    if isinstance(fetched, NotConfigured):
        return None
    return fetched


def not_configured_code(fetched: Fetched[object]) -> str | None:
    """The code AWS answered when the item is not configured, else None (for evidence)."""
    return fetched.code if isinstance(fetched, NotConfigured) else None


@dataclass(frozen=True, slots=True)
class BucketSubject:
    """What a bucket check judges: the bucket, the account it lives in, the scan's settings."""

    bucket: BucketFacts
    account: AccountFacts
    tag_rules: TagRuleSet = field(default_factory=TagRuleSet)


BucketJudge = Callable[[BucketSubject], Verdict]
AccountJudge = Callable[[AccountFacts], Verdict]


@dataclass(frozen=True, kw_only=True)
class FactCheck(CheckSpec):
    """An S3 check: `needs` lists the facts the judge reads, and the collector fetches exactly
    the union of all checks' needs. Unless `judges_partial_facts`, a needed fact that could
    not be fetched gives ERROR without calling the judge; a judge that can still decide
    with some facts missing (public access: a block flag read elsewhere may settle it)
    sets the flag and handles `FetchError` itself.
    """

    needs: frozenset[Fact]
    judges_partial_facts: bool = False


@dataclass(frozen=True, kw_only=True)
class BucketCheck(FactCheck):
    """A check run once per bucket."""

    judge: BucketJudge
    resource_type: str = BUCKET_RESOURCE


@dataclass(frozen=True, kw_only=True)
class AccountCheck(FactCheck):
    """A check run once per account."""

    judge: AccountJudge
    resource_type: str = ACCOUNT_RESOURCE
