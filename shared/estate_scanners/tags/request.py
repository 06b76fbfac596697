"""The tag checker's event, read into one typed request; each bad field is one ``EventInvalid``.

```
{"scan_id": "...", "scan_started": "2026-01-01T03:00:00Z", "regions": ["eu-west-1", ...],
 "required_tags": [{"key": "Owner", "values": null, "pattern": "..."}, ...],
 "account_id": "...?", "role_arn": "...?", "external_id": "...?", "shard": "0000"?,
 "continuation": {"regions": [...], "next_token": {"eu-west-1": "..."}, "next_part": {"eu-west-1": 3}}?}
```
The rules travel in the event: the schedule's payload is generated from
``accounts/<name>.yaml`` at deploy time, so changing a rule is a reviewed deploy, and every
scan records in its own event which rules it applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from estate_runtime.events import (
    REGION_PATTERN,
    SCAN_TARGET_FIELDS,
    EventInvalid,
    ScanTarget,
    optional_str,
    parse_scan_target,
    refuse_unknown_fields,
    require_mapping,
    require_str_list,
)
from estate_runtime.report_writer import SHARD_PATTERN
from estate_scanners.tags.continuation import RegionContinuation
from estate_scanners.tags.rules import TagRuleSet, rules_from_event

EVENT_FIELDS: Final = SCAN_TARGET_FIELDS | {"regions", "required_tags", "shard"}


@dataclass(frozen=True)
class TagScanRequest:
    """Everything one tag-checker run needs from its event."""

    target: ScanTarget
    regions: tuple[str, ...]
    tag_rules: TagRuleSet
    shard: str
    continuation: RegionContinuation | None


def parse_request(event: object) -> TagScanRequest:
    """Read and check the event."""
    body = require_mapping(event)
    refuse_unknown_fields(body, EVENT_FIELDS)
    target = parse_scan_target(body)
    regions = require_str_list(body, "regions", REGION_PATTERN, "a region name")
    if "required_tags" not in body:
        raise EventInvalid("required_tags", "required")
    tag_rules = TagRuleSet(rules_from_event(body["required_tags"]))
    continuation = None
    if target.continuation is not None:
        try:
            continuation = RegionContinuation.from_json(target.continuation, scan_regions=regions)
        except ValueError as error:
            field, _, reason = str(error).partition(": ")
            raise EventInvalid(field, reason) from None
    return TagScanRequest(
        target=target,
        regions=regions,
        tag_rules=tag_rules,
        shard=optional_str(body, "shard", SHARD_PATTERN, "1-64 letters, digits or _") or "0000",
        continuation=continuation,
    )
