"""IAM wildcard patterns (`*` any run, possibly empty; `?` one character): match, overlap, cover.

Policy actions (`s3:*`, `s3:Get*`, `*`) and resources (`arn:aws:s3:::b/*`) use these
wildcards and no others: unlike `fnmatch`, `[` is an ordinary character. Action
names ignore case (IAM, "IAM JSON policy elements: Action", `IAM_ACTION`: "The prefix and
the action name are case insensitive"), resource ARNs do not, hence the `case_sensitive`
switch.
"""

from __future__ import annotations

from functools import lru_cache

IAM_ACTION = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html"
)
WILDCARDS = frozenset("*?")


def matches(name: str, pattern: str, *, case_sensitive: bool = False) -> bool:
    """Whether a concrete name (no wildcards) matches a pattern."""
    if WILDCARDS & set(name):
        raise ValueError(f"{name!r} is a pattern, not a name")
    return patterns_overlap(name, pattern, case_sensitive=case_sensitive)


def patterns_overlap(first: str, second: str, *, case_sensitive: bool = False) -> bool:
    """Whether some name matches both patterns."""
    if not case_sensitive:
        first, second = first.lower(), second.lower()
    return _overlap(first, second)


def pattern_covers(outer: str, inner: str, *, case_sensitive: bool = False) -> bool:
    """Whether every name matching `inner` also matches `outer`.

    Exact when `inner` is a literal name, or when `inner` is a literal prefix ending
    in `*` and `outer` is a literal prefix followed only by stars; False for other
    shapes, so callers asking "is this covered?" err towards "no".
    """
    if not case_sensitive:
        outer, inner = outer.lower(), inner.lower()
    stem = inner.removesuffix("*")
    if WILDCARDS & set(stem):
        return False
    if not inner.endswith("*"):
        return _overlap(stem, outer)
    # Every "stem + anything" matches `outer` when outer is a literal prefix of stem
    # followed only by stars: the stars absorb the rest of stem and any tail.
    head, star, tail = outer.partition("*")
    return (
        bool(star) and not (WILDCARDS & set(head)) and set(tail) <= {"*"} and stem.startswith(head)
    )


@lru_cache(maxsize=8192)
def _overlap(first: str, second: str) -> bool:
    # A search over (position in first, position in second), iterative so that long
    # resource patterns cannot exhaust the recursion limit.
    end = (len(first), len(second))
    seen: set[tuple[int, int]] = set()
    pending = [(0, 0)]
    while pending:
        state = pending.pop()
        if state == end:
            return True
        if state in seen:
            continue
        seen.add(state)
        pending.extend(_moves(first, second, *state))
    return False


def _moves(first: str, second: str, i: int, j: int) -> list[tuple[int, int]]:
    """States reachable in one step: a star matches nothing or absorbs one symbol."""
    a = first[i] if i < len(first) else ""
    b = second[j] if j < len(second) else ""
    if a == "*":
        return [(i + 1, j)] + ([(i, j + 1)] if b else [])
    if b == "*":
        return [(i, j + 1)] + ([(i + 1, j)] if a else [])
    if a and b and (a == b or "?" in (a, b)):
        return [(i + 1, j + 1)]
    return []
