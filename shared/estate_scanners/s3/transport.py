"""Whether a bucket policy refuses requests that do not use TLS.

What counts (Security Hub S3.5): a Deny statement with a public principal, for all
actions (`*` or `s3:*`), whose conditions are exactly one test — `Bool` (or
`BoolIfExists`) `aws:SecureTransport = false` — and whose resources cover the bucket
itself and every object in it, in one statement or across several.

Our decisions:
- Any other condition disqualifies the statement: conditions are ANDed, so an extra one
  (say `StringEquals aws:SourceVpce`) narrows the Deny to the requests that also meet
  it, and plain HTTP stays allowed everywhere else.
- `BoolIfExists` is credited like `Bool`: `aws:SecureTransport` is in the context of
  every request (IAM's global condition keys reference), so "if exists" never applies.
- NotAction/NotResource/NotPrincipal denies are not credited: what they cover depends
  on lists we would have to invert.
"""

from __future__ import annotations

from dataclasses import dataclass

from estate_scanners.s3.facts import BucketPolicy
from estate_scanners.s3.policy import Condition, PolicyStatement
from estate_scanners.s3.wildcards import matches, pattern_covers

SECURE_TRANSPORT = "aws:securetransport"
BOOL_OPERATORS = frozenset({"Bool", "BoolIfExists"})


@dataclass(frozen=True, slots=True)
class TlsEnforcement:
    """Which qualifying Deny statements cover the bucket and which cover its objects."""

    covering_bucket: tuple[int, ...]
    covering_objects: tuple[int, ...]

    @property
    def enforced(self) -> bool:
        """TLS is enforced when both the bucket and all its objects are covered."""
        return bool(self.covering_bucket and self.covering_objects)


def tls_enforcement(policy: BucketPolicy, bucket_arn: str) -> TlsEnforcement:
    """Which statements deny insecure transport to the bucket and to its objects."""
    objects = f"{bucket_arn}/*"
    qualifying = [s for s in policy.statements if denies_insecure_transport(s)]
    return TlsEnforcement(
        covering_bucket=tuple(
            s.index
            for s in qualifying
            if any(matches(bucket_arn, r, case_sensitive=True) for r in s.resources)
        ),
        covering_objects=tuple(
            s.index
            for s in qualifying
            if any(pattern_covers(r, objects, case_sensitive=True) for r in s.resources)
        ),
    )


def denies_insecure_transport(statement: PolicyStatement) -> bool:
    """A Deny to everyone, for every action, whose only condition is "not over TLS"."""
    if not statement.denies or statement.not_principal or statement.not_action:
        return False
    if statement.not_resource or not any(p.is_public for p in statement.principals):
        return False
    all_actions = any(pattern_covers(action, "s3:*") for action in statement.actions)
    return (
        all_actions
        and len(statement.conditions) == 1
        and _is_insecure_transport_test(statement.conditions[0])
    )


def _is_insecure_transport_test(condition: Condition) -> bool:
    return (
        condition.operator in BOOL_OPERATORS
        and condition.key == SECURE_TRANSPORT
        and bool(condition.values)
        and all(value.lower() == "false" for value in condition.values)
    )
