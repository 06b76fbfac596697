"""Where an unfinished S3 run resumes: a shard's remaining buckets, or a whole-account cursor.

- a shard: `{"buckets": [remaining names, sorted], "next_part": n}`;
- a whole-account scan: `{"start_after": last name done, "next_part": n}` — a cursor,
  because a list of ten thousand names would not fit the 256 KB a Step Functions state
  may carry.

`estate_scanners.s3.request` reads the JSON form back, naming a bad field by its path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from estate_scanners.scan_result import Continuation


@dataclass(frozen=True)
class BucketContinuation(Continuation):
    """The part number the next run writes from, and the buckets it covers: `buckets` for a
    shard, else every bucket after `start_after` (None: from the first)."""

    next_part: int
    buckets: tuple[str, ...] | None = None
    start_after: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON form handed back to the orchestrator and accepted by the handler."""
        if self.buckets is not None:
            return {"buckets": list(self.buckets), "next_part": self.next_part}
        return {"start_after": self.start_after, "next_part": self.next_part}
