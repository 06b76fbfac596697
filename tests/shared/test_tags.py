"""Specification of estate.tags: merging layers, AWS tag limits and the platform's standard tags."""

import string
import unicodedata

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from estate.tags import (
    ACCOUNT_TAG,
    MAX_KEY_LENGTH,
    MAX_TAGS_PER_RESOURCE,
    MAX_VALUE_LENGTH,
    PLATFORM_TAG_PREFIX,
    PROJECT_TAG,
    STAGE_TAG,
    TagError,
    merge_tags,
    standard_tags,
    validate_tags,
)

SYMBOLS = "_.:/=+-@"
allowed_characters = st.characters(categories=("L", "N", "Zs")) | st.sampled_from(SYMBOLS)
disallowed_characters = st.characters().filter(
    lambda character: (
        not character.isalnum()
        and character not in SYMBOLS
        and unicodedata.category(character) != "Zs"
    )
)


def not_reserved(text: str) -> bool:
    return not text.casefold().startswith("aws:")


tag_keys = st.text(allowed_characters, min_size=1, max_size=MAX_KEY_LENGTH).filter(not_reserved)
tag_values = st.text(allowed_characters, max_size=MAX_VALUE_LENGTH).filter(not_reserved)
valid_tag_sets = st.lists(
    st.tuples(tag_keys, tag_values),
    max_size=MAX_TAGS_PER_RESOURCE,
    unique_by=lambda tag: tag[0].casefold(),
).map(dict)
small_layers = st.dictionaries(st.sampled_from("abcde"), st.sampled_from("xyz"), max_size=5)
organization_tag_sets = st.lists(
    st.tuples(tag_keys.filter(lambda key: not key.casefold().startswith("estate:")), tag_values),
    max_size=MAX_TAGS_PER_RESOURCE - 3,
    unique_by=lambda tag: tag[0].casefold(),
).map(dict)
platform_values = st.text(allowed_characters, min_size=1, max_size=MAX_VALUE_LENGTH).filter(
    not_reserved
)


def refusal(tags: dict[str, object]) -> str:
    """The one-line message validate_tags refuses ``tags`` with."""
    with pytest.raises(TagError) as refused:
        validate_tags(tags)
    message = str(refused.value)
    assert "\n" not in message
    return message


def aws_accepts_character(character: str) -> bool:
    """Tag characters per the AWS tagging guide, written apart from estate.tags."""
    return character.isalnum() or character in SYMBOLS or unicodedata.category(character) == "Zs"


# validate_tags


@given(tags=valid_tag_sets)
def test_tags_within_every_limit_are_accepted_unchanged(tags: dict[str, str]) -> None:
    assert validate_tags(tags) == tags


@st.composite
def candidate_tag_sets(draw: st.DrawFn) -> dict[str, str]:
    """A valid tag set, half the time with one arbitrary tag added (valid or not)."""
    tags: dict[str, str] = draw(valid_tag_sets)
    if draw(st.booleans()):
        any_text = allowed_characters | st.characters()
        tags[draw(st.text(any_text, max_size=140))] = draw(st.text(any_text, max_size=270))
    return tags


@given(tags=candidate_tag_sets())
def test_accepted_tags_obey_every_aws_limit(tags: dict[str, str]) -> None:
    try:
        accepted = validate_tags(tags)
    except TagError:
        event("refused")
        return
    event("accepted")
    assert len(accepted) <= 50
    assert len({key.casefold() for key in accepted}) == len(accepted)
    for key, value in accepted.items():
        assert 1 <= len(key) <= 128
        assert len(value) <= 256
        assert all(aws_accepts_character(character) for character in key + value)
        assert not key.lower().startswith("aws:")
        assert not value.lower().startswith("aws:")


@given(count=st.integers(MAX_TAGS_PER_RESOURCE + 1, 80))
def test_more_than_fifty_tags_are_refused(count: int) -> None:
    tags: dict[str, object] = {f"key{number}": "value" for number in range(count)}
    assert f"{count} tags on one resource" in refusal(tags)


@given(key=st.text(allowed_characters, min_size=MAX_KEY_LENGTH + 1, max_size=300))
def test_a_key_over_128_characters_is_refused(key: str) -> None:
    assert f"has {len(key)} characters" in refusal({key: "value"})


def test_an_empty_key_is_refused() -> None:
    assert "tag key '' has 0 characters" in refusal({"": "value"})


@given(value=st.text(allowed_characters, min_size=MAX_VALUE_LENGTH + 1, max_size=400))
def test_a_value_over_256_characters_is_refused(value: str) -> None:
    assert f"tag 'Owner' value has {len(value)} characters" in refusal({"Owner": value})


@given(key=tag_keys, bad=disallowed_characters, where=st.integers(0, MAX_KEY_LENGTH))
def test_a_character_aws_refuses_is_refused_in_keys(key: str, bad: str, where: int) -> None:
    message = refusal({key[:where] + bad + key[where:]: "value"})
    assert f"U+{ord(bad):04X}" in message


@given(value=tag_values, bad=disallowed_characters, where=st.integers(0, MAX_VALUE_LENGTH))
def test_a_character_aws_refuses_is_refused_in_values(value: str, bad: str, where: int) -> None:
    message = refusal({"Owner": value[:where] + bad + value[where:]})
    assert f"U+{ord(bad):04X}" in message
    assert "'Owner'" in message


reserved_prefixes = st.tuples(*(st.sampled_from((letter, letter.upper())) for letter in "aws")).map(
    lambda letters: "".join(letters) + ":"
)


@given(prefix=reserved_prefixes, rest=st.text(allowed_characters, max_size=100))
def test_any_aws_prefix_in_any_case_is_refused_on_keys(prefix: str, rest: str) -> None:
    assert "AWS reserves 'aws:'" in refusal({prefix + rest: "value"})


@given(prefix=reserved_prefixes, rest=st.text(allowed_characters, max_size=100))
def test_any_aws_prefix_in_any_case_is_refused_on_values(prefix: str, rest: str) -> None:
    message = refusal({"Owner": prefix + rest})
    assert "AWS reserves 'aws:'" in message
    assert "'Owner'" in message


ascii_keys = st.text(string.ascii_letters + string.digits + SYMBOLS, min_size=1, max_size=128)


@given(key=ascii_keys.filter(lambda key: key.swapcase() != key and not_reserved(key)))
def test_keys_differing_only_in_case_are_refused(key: str) -> None:
    message = refusal({key: "one", key.swapcase(): "two"})
    assert "differ only in case" in message


def test_a_value_that_is_not_a_string_is_refused() -> None:
    message = refusal({"CostCenter": 1234})
    assert "tag 'CostCenter' value is a int (1234)" in message


# merge_tags


@given(first=small_layers, second=small_layers, third=small_layers)
def test_merge_is_associative(
    first: dict[str, str], second: dict[str, str], third: dict[str, str]
) -> None:
    assert merge_tags(merge_tags(first, second), third) == merge_tags(
        first, merge_tags(second, third)
    )
    assert merge_tags(first, second, third) == merge_tags(merge_tags(first, second), third)


@given(earlier=small_layers, later=small_layers)
def test_merge_is_right_biased(earlier: dict[str, str], later: dict[str, str]) -> None:
    snapshot = (dict(earlier), dict(later))
    merged = merge_tags(earlier, later)
    assert set(merged) == set(earlier) | set(later)
    for key, value in merged.items():
        assert value == (later[key] if key in later else earlier[key])
    assert (earlier, later) == snapshot


def test_merging_nothing_gives_no_tags() -> None:
    assert merge_tags() == {}


# standard_tags


@given(
    organization_tags=organization_tag_sets,
    account=platform_values,
    stage=platform_values,
    project=platform_values,
)
def test_standard_tags_carry_the_organisation_account_stage_and_project(
    organization_tags: dict[str, str], account: str, stage: str, project: str
) -> None:
    tags = standard_tags(
        organization_tags=organization_tags, account=account, stage=stage, project=project
    )
    assert tags[ACCOUNT_TAG] == account
    assert tags[STAGE_TAG] == stage
    assert tags[PROJECT_TAG] == project
    assert organization_tags.items() <= tags.items()
    assert len(tags) == len(organization_tags) + 3


def test_the_platform_tag_keys_are_distinct_and_in_the_platform_namespace() -> None:
    keys = {ACCOUNT_TAG, STAGE_TAG, PROJECT_TAG}
    assert len(keys) == 3
    assert all(key.startswith(PLATFORM_TAG_PREFIX) for key in keys)
    assert validate_tags(dict.fromkeys(keys, "x")) == dict.fromkeys(keys, "x")


@pytest.mark.parametrize("key", ["estate:account", "Estate:Owner", "ESTATE:anything"])
def test_organisation_tags_may_not_use_the_platform_prefix(key: str) -> None:
    with pytest.raises(TagError, match=f"organisation tag '{key}' uses the 'estate:' prefix"):
        standard_tags(organization_tags={key: "x"}, account="dev", stage="dev", project="core")


@pytest.mark.parametrize("empty", ["account", "stage", "project"])
def test_platform_tags_need_a_value(empty: str) -> None:
    values = {"account": "dev", "stage": "dev", "project": "core", empty: ""}
    with pytest.raises(TagError, match=f"'estate:{empty}' needs a value"):
        standard_tags(organization_tags={}, **values)


def test_organisation_tags_leave_room_for_the_three_platform_tags() -> None:
    organization_tags = {f"Key{number}": "value" for number in range(MAX_TAGS_PER_RESOURCE - 2)}
    with pytest.raises(TagError, match="51 tags on one resource"):
        standard_tags(
            organization_tags=organization_tags, account="dev", stage="dev", project="core"
        )
