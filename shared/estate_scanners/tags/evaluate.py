"""The judgement of a resource's tags against the rules: pure, no AWS involved.

Both scanners' required-tag checks (`ec2.required_tags`, `s3.required_tags`) judge with it,
so "compliant tags" means one thing for instances and buckets alike.

A required key that is absent is ``missing``; a present key whose value breaks its rule is
``invalid``; a missing key that exists in another letter case (``owner`` for ``Owner``) is
still missing, and the variants found are given as a ``case_mismatch`` hint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from estate_scanners.tags.rules import TagRule

_SHOWN_VALUE_LENGTH: Final = 256


@dataclass(frozen=True)
class InvalidValue:
    """A present tag whose value its rule refuses."""

    value: str
    rule: TagRule


@dataclass(frozen=True)
class TagJudgement:
    """PASS or FAIL for one resource's tags, and the facts that decided it (a check turns it
    into its `Verdict`)."""

    status: Literal["PASS", "FAIL"]
    required: tuple[str, ...]
    missing: tuple[str, ...]
    invalid: Mapping[str, InvalidValue]
    case_mismatch: Mapping[str, tuple[str, ...]]

    def evidence(self) -> dict[str, Any]:
        """The verdict as JSON-able evidence."""
        return {
            "required": list(self.required),
            "missing": list(self.missing),
            "invalid": {
                key: {"value": bad.value[:_SHOWN_VALUE_LENGTH], "rule": bad.rule.describe()}
                for key, bad in self.invalid.items()
            },
            "case_mismatch": {key: list(found) for key, found in self.case_mismatch.items()},
        }

    def summary(self) -> str:
        """What is wrong, as a clause (empty when nothing is)."""
        parts: list[str] = []
        if self.missing:
            parts.append(f"missing {', '.join(self.missing)}")
        if self.invalid:
            parts.append(f"values breaking their rule on {', '.join(self.invalid)}")
        if self.case_mismatch:
            hints = ", ".join(
                f"{'/'.join(found)} for {key}" for key, found in self.case_mismatch.items()
            )
            parts.append(f"keys in another letter case ({hints})")
        return "; ".join(parts)


def evaluate_tags(tags: Mapping[str, str], rules: Sequence[TagRule]) -> TagJudgement:
    """Judge one resource's tags (key → value) against every rule."""
    missing: list[str] = []
    invalid: dict[str, InvalidValue] = {}
    case_mismatch: dict[str, tuple[str, ...]] = {}
    for rule in rules:
        if rule.key not in tags:
            missing.append(rule.key)
            variants = tuple(
                sorted(
                    key for key in tags if key != rule.key and key.casefold() == rule.key.casefold()
                )
            )
            if variants:
                case_mismatch[rule.key] = variants
            continue
        value = tags[rule.key]
        if not rule.allows(value):
            invalid[rule.key] = InvalidValue(value, rule)
    return TagJudgement(
        status="FAIL" if missing or invalid else "PASS",
        required=tuple(rule.key for rule in rules),
        missing=tuple(missing),
        invalid=invalid,
        case_mismatch=case_mismatch,
    )
