"""What a check is, for every scanner: metadata beside a pure judge, the verdict it returns, the
finding a verdict becomes, and the registry that finds checks by walking a package.

Each scanner adds only what its judges read: the S3 analyzer's subjects and fetched facts
(`estate_scanners.s3.check_model`), the tag checker's instance subject
(`estate_scanners.tags.check_model`). A check module imports its whole vocabulary from its
scanner's check model, which re-exports the shared names below.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final, TypeVar

from estate_runtime.findings import Severity, Status, make_finding

LOGGER = logging.getLogger(__name__)
ACCOUNT_RESOURCE: Final = "AWS::::Account"
# The findings schema's limit on `message` (estate_runtime/finding.schema.json).
MESSAGE_LIMIT: Final = 1024


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
    """An ERROR verdict: the check could not be decided (a fetch failed, or the judge crashed)."""
    return Verdict("ERROR", message, evidence)


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


@dataclass(frozen=True, kw_only=True)
class CheckSpec:
    """Metadata every check declares beside its judge (each scanner's check type adds the
    judge and what it reads).

    `remediation` says how to fix a FAIL; findings carry it and the README table shows it.
    `resource_type` is what the check judges; a verdict about a unit the scanner could not
    read at all (an account, a region) names its own resource (`Resource`).

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
    resource_type: str
    remediation: Remediation

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


def run_judge(check: CheckSpec, judge: Callable[[], Verdict]) -> Verdict:
    """The judge's verdict; a judge that crashes (or names an undeclared control) gives ERROR
    for this one resource, and the scan of every other resource goes on."""
    try:
        verdict = judge()
        check.controls_for(verdict)  # a verdict naming an undeclared control is a check bug
        return verdict
    except Exception:
        LOGGER.exception("check %s crashed", check.check_id)
        return errored(
            f"The check {check.check_id} failed unexpectedly; the scanner's log has the trace.",
            errors={"check": {"code": "CheckCrashed", "message": check.check_id}},
        )


@dataclass(frozen=True, slots=True)
class Resource:
    """What a finding is about: its type, id, ARN and region."""

    type: str
    id: str
    arn: str
    region: str


@dataclass(frozen=True, slots=True)
class FindingContext:
    """What every finding of one run shares: the scan, the scanner and the account."""

    scanner: str
    scan_id: str
    account_id: str

    def finding(
        self, check: CheckSpec, verdict: Verdict, resource: Resource, observed_at: datetime
    ) -> dict[str, Any]:
        """The finding one verdict becomes: the only place either scanner builds one."""
        return make_finding(
            scan_id=self.scan_id,
            scanner=self.scanner,
            account_id=self.account_id,
            region=resource.region,
            resource_type=resource.type,
            resource_id=resource.id,
            resource_arn=resource.arn,
            check_id=check.check_id,
            status=verdict.status,
            severity=check.severity,
            message=clip(verdict.message),
            evidence=verdict.evidence,
            controls=check.controls_for(verdict),
            observed_at=observed_at,
            remediation=check.remediation.as_finding(),
        )


def clip(message: str) -> str:
    """The message cut to the schema's limit (a bucket policy quoted in full can exceed it)."""
    return message if len(message) <= MESSAGE_LIMIT else message[: MESSAGE_LIMIT - 1] + "…"


C = TypeVar("C", bound=CheckSpec)


def discover_checks(package: str, path: Iterable[str], kind: type[C]) -> tuple[C, ...]:
    """Every check module of a package (`__name__`, `__path__`), sorted by id.

    A module `<name>.py` defines a judge `<name>` and `CHECK`, a `kind` with id
    `<scanner>.<name>`; modules whose names start with `_` are helpers, not checks.
    """
    found: list[C] = []
    for module_info in pkgutil.iter_modules(path):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{module_info.name}")
        check = getattr(module, "CHECK", None)
        if not isinstance(check, kind):
            raise TypeError(f"check module {module.__name__} defines no CHECK ({kind.__name__})")
        found.append(check)
    return tuple(sorted(found, key=lambda check: check.check_id))


def check_table(checks: Iterable[CheckSpec]) -> list[dict[str, Any]]:
    """One row per check (id, title, severity, why, controls, remediation), for the README.

    `controls` lists the check's controls, a conditional one followed by its condition in
    parentheses (`SecurityHub:S3.10 (versioned)`); `conditional_controls` maps each
    conditional control to that condition, for readers that want the ids alone.
    """
    return [
        {
            "check_id": check.check_id,
            "title": check.title,
            "severity": check.severity,
            "why": check.severity_reason,
            "controls": [
                *check.controls,
                *(f"{control} ({when})" for control, when in check.conditional_controls),
            ],
            "conditional_controls": dict(check.conditional_controls),
            "resource_type": check.resource_type,
            "remediation": check.remediation.as_finding(),
        }
        for check in checks
    ]
