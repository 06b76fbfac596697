"""Required-tag rules: parsed from their JSON form, refused in one line when unusable."""

from __future__ import annotations

import re
from typing import Any

import pytest

from estate_runtime.patterns import UnsafePattern, refusal_reason
from estate_scanners.tags.rules import MAX_VALUE_LENGTH, RulesInvalid, TagRule, parse_rules


def test_the_dev_account_rules_parse_into_typed_rules(dev_rules_json: list[dict[str, Any]]) -> None:
    owner, environment, cost_center = parse_rules(dev_rules_json)
    assert owner.key == "Owner"
    assert owner.pattern is not None
    assert owner.values is None
    assert environment.values == ("dev", "staging", "prod")
    assert cost_center.describe() == {"key": "CostCenter", "values": None, "pattern": "^[0-9]{4}$"}


def test_a_rule_with_neither_values_nor_pattern_only_needs_the_key() -> None:
    (rule,) = parse_rules([{"key": "Team"}])
    assert rule.allows("")
    assert rule.allows("anything at all")


@pytest.mark.parametrize(
    ("pattern", "value", "allowed"),
    [
        ("[0-9]{4}", "1234", True),
        ("[0-9]{4}", "12345", False),  # fullmatch: an unanchored pattern still covers it all
        ("^[0-9]{4}$", "1234\n", False),  # no trailing newline slips past "$"
        ("^[a-z]+@acme\\.example$", "ops@acme.example", True),
        ("^[a-z]+@acme\\.example$", "ops@acme.example.evil", False),
        ("prod|dev", "dev", True),
        ("prod|dev", "predev", False),
    ],
)
def test_patterns_must_match_the_whole_value(pattern: str, value: str, allowed: bool) -> None:
    (rule,) = parse_rules([{"key": "K", "pattern": pattern}])
    assert rule.allows(value) is allowed


def test_allowed_values_are_exact_and_case_sensitive() -> None:
    rule = TagRule("Environment", values=("dev", "prod"))
    assert rule.allows("dev")
    assert not rule.allows("Dev")
    assert not rule.allows("development")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"key": "Owner"}, "required_tags: expected a list of rules"),
        ("Owner", "required_tags: expected a list of rules"),
        ([], "required_tags: at least one rule is needed"),
        (["Owner"], r"required_tags\[0\]: expected an object"),
        ([{"key": "Owner", "regex": "x"}], r"required_tags\[0\]: unknown field\(s\) \['regex'\]"),
        ([{"key": ""}], r"required_tags\[0\]\.key: expected a tag key of 1-128"),
        ([{"key": "x" * 129}], r"required_tags\[0\]\.key: expected a tag key of 1-128"),
        ([{"key": "aws:owner"}], r"required_tags\[0\]\.key: 'aws:owner' uses the reserved"),
        ([{"key": "A", "values": ["x"], "pattern": "x"}], r"required_tags\[0\]: set values or"),
        ([{"key": "A", "values": []}], r"required_tags\[0\]\.values: expected a non-empty list"),
        ([{"key": "A", "values": [1]}], r"required_tags\[0\]\.values: 1 is not a tag value"),
        ([{"key": "A", "values": ["x", "x"]}], r"required_tags\[0\]\.values: lists a value twice"),
        (
            [{"key": "A", "pattern": "("}],
            r"required_tags\[0\]\.pattern: '\(' is refused: not a valid regular",
        ),
        ([{"key": "A", "pattern": ""}], r"required_tags\[0\]\.pattern: expected a non-empty"),
        ([{"key": "Owner"}, {"key": "owner"}], "keys 'Owner' and 'owner' differ only in case"),
    ],
)
def test_an_unusable_payload_is_refused_in_one_line(payload: object, message: str) -> None:
    with pytest.raises(RulesInvalid, match=message) as caught:
        parse_rules(payload)
    assert "\n" not in str(caught.value)


ISSUE_PATTERN = r"^([a-z0-9]+[._-]?)+@acme\.example$"


def test_the_issue_pattern_is_refused_naming_the_field_and_the_reason() -> None:
    with pytest.raises(RulesInvalid) as caught:
        parse_rules([{"key": "Owner", "pattern": ISSUE_PATTERN}])
    assert caught.value.field == "required_tags[0].pattern"
    assert caught.value.reason.startswith(f"{ISSUE_PATTERN!r} is refused: nested quantifier")
    assert "\n" not in str(caught.value)


def test_a_rule_built_by_hand_cannot_carry_a_pattern_that_backtracks() -> None:
    """Every way into a `TagRule` meets the gate, not only `parse_rules`."""
    with pytest.raises(UnsafePattern, match="nested quantifier"):
        TagRule("Owner", pattern=re.compile(ISSUE_PATTERN))


def test_an_accepted_pattern_judges_a_256_character_adversarial_value() -> None:
    """The linear-time guarantee is structural, never timed: the pattern the rule runs is
    one `estate_runtime.patterns` accepted (a single free repetition before a literal
    suffix), and the adversarial value — the shape that makes the refused pattern double
    its time per character — is judged by that pattern, as refused."""
    safe = r"^[a-z0-9._-]+@acme\.example$"
    (rule,) = parse_rules([{"key": "Owner", "pattern": safe}])
    assert rule.pattern is not None
    assert refusal_reason(rule.pattern.pattern) is None
    adversarial = "a" * 255 + "!"
    assert len(adversarial) == MAX_VALUE_LENGTH
    assert not rule.allows(adversarial)
    assert rule.allows("a" * 240 + "@acme.example")
