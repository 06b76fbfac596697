"""The pure judgement of an instance's tags: laws over generated tags and rules."""

from __future__ import annotations

import re

from hypothesis import assume, given
from hypothesis import strategies as st

from estate_scanners.tags.evaluate import evaluate_tags
from estate_scanners.tags.rules import TagRule

keys = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij_-", min_size=1, max_size=12)
values = st.text(max_size=20)


@st.composite
def rules_and_good_tags(draw: st.DrawFn) -> tuple[list[TagRule], dict[str, str]]:
    """Rules with distinct (case-insensitively) keys, and tags satisfying every one."""
    rule_keys = draw(st.lists(keys, min_size=1, max_size=6, unique_by=str.casefold))
    rules: list[TagRule] = []
    tags: dict[str, str] = {}
    for key in rule_keys:
        kind = draw(st.sampled_from(["exists", "values", "pattern"]))
        if kind == "values":
            allowed = tuple(draw(st.lists(values, min_size=1, max_size=4, unique=True)))
            rules.append(TagRule(key, values=allowed))
            tags[key] = draw(st.sampled_from(allowed))
        elif kind == "pattern":
            rules.append(TagRule(key, pattern=re.compile("[0-9]{2,4}")))
            tags[key] = draw(st.from_regex(r"\A[0-9]{2,4}\Z"))
        else:
            rules.append(TagRule(key))
            tags[key] = draw(values)
    # Unrelated extra tags never matter.
    extras = draw(st.dictionaries(keys, values, max_size=4))
    for key, value in extras.items():
        if key.casefold() not in {rule.key.casefold() for rule in rules}:
            tags[key] = value
    return rules, tags


@given(rules_and_good_tags())
def test_every_required_key_with_a_valid_value_passes(
    case: tuple[list[TagRule], dict[str, str]],
) -> None:
    rules, tags = case
    judgement = evaluate_tags(tags, rules)
    assert judgement.status == "PASS"
    assert judgement.missing == ()
    assert dict(judgement.invalid) == {}
    assert judgement.summary() == ""
    assert judgement.evidence()["required"] == [rule.key for rule in rules]


@given(rules_and_good_tags(), st.data())
def test_removing_any_required_key_fails_and_names_it(
    case: tuple[list[TagRule], dict[str, str]], data: st.DataObject
) -> None:
    rules, tags = case
    removed = data.draw(st.sampled_from([rule.key for rule in rules]))
    del tags[removed]
    judgement = evaluate_tags(tags, rules)
    assert judgement.status == "FAIL"
    assert judgement.missing == (removed,)
    assert removed in judgement.summary()


@given(rules_and_good_tags(), st.data())
def test_a_required_key_in_another_case_is_missing_with_a_hint(
    case: tuple[list[TagRule], dict[str, str]], data: st.DataObject
) -> None:
    rules, tags = case
    rule = data.draw(st.sampled_from(rules))
    variant = rule.key.swapcase()
    assume(variant != rule.key)  # a key of "_" and "-" only has no other case
    tags[variant] = tags.pop(rule.key)
    judgement = evaluate_tags(tags, rules)
    assert judgement.status == "FAIL"
    assert judgement.missing == (rule.key,)
    assert judgement.case_mismatch == {rule.key: (variant,)}
    assert judgement.evidence()["case_mismatch"] == {rule.key: [variant]}


@given(rules_and_good_tags(), st.data())
def test_a_value_outside_its_rule_fails_as_invalid_with_the_value_and_rule(
    case: tuple[list[TagRule], dict[str, str]], data: st.DataObject
) -> None:
    rules, tags = case
    constrained = [rule for rule in rules if rule.values is not None or rule.pattern is not None]
    assume(constrained)
    rule = data.draw(st.sampled_from(constrained))
    bad = data.draw(values.filter(lambda value: not rule.allows(value)))
    tags[rule.key] = bad
    judgement = evaluate_tags(tags, rules)
    assert judgement.status == "FAIL"
    assert judgement.missing == ()
    assert judgement.invalid[rule.key].value == bad
    assert judgement.evidence()["invalid"][rule.key] == {"value": bad, "rule": rule.describe()}


def test_the_dev_rules_on_a_typical_sloppy_instance(dev_rules: tuple[TagRule, ...]) -> None:
    judgement = evaluate_tags(
        {"owner": "jane.doe@acme.example", "Environment": "Production", "CostCenter": "12345"},
        dev_rules,
    )
    assert judgement.status == "FAIL"
    assert judgement.missing == ("Owner",)
    assert set(judgement.invalid) == {"Environment", "CostCenter"}
    assert judgement.case_mismatch == {"Owner": ("owner",)}
    assert judgement.summary() == (
        "missing Owner; values breaking their rule on Environment, CostCenter; "
        "keys in another letter case (owner for Owner)"
    )
