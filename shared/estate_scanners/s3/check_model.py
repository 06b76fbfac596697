"""What a check is: declarative metadata beside a pure judge, and the verdict the judge returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, TypeVar

from estate_runtime.findings import Severity, Status
from estate_scanners.s3.facts import (
    AccountFacts,
    BucketFacts,
    Fact,
    Fetched,
    FetchError,
    NotConfigured,
)
from estate_scanners.tags.rules import TagRule

T = TypeVar("T")

BUCKET_RESOURCE: Final = "AWS::S3::Bucket"
ACCOUNT_RESOURCE: Final = "AWS::::Account"


@dataclass(frozen=True, slots=True)
class Verdict:
    """A judge's answer: status, one human sentence, the facts that decided it, and which of
    the check's `conditional_controls` apply to this resource."""

    status: Status
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    extra_controls: tuple[str, ...] = ()

    def with_controls(self, *controls: str) -> Verdict:
        """The same verdict, also mapped to these (conditional) controls."""
        return replace(self, extra_controls=self.extra_controls + controls)


def passed(message: str, **evidence: Any) -> Verdict:
    """A PASS verdict."""
    return Verdict("PASS", message, evidence)


def failed(message: str, **evidence: Any) -> Verdict:
    """A FAIL verdict."""
    return Verdict("FAIL", message, evidence)


def errored(message: str, **evidence: Any) -> Verdict:
    """An ERROR verdict: the check could not be decided."""
    return Verdict("ERROR", message, evidence)


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
class TagRuleSet:
    """The account's required-tag rules (the tag checker's, reused for buckets)."""

    rules: tuple[TagRule, ...] = ()


@dataclass(frozen=True, slots=True)
class BucketSubject:
    """What a bucket check judges: the bucket, the account it lives in, the scan's settings."""

    bucket: BucketFacts
    account: AccountFacts
    tag_rules: TagRuleSet = TagRuleSet()


@dataclass(frozen=True, slots=True)
class Remediation:
    """How to fix a FAIL: one imperative sentence and the AWS documentation page that shows how."""

    text: str
    url: str

    def __post_init__(self) -> None:
        if not self.text or "\n" in self.text or len(self.text) > 512:
            raise ValueError("a remediation is one sentence of at most 512 characters")
        if not self.url.startswith("https://docs.aws.amazon.com/"):
            raise ValueError(f"a remediation links AWS documentation, not {self.url!r}")

    def as_finding(self) -> dict[str, str]:
        """The remediation as the finding's `remediation` field."""
        return {"text": self.text, "url": self.url}


BucketJudge = Callable[[BucketSubject], Verdict]
AccountJudge = Callable[[AccountFacts], Verdict]


@dataclass(frozen=True, kw_only=True)
class CheckSpec:
    """Metadata every check declares beside its judge.

    `needs` lists the facts the judge reads: the collector fetches exactly the union
    of all checks' needs. Unless `judges_partial_facts`, a needed fact that could not
    be fetched gives ERROR without calling the judge; a judge that can still decide
    with some facts missing (public access: a block flag read elsewhere may settle it)
    sets the flag and handles `FetchError` itself.

    `remediation` says how to fix a FAIL; findings carry it and the README table shows it.

    `controls` apply to every finding of the check; `conditional_controls` pairs a control
    with the condition (in words, for the README) under which it applies too, and the judge
    names the ones that hold through `Verdict.with_controls`.
    """

    check_id: str
    title: str
    severity: Severity
    severity_reason: str
    controls: tuple[str, ...]
    conditional_controls: tuple[tuple[str, str], ...] = ()
    needs: frozenset[Fact]
    resource_type: str
    remediation: Remediation
    judges_partial_facts: bool = False

    def controls_for(self, verdict: Verdict) -> tuple[str, ...]:
        """The finding's controls: the check's own plus the conditional ones the verdict names."""
        declared = {control for control, _ in self.conditional_controls}
        undeclared = [c for c in verdict.extra_controls if c not in declared]
        if undeclared:
            raise ValueError(f"{self.check_id} names undeclared controls {undeclared}")
        return self.controls + tuple(c for c in verdict.extra_controls if c not in self.controls)

    @property
    def name(self) -> str:
        """The id without the scanner prefix: the check's module and function name."""
        return self.check_id.partition(".")[2]


@dataclass(frozen=True, kw_only=True)
class BucketCheck(CheckSpec):
    """A check run once per bucket."""

    judge: BucketJudge
    resource_type: str = BUCKET_RESOURCE


@dataclass(frozen=True, kw_only=True)
class AccountCheck(CheckSpec):
    """A check run once per account."""

    judge: AccountJudge
    resource_type: str = ACCOUNT_RESOURCE
