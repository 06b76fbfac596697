"""Tag-rule patterns that can never stall a scan: a static refusal of catastrophic backtracking.

Python's `re` is a backtracking engine: `^([a-z0-9]+[._-]?)+@acme\\.example$` takes
seconds on a 25-character value and doubles with each character, holding the GIL so
every scanning thread stops. A linear-time engine (RE2) is not a dependency the Lambda
code may carry (stdlib, boto3, Powertools), so instead a pattern is parsed with the
standard library's own regex parser and refused, with a one-line reason, when its shape
can backtrack super-linearly. The rules are conservative: they refuse some patterns that
would in fact run fast, and never accept one of the shapes below.

1. **Nested quantifiers.** A group repeated more than once (`+`, `*`, `{2,}`, even `{3}`)
   that contains a variable-length quantifier: `(a+)+`, `(\\w+\\.?)*`, `(a?){8}`. The
   outer repetition can split the same text among its iterations in exponentially many
   (or, for `{n}`, n-th power many) ways.
2. **Quantified alternation with overlapping branches.** A repeated group holding an
   alternation whose branches can begin with the same character, or where a branch can
   match the empty string: `(a|ab)+`, `(ab|a.c)+`, `(x|)+`. (The parser turns
   one-character alternatives, `(a|b)+`, into a class and factors a common prefix out,
   `(ab|ac)+` into `a[bc]`; both are then accepted.) Each iteration may take
   either branch for the same text.
3. **A run of overlapping free repetitions.** More than `MAX_OVERLAPPING_REPEATS` (2)
   variable-length quantifiers that can take the same characters one after another,
   with no mandatory character between them that the earlier one cannot match:
   `\\w*\\w*\\w*x`, `.*a.*b.*c`. Each such run multiplies the work by the value's
   length: two bound it to about n²/2 ≈ 33,000 steps on a 256-character tag value
   (AWS's limit), under a millisecond; three already took 47 ms here. `[^@]+@[^@]+` is
   fine: the `@` ends the first run.
4. **Backreferences and conditionals** (`\\1`, `(?(1)a|b)`): they make matching
   non-regular, so no shape rule bounds them.
5. **Longer than `MAX_PATTERN_LENGTH`** characters: nobody needs it for a tag value.

Character sets are compared over ASCII exactly; any two sets that may both hold a
non-ASCII character (`\\w`, `.`, a negated class) are taken to overlap.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

# The standard library's own regex parser (`sre_parse` before 3.11, now `re._parser`).
_parser: Any = importlib.import_module("re._parser")
_MAXREPEAT: Final[int] = int(_parser.MAXREPEAT)

MAX_PATTERN_LENGTH: Final = 512
MAX_OVERLAPPING_REPEATS: Final = 2

_ASCII: Final = frozenset(range(128))
_CATEGORIES: Final[dict[str, tuple[frozenset[int], bool]]] = {
    # ASCII members and whether non-ASCII characters (Unicode patterns) may match too.
    "CATEGORY_DIGIT": (frozenset(range(48, 58)), True),
    "CATEGORY_NOT_DIGIT": (_ASCII - frozenset(range(48, 58)), True),
    "CATEGORY_SPACE": (frozenset(b" \t\n\r\f\v"), True),
    "CATEGORY_NOT_SPACE": (_ASCII - frozenset(b" \t\n\r\f\v"), True),
    "CATEGORY_WORD": (
        frozenset(range(48, 58)) | frozenset(range(65, 91)) | frozenset(range(97, 123)) | {95},
        True,
    ),
    "CATEGORY_NOT_WORD": (
        _ASCII
        - (frozenset(range(48, 58)) | frozenset(range(65, 91)) | frozenset(range(97, 123)) | {95}),
        True,
    ),
}


class UnsafePattern(ValueError):
    """A tag-rule pattern refused: invalid, or able to backtrack catastrophically.

    The message is one line: the pattern and the reason, e.g.
    `pattern '(a+)+': nested quantifier: a repeated group contains a variable-length
    quantifier (catastrophic backtracking); make the inner part fixed-length or
    unambiguous`.
    """

    def __init__(self, pattern: str, reason: str) -> None:
        self.pattern = pattern
        self.reason = reason
        super().__init__(f"pattern {pattern!r}: {reason}")


def compile_rule_pattern(text: str) -> re.Pattern[str]:
    """Compile a tag-rule pattern, or raise `UnsafePattern` saying why it is refused."""
    reason = refusal_reason(text)
    if reason is not None:
        raise UnsafePattern(text, reason)
    return re.compile(text)


def refusal_reason(text: str) -> str | None:
    """Why the pattern is refused (one line), or None when it is safe to run."""
    if len(text) > MAX_PATTERN_LENGTH:
        return f"longer than {MAX_PATTERN_LENGTH} characters"
    try:
        re.compile(text)
        parsed = _parser.parse(text)
    except re.error as error:
        return f"not a valid regular expression: {error}"
    ignore_case = bool(parsed.state.flags & re.IGNORECASE)
    try:
        _walk(list(parsed), ignore_case, inside_repeat=False)
    except _Refused as refused:
        return refused.reason
    return _too_many_overlapping(list(parsed), ignore_case)


@dataclass(frozen=True, slots=True)
class _CharSet:
    """The characters a piece may consume: ASCII members exactly, non-ASCII as a flag."""

    ascii: frozenset[int]
    non_ascii: bool

    def overlaps(self, other: _CharSet) -> bool:
        return bool(self.ascii & other.ascii) or (self.non_ascii and other.non_ascii)

    def __or__(self, other: _CharSet) -> _CharSet:
        return _CharSet(self.ascii | other.ascii, self.non_ascii or other.non_ascii)


_EMPTY: Final = _CharSet(frozenset(), non_ascii=False)
_ANYTHING: Final = _CharSet(_ASCII, non_ascii=True)


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_NESTED: Final = (
    "nested quantifier: a repeated group contains a variable-length quantifier "
    "(catastrophic backtracking); make the inner part fixed-length or unambiguous"
)
_ALTERNATION: Final = (
    "quantified alternation whose branches can match the same text (catastrophic "
    "backtracking); make every branch start with a different character"
)


def _name(op: object) -> str:
    return str(getattr(op, "name", op))


def _walk(items: Sequence[tuple[Any, Any]], ignore_case: bool, *, inside_repeat: bool) -> None:
    """Raise `_Refused` on a nested quantifier, an ambiguous repeated alternation or a backreference."""
    for op, argument in items:
        name = _name(op)
        if name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            low, high, body = argument
            variable = low != high
            if variable and inside_repeat:
                raise _Refused(_NESTED)
            repeated = high > 1 or high == _MAXREPEAT
            body_items = list(body)
            if repeated:
                _check_alternations(body_items, ignore_case)
            _walk(body_items, ignore_case, inside_repeat=inside_repeat or repeated)
        elif name == "SUBPATTERN":
            _group, add_flags, _del_flags, body = argument
            local_case = ignore_case or bool(add_flags & re.IGNORECASE)
            _walk(list(body), local_case, inside_repeat=inside_repeat)
        elif name == "BRANCH":
            _unused, branches = argument
            for branch in branches:
                _walk(list(branch), ignore_case, inside_repeat=inside_repeat)
        elif name in {"ASSERT", "ASSERT_NOT"}:
            _direction, body = argument
            _walk(list(body), ignore_case, inside_repeat=inside_repeat)
        elif name == "ATOMIC_GROUP":
            _walk(list(argument), ignore_case, inside_repeat=inside_repeat)
        elif name in {"GROUPREF", "GROUPREF_EXISTS", "GROUPREF_IGNORE"}:
            raise _Refused(
                "backreferences and conditionals make matching non-regular; "
                "write the pattern without them"
            )


def _check_alternations(items: Sequence[tuple[Any, Any]], ignore_case: bool) -> None:
    """Refuse an alternation inside a repeated group when two branches may take the same text."""
    for op, argument in items:
        name = _name(op)
        if name == "BRANCH":
            branches = [list(branch) for branch in argument[1]]
            firsts = []
            for branch in branches:
                if _nullable(branch):
                    raise _Refused(_ALTERNATION)
                firsts.append(_first_chars(branch, ignore_case, whole=False))
            for index, first in enumerate(firsts):
                if any(first.overlaps(other) for other in firsts[index + 1 :]):
                    raise _Refused(_ALTERNATION)
            for branch in branches:
                _check_alternations(branch, ignore_case)
        elif name == "SUBPATTERN":
            _check_alternations(list(argument[3]), ignore_case or bool(argument[1] & re.IGNORECASE))
        elif name == "ATOMIC_GROUP":
            _check_alternations(list(argument), ignore_case)


def _first_chars(items: Sequence[tuple[Any, Any]], ignore_case: bool, *, whole: bool) -> _CharSet:
    """The characters the sequence may start with (`whole`: may consume anywhere)."""
    found = _EMPTY
    for op, argument in items:
        name = _name(op)
        if name in {"AT", "ASSERT", "ASSERT_NOT"}:
            continue  # zero-width
        piece, nullable = _piece(name, argument, ignore_case, whole=whole)
        found = found | piece
        if not whole and not nullable:
            return found
    return found


def _piece(name: str, argument: Any, ignore_case: bool, *, whole: bool) -> tuple[_CharSet, bool]:
    """One parsed item's character set (first or whole) and whether it can match empty."""
    if name in {"LITERAL", "NOT_LITERAL", "ANY", "IN"}:
        return _fold(_single(name, argument), ignore_case), False
    if name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
        body, nullable = list(argument[2]), argument[0] == 0 or _nullable(argument[2])
    elif name == "SUBPATTERN":
        body, nullable = list(argument[3]), _nullable(argument[3])
        ignore_case = ignore_case or bool(argument[1] & re.IGNORECASE)
    elif name == "ATOMIC_GROUP":
        body, nullable = list(argument), _nullable(argument)
    elif name == "BRANCH":
        merged = _EMPTY
        for branch in argument[1]:
            merged = merged | _first_chars(list(branch), ignore_case, whole=whole)
        return merged, any(_nullable(branch) for branch in argument[1])
    else:
        return _ANYTHING, True  # an opcode this module does not know: assume the worst
    return _first_chars(body, ignore_case, whole=whole), nullable


def _single(name: str, argument: Any) -> _CharSet:
    """The characters one single-character item matches."""
    if name == "LITERAL":
        return _CharSet(*_codepoint(argument))
    if name == "NOT_LITERAL":
        return _CharSet(_ASCII - _codepoint(argument)[0], non_ascii=True)
    if name == "IN":
        return _class(argument)
    return _ANYTHING


def _nullable(items: Iterable[tuple[Any, Any]]) -> bool:
    """Whether the sequence can match the empty string."""
    for op, argument in items:
        name = _name(op)
        if name in {"AT", "ASSERT", "ASSERT_NOT"}:
            continue
        if name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            if argument[0] > 0 and not _nullable(argument[2]):
                return False
        elif name == "SUBPATTERN":
            if not _nullable(argument[3]):
                return False
        elif name == "ATOMIC_GROUP":
            if not _nullable(argument):
                return False
        elif name == "BRANCH":
            if not any(_nullable(branch) for branch in argument[1]):
                return False
        else:
            return False
    return True


def _codepoint(code: int) -> tuple[frozenset[int], bool]:
    return (frozenset({code}), False) if code < 128 else (frozenset(), True)


def _class(members: Sequence[tuple[Any, Any]]) -> _CharSet:
    ascii_members: set[int] = set()
    non_ascii = False
    negated = False
    for op, argument in members:
        name = _name(op)
        if name == "NEGATE":
            negated = True
        elif name == "LITERAL":
            codes, wide = _codepoint(argument)
            ascii_members |= codes
            non_ascii = non_ascii or wide
        elif name == "RANGE":
            low, high = argument
            ascii_members |= set(range(low, min(high, 127) + 1))
            non_ascii = non_ascii or high >= 128
        elif name == "CATEGORY":
            codes, wide = _CATEGORIES.get(_name(argument), (_ASCII, True))
            ascii_members |= codes
            non_ascii = non_ascii or wide
        else:
            return _ANYTHING
    if negated:
        return _CharSet(_ASCII - ascii_members, non_ascii=True)
    return _CharSet(frozenset(ascii_members), non_ascii)


def _fold(chars: _CharSet, ignore_case: bool) -> _CharSet:
    if not ignore_case:
        return chars
    folded = set(chars.ascii)
    for code in chars.ascii:
        if 65 <= code <= 90:
            folded.add(code + 32)
        elif 97 <= code <= 122:
            folded.add(code - 32)
    return _CharSet(frozenset(folded), chars.non_ascii)


def _chain(
    items: Sequence[tuple[Any, Any]], ignore_case: bool, chain: list[_CharSet]
) -> tuple[int, list[_CharSet]]:
    """The longest run of overlapping variable repeats one text position can fall between.

    `chain` holds the repeats still "open" before `items`: those that could still be
    consuming the same characters. A mandatory character that a repeat cannot consume
    closes it (`[^@]+@[^@]+`: the `@` ends the first run), so only repeats that may share
    characters without a separator count together.
    """
    longest = len(chain)
    for op, argument in items:
        name = _name(op)
        if name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            low, high, body = argument
            if low != high:
                chars = _first_chars(list(body), ignore_case, whole=True)
                chain = [*(c for c in chain if c.overlaps(chars)), chars]
                longest = max(longest, len(chain))
            elif high:
                inner, chain = _chain(list(body), ignore_case, chain)
                longest = max(longest, inner)
        elif name == "SUBPATTERN":
            local_case = ignore_case or bool(argument[1] & re.IGNORECASE)
            inner, chain = _chain(list(argument[3]), local_case, chain)
            longest = max(longest, inner)
        elif name == "ATOMIC_GROUP":
            inner, chain = _chain(list(argument), ignore_case, chain)
            longest = max(longest, inner)
        elif name == "BRANCH":
            merged: list[_CharSet] = []
            for branch in argument[1]:
                inner, after = _chain(list(branch), ignore_case, list(chain))
                longest = max(longest, inner)
                merged.extend(c for c in after if c not in merged)
            chain = merged
        elif name in {"ASSERT", "ASSERT_NOT"}:
            inner, _after = _chain(list(argument[1]), ignore_case, list(chain))
            longest = max(longest, inner)
        elif name != "AT":
            chars, _nullable_piece = _piece(name, argument, ignore_case, whole=True)
            chain = [c for c in chain if c.overlaps(chars)]
    return longest, chain


def _too_many_overlapping(parsed: Sequence[tuple[Any, Any]], ignore_case: bool) -> str | None:
    longest, _open = _chain(parsed, ignore_case, [])
    if longest > MAX_OVERLAPPING_REPEATS:
        return (
            f"overlapping run: {longest} variable-length quantifiers can take the same characters in a row "
            f"(at most {MAX_OVERLAPPING_REPEATS}: each one multiplies the backtracking); "
            "separate them with a character they cannot match, or fix their lengths"
        )
    return None
