"""The account's required-tag rules: parsed and validated from their JSON form.

The form is what ``estate.accounts`` produces from ``accounts/<name>.yaml``::

    [{"key": "Owner", "values": null, "pattern": "^[a-z0-9._-]+@acme\\.example$"},
     {"key": "Environment", "values": ["dev", "staging", "prod"], "pattern": null}]

At most one of ``values`` / ``pattern`` is set; with neither, the key must merely exist.
Patterns are Python ``re`` syntax, compiled only through
``estate_runtime.patterns.compile_rule_pattern``: a pattern that could backtrack
catastrophically (``^([a-z0-9]+[._-]?)+@acme\\.example$``) is refused here, so a rule can
never stall a scan. A pattern must match the *whole* value (``re.fullmatch``):
``[0-9]{4}`` refuses ``12345`` whether or not its author wrote anchors, and a trailing
newline never slips past a ``$``. Keys are case-sensitive, as in AWS; two rules whose keys
differ only in letter case are refused, since the checker's case hints could not tell them
apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from estate_runtime.events import EventInvalid
from estate_runtime.patterns import UnsafePattern, compile_rule_pattern, refusal_reason

MAX_KEY_LENGTH: Final = 128  # AWS tag key limit
MAX_VALUE_LENGTH: Final = 256  # AWS tag value limit
_FIELDS: Final = frozenset({"key", "values", "pattern"})


class RulesInvalid(ValueError):
    """A rules payload that cannot be used; the message is ``<field path>: <reason>``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.field, _, self.reason = message.partition(": ")


@dataclass(frozen=True)
class TagRule:
    """One required tag: its key, and optionally the values it allows or a pattern."""

    key: str
    values: tuple[str, ...] | None = None
    pattern: re.Pattern[str] | None = None

    def __post_init__(self) -> None:
        # A rule built by hand (not by `parse_rules`) meets the same gate: no rule can run
        # a pattern that backtracks catastrophically, whoever compiled it.
        if self.pattern is not None:
            reason = refusal_reason(self.pattern.pattern)
            if reason is not None:
                raise UnsafePattern(self.pattern.pattern, reason)

    def allows(self, value: str) -> bool:
        """Whether ``value`` satisfies this rule (the key being present)."""
        if self.values is not None:
            return value in self.values
        if self.pattern is not None:
            return self.pattern.fullmatch(value) is not None
        return True

    def describe(self) -> dict[str, Any]:
        """The rule in its JSON form, for evidence."""
        return {
            "key": self.key,
            "values": list(self.values) if self.values is not None else None,
            "pattern": self.pattern.pattern if self.pattern is not None else None,
        }


@dataclass(frozen=True, slots=True)
class TagRuleSet:
    """The account's required-tag rules, as both scanners' check subjects carry them."""

    rules: tuple[TagRule, ...] = ()


def parse_rules(payload: object) -> tuple[TagRule, ...]:
    """Read and validate a rules payload; raise ``RulesInvalid`` with a one-line reason."""
    if not isinstance(payload, Sequence) or isinstance(payload, str | bytes):
        raise RulesInvalid("required_tags: expected a list of rules")
    if not payload:
        raise RulesInvalid("required_tags: at least one rule is needed")
    rules = tuple(_parse_rule(index, item) for index, item in enumerate(payload))
    seen: dict[str, str] = {}
    for rule in rules:
        folded = rule.key.casefold()
        if folded in seen:
            raise RulesInvalid(
                f"required_tags: keys {seen[folded]!r} and {rule.key!r} differ only in case"
            )
        seen[folded] = rule.key
    return rules


def rules_from_event(payload: object) -> tuple[TagRule, ...]:
    """`parse_rules` for a handler's event: a refusal is an `EventInvalid` naming the field."""
    try:
        return parse_rules(payload)
    except RulesInvalid as error:
        raise EventInvalid(error.field, error.reason) from None


def _parse_rule(index: int, item: object) -> TagRule:
    where = f"required_tags[{index}]"
    if not isinstance(item, Mapping):
        raise RulesInvalid(f"{where}: expected an object with key, values, pattern")
    unknown = set(item) - _FIELDS
    if unknown:
        raise RulesInvalid(f"{where}: unknown field(s) {sorted(unknown)}")
    key = item.get("key")
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise RulesInvalid(f"{where}.key: expected a tag key of 1-{MAX_KEY_LENGTH} characters")
    if key.lower().startswith("aws:"):
        raise RulesInvalid(f"{where}.key: {key!r} uses the reserved aws: prefix")
    values, pattern = item.get("values"), item.get("pattern")
    if values is not None and pattern is not None:
        raise RulesInvalid(f"{where}: set values or pattern, not both")
    return TagRule(
        key=key,
        values=None if values is None else _parse_values(where, values),
        pattern=None if pattern is None else _parse_pattern(where, pattern),
    )


def _parse_values(where: str, values: object) -> tuple[str, ...]:
    if not isinstance(values, list) or not values:
        raise RulesInvalid(f"{where}.values: expected a non-empty list of strings")
    for value in values:
        if not isinstance(value, str) or len(value) > MAX_VALUE_LENGTH:
            raise RulesInvalid(
                f"{where}.values: {value!r} is not a tag value (a string of at most "
                f"{MAX_VALUE_LENGTH} characters)"
            )
    if len(set(values)) != len(values):
        raise RulesInvalid(f"{where}.values: lists a value twice")
    return tuple(values)


def _parse_pattern(where: str, pattern: object) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise RulesInvalid(f"{where}.pattern: expected a non-empty regular expression")
    try:
        return compile_rule_pattern(pattern)
    except UnsafePattern as error:
        raise RulesInvalid(f"{where}.pattern: {pattern!r} is refused: {error.reason}") from None
