"""Tag-rule patterns: the refusal rules over a table, and accepted patterns judged in bounded time."""

from __future__ import annotations

import re
import time

import pytest

from estate_runtime.patterns import (
    MAX_PATTERN_LENGTH,
    UnsafePattern,
    compile_rule_pattern,
    refusal_reason,
)

# (pattern, the rule that refuses it): each row is a shape the module docstring names.
REFUSED = [
    (r"^([a-z0-9]+[._-]?)+@acme\.example$", "nested quantifier"),
    (r"(a+)+", "nested quantifier"),
    (r"(\w+\.?)*", "nested quantifier"),
    (r"(a?){8}", "nested quantifier"),  # a fixed outer count still multiplies the splits
    (r"(?:[a-z]+,)*x", "nested quantifier"),
    (r"(a|ab)+", "quantified alternation"),
    (r"(ab|a.c)+", "quantified alternation"),
    (r"(x|)+", "quantified alternation"),  # a branch matching empty
    (r"(?i)(ab|AC)+", "quantified alternation"),  # case-folded, the branches share a
    (r"\w*\w*\w*x", "overlapping run"),
    (r".*a.*b.*c", "overlapping run"),  # a, b, c are all inside .*
    (r"(a)\1", "backreferences"),
    (r"(a)?(?(1)b|c)", "backreferences"),
    (r"(", "not a valid regular expression"),
    ("x" * (MAX_PATTERN_LENGTH + 1), "longer than"),
]

# Patterns the rules accept, from the tag rules people write (and a few near misses).
ACCEPTED = [
    r"^[a-z0-9._-]+@acme\.example$",
    r"[^@]+@[^@]+\.[a-z]{2,}",  # the @ ends the first run: not three in a row
    r"(dev|staging|prod)",
    r"cc-[0-9]{4}",
    r"(\d{3}-){2}\d{4}",  # a fixed inner count in a fixed outer one
    r"[A-Z][a-z]+ [A-Z][a-z]+",
    r"^[a-z]+(-[a-z0-9]{2})*$",
    r"(a|b)+",  # one-character branches are a class to the parser
    r"(ab|ac)+",  # the parser factors the common prefix: a[bc]
    r"(ab|cd)+",
    r"\w+\s\w+",
    r".*x.*",
    r"(?=.*\d)[a-z0-9]+",
]


@pytest.mark.parametrize(("pattern", "rule"), REFUSED)
def test_refused_patterns_say_which_rule(pattern: str, rule: str) -> None:
    reason = refusal_reason(pattern)
    assert reason is not None and reason.startswith(rule), reason
    with pytest.raises(UnsafePattern) as raised:
        compile_rule_pattern(pattern)
    message = str(raised.value)
    assert "\n" not in message and rule in message
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_accepted_patterns_compile_to_the_same_regex(pattern: str) -> None:
    assert refusal_reason(pattern) is None
    assert compile_rule_pattern(pattern).pattern == re.compile(pattern).pattern


def _adversarial_values(pattern: str) -> list[str]:
    """256-character values built from the pattern's own characters, failing at the end.

    Backtracking blows up on a long run the pattern almost matches and then fails on;
    repeating each character (and pairs) the pattern names, then a character it
    cannot end with, covers that for every table row.
    """
    alphabet = sorted({c for c in pattern if c.isalnum() or c in "._-@ "} | {"a", "1", "."})
    seeds = alphabet + [a + b for a in alphabet for b in alphabet]
    return [(seed * 256)[:255] + "\x00" for seed in seeds]


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_accepted_patterns_judge_a_256_character_adversarial_value_quickly(pattern: str) -> None:
    compiled = compile_rule_pattern(pattern)
    worst = 0.0
    for value in _adversarial_values(pattern):
        started = time.thread_time()
        compiled.fullmatch(value)
        worst = max(worst, time.thread_time() - started)
    # This thread's CPU time, not wall time: a loaded machine that deschedules the test
    # cannot fail it. Measured: well under a millisecond each; the bound only catches a
    # blow-up (the refused pattern below takes about 2^n steps).
    assert worst < 0.2, f"{pattern!r} took {worst:.3f} s"


def test_the_issue_pattern_blows_up_without_the_rule() -> None:
    """The refused pattern really is slow: the rule prevents a stall, it does not guess."""
    pattern = re.compile(r"^([a-z0-9]+[._-]?)+@acme\.example$")
    started = time.thread_time()
    pattern.fullmatch("a" * 22 + "!")
    assert time.thread_time() - started > 0.05
