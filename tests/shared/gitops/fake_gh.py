"""A stand-in for the `gh` CLI: records each call, answers listings from canned JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class FakeGh:
    """Answers `api --paginate ...comments` and `issue list` with the given JSON text."""

    listing: str = "[]"
    calls: list[tuple[tuple[str, ...], str | None]] = field(default_factory=list)

    def __call__(self, arguments: Sequence[str], stdin: str | None) -> str:
        self.calls.append((tuple(arguments), stdin))
        if tuple(arguments[:2]) in (("issue", "list"), ("api", "--paginate")):
            return self.listing
        return ""

    def writes(self) -> list[tuple[tuple[str, ...], str | None]]:
        """Every call that changes something (not the listing)."""
        return [c for c in self.calls if c[0][:2] not in (("issue", "list"), ("api", "--paginate"))]
