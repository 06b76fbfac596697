"""IAM's policy size quotas, counted the way AWS counts them (white space excluded)."""

from __future__ import annotations

from collections.abc import Sequence

from estate.iam.errors import PolicyError

MANAGED_POLICY_MAX_CHARS = 6_144
"""One customer managed policy."""

MANAGED_POLICIES_PER_ROLE = 10
"""Managed policies attached to one role (IAM's default quota; AWS raises it to 20 on request)."""

INLINE_POLICIES_MAX_CHARS = 10_240
"""All inline policies of one role, together."""

TRUST_POLICY_MAX_CHARS = 2_048
"""A role's trust policy under the default quota (AWS raises it to 4,096 on request)."""


def policy_size(text: str) -> int:
    """Characters of a policy document that count against IAM's quotas: all but white space."""
    return sum(1 for character in text if not character.isspace())


def ensure_within(text: str, *, max_chars: int, what: str) -> None:
    """Raise PolicyError if ``text`` is over ``max_chars`` as AWS counts it."""
    size = policy_size(text)
    if size > max_chars:
        raise PolicyError(
            f"{what}: {size} characters, over the limit of {max_chars}; "
            "split its statements with split_into_managed_policies"
        )


def ensure_inline_policies_within(documents: Sequence[str]) -> None:
    """Raise PolicyError if one role's inline policies together exceed IAM's aggregate quota."""
    total = sum(policy_size(document) for document in documents)
    if total > INLINE_POLICIES_MAX_CHARS:
        raise PolicyError(
            f"inline policies of one role: {total} characters together, over the limit of "
            f"{INLINE_POLICIES_MAX_CHARS}; move statements into managed policies"
        )
