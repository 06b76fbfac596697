"""Where an unfinished tag scan resumes: regions left, their page tokens, their next parts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from estate_scanners.scan_result import Continuation

FIELDS: Final = frozenset({"regions", "next_token", "next_part"})


@dataclass(frozen=True)
class RegionContinuation(Continuation):
    """The regions still to page (in order), the token to resume each one from (absent:
    from its first page) and the part number each region's own shard continues at (absent:
    0) — every region writes its own parts, so the numbering is per region."""

    regions: tuple[str, ...]
    next_token: Mapping[str, str] = field(default_factory=dict)
    next_part: Mapping[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON form handed back to the orchestrator and accepted by the handler."""
        return {
            "regions": list(self.regions),
            "next_token": dict(self.next_token),
            "next_part": dict(self.next_part),
        }

    @classmethod
    def from_json(cls, payload: object, *, scan_regions: Sequence[str]) -> RegionContinuation:
        """Read a continuation; raise ``ValueError`` naming the field if it is unusable."""
        if not isinstance(payload, Mapping):
            raise ValueError("continuation: expected an object")
        unknown = sorted(set(map(str, payload)) - FIELDS)
        if unknown:
            raise ValueError(
                f"continuation.{unknown[0]}: unknown field; allowed: {', '.join(sorted(FIELDS))}"
            )
        regions = payload.get("regions")
        if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
            raise ValueError("continuation.regions: expected a list of region names")
        strangers = [region for region in regions if region not in scan_regions]
        if strangers:
            raise ValueError(f"continuation.regions: {strangers} are not regions of this scan")
        tokens = payload.get("next_token", {})
        if not isinstance(tokens, Mapping) or not all(
            isinstance(value, str) and value for value in tokens.values()
        ):
            raise ValueError("continuation.next_token: expected an object of region → token")
        orphans = sorted(set(tokens) - set(regions))
        if orphans:
            raise ValueError(f"continuation.next_token: {orphans} are not in its regions")
        parts = payload.get("next_part")
        if not isinstance(parts, Mapping) or not all(
            isinstance(value, int) and not isinstance(value, bool) and value >= 0
            for value in parts.values()
        ):
            raise ValueError(
                "continuation.next_part: expected an object of region → non-negative integer"
            )
        strays = sorted(set(parts) - set(regions))
        if strays:
            raise ValueError(f"continuation.next_part: {strays} are not in its regions")
        return cls(tuple(regions), dict(tokens), dict(parts))
