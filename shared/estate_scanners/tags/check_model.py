"""The tag checker's checks: the subject their judges take, one live EC2 instance.

The rest of a check — `CheckSpec`, `Verdict` and its helpers, `Remediation` — is shared with
the S3 analyzer (`estate_scanners.check_model`) and re-exported here, so a tag check module
imports its whole vocabulary from this one module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from estate_scanners.check_model import CheckSpec, Remediation, Verdict, failed, passed
from estate_scanners.tags.facts import Instance
from estate_scanners.tags.rules import TagRuleSet

__all__ = [
    "INSTANCE_RESOURCE",
    "InstanceCheck",
    "InstanceJudge",
    "InstanceSubject",
    "Remediation",
    "TagRuleSet",
    "Verdict",
    "failed",
    "passed",
]

INSTANCE_RESOURCE: Final = "AWS::EC2::Instance"


@dataclass(frozen=True, slots=True)
class InstanceSubject:
    """What an instance check judges: the instance (as DescribeInstances showed it) and the
    account's required-tag rules."""

    instance: Instance
    tag_rules: TagRuleSet


InstanceJudge = Callable[[InstanceSubject], Verdict]


@dataclass(frozen=True, kw_only=True)
class InstanceCheck(CheckSpec):
    """A check run once per live instance. A region whose instances could not be listed
    gives each instance check one ERROR finding on that region, never a FAIL."""

    judge: InstanceJudge
    resource_type: str = INSTANCE_RESOURCE
