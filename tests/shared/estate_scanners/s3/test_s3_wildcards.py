"""IAM wildcard patterns: overlap and coverage agree with brute force over small alphabets."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estate_scanners.s3.wildcards import matches, pattern_covers, patterns_overlap

ALPHABET = "ab"
patterns = st.text(alphabet="ab*?", max_size=5)


def iam_regex(pattern: str) -> re.Pattern[str]:
    """An independent oracle: `*` any run, `?` one character, everything else literal."""
    return re.compile(
        "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern),
        re.DOTALL,
    )


def names_up_to(length: int) -> list[str]:
    return [
        "".join(letters)
        for size in range(length + 1)
        for letters in itertools.product(ALPHABET, repeat=size)
    ]


# Two patterns of at most 5 symbols that share any name share one of at most 10
# letters (each letter of a shortest common name is produced by a non-star symbol).
NAMES = names_up_to(10)


@given(patterns, patterns)
@settings(max_examples=200)
def test_overlap_is_true_exactly_when_some_name_matches_both(first: str, second: str) -> None:
    witness = any(
        iam_regex(first).fullmatch(name) and iam_regex(second).fullmatch(name) for name in NAMES
    )
    assert patterns_overlap(first, second) is witness


@given(st.text(alphabet="ab", max_size=6), patterns)
@settings(max_examples=300)
def test_a_concrete_name_matches_a_pattern_like_the_oracle_says(name: str, pattern: str) -> None:
    assert matches(name, pattern) == bool(iam_regex(pattern).fullmatch(name))


@given(patterns, st.text(alphabet="ab", max_size=3), st.booleans())
@settings(max_examples=300)
def test_coverage_is_never_claimed_when_some_name_escapes(
    outer: str, stem: str, star: bool
) -> None:
    inner = stem + ("*" if star else "")
    if pattern_covers(outer, inner):
        for name in NAMES:
            if iam_regex(inner).fullmatch(name):
                assert iam_regex(outer).fullmatch(name), (outer, inner, name)


@pytest.mark.parametrize(
    ("policy_action", "action_class", "expected"),
    [
        ("s3:*", "s3:Get*", True),
        ("*", "s3:Put*", True),
        ("s3:G*", "s3:Get*", True),
        ("s3:*Object", "s3:Get*", True),
        ("S3:GETOBJECT", "s3:Get*", True),
        ("s3:Get?bject", "s3:Get*", True),
        ("s3:ListBucket", "s3:Put*", False),
        ("s3:Get*", "s3:Put*", False),
        ("ec2:*", "s3:Get*", False),
        ("s3:[Get]*", "s3:Get*", False),
    ],
)
def test_policy_actions_are_compared_with_action_classes_case_insensitively(
    policy_action: str, action_class: str, expected: bool
) -> None:
    assert patterns_overlap(policy_action, action_class) is expected


def test_resources_compare_case_sensitively_when_asked() -> None:
    assert matches("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket") is True
    assert matches("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket", case_sensitive=True) is False


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        ("s3:*", "s3:Get*", True),
        ("*", "s3:Get*", True),
        ("s3:Ge*", "s3:Get*", True),
        ("s3:Get*", "s3:GetObject", True),
        ("s3:GetObject", "s3:Get*", False),
        ("s3:Put*", "s3:Get*", False),
        # Covers in truth, but the shape is outside what coverage is exact for: "no".
        ("s3:*t*", "s3:Get*", False),
    ],
)
def test_coverage_of_action_classes(outer: str, inner: str, expected: bool) -> None:
    assert pattern_covers(outer, inner) is expected


def test_long_resource_patterns_do_not_exhaust_recursion() -> None:
    long_name = "a" * 5000
    assert patterns_overlap(long_name + "*", "*" + long_name)


def test_a_pattern_is_refused_where_a_name_is_expected() -> None:
    with pytest.raises(ValueError, match="is a pattern"):
        matches("s3:Get*", "s3:*")
