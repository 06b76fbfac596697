"""The S3 analyzer's event, read into one typed request; each bad field is one `EventInvalid`.

```
{"scan_id": "...", "scan_started": "2026-01-01T00:00:00Z",
 "account_id": "...?", "role_arn": "...?", "external_id": "...?",
 "required_tags": [{"key": "Owner", "values": null, "pattern": null}, ...]?,
 "buckets": ["a", "b"]?, "shard": "0001"?, "include_account_checks": true?,
 "continuation": {"buckets": [...], "next_part": 3} | {"start_after": "b", "next_part": 3}?}
```
A continuation replaces `buckets`/`start_after` and the first part, and never repeats
the account-level checks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from estate_runtime.events import (
    SCAN_TARGET_FIELDS,
    EventInvalid,
    ScanTarget,
    optional_int,
    optional_str,
    parse_scan_target,
    refuse_unknown_fields,
    require_mapping,
    require_str_list,
    within,
)
from estate_runtime.report_writer import SHARD_PATTERN
from estate_scanners.s3.check_model import TagRuleSet
from estate_scanners.tags.rules import rules_from_event

# Legacy us-east-1 buckets may hold capitals and underscores and run to 255 characters.
BUCKET_NAME_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")
MAX_PART: Final = 99_999
EVENT_FIELDS: Final = SCAN_TARGET_FIELDS | {
    "required_tags",
    "buckets",
    "shard",
    "include_account_checks",
}
CONTINUATION_FIELDS: Final = frozenset({"buckets", "start_after", "next_part"})


@dataclass(frozen=True)
class S3ScanRequest:
    """Everything one analyzer run needs to know from its event."""

    target: ScanTarget
    tag_rules: TagRuleSet
    buckets: tuple[str, ...] | None
    start_after: str | None
    shard: str
    first_part: int
    include_account_checks: bool | None


def parse_request(event: object) -> S3ScanRequest:
    """Read and check the event."""
    body = require_mapping(event)
    refuse_unknown_fields(body, EVENT_FIELDS)
    target = parse_scan_target(body)
    shard = optional_str(body, "shard", SHARD_PATTERN, "1-64 letters, digits or _") or "0000"
    include = body.get("include_account_checks")
    if include is not None and not isinstance(include, bool):
        raise EventInvalid("include_account_checks", "expected true, false or null")
    buckets = _bucket_list(body, "buckets") if body.get("buckets") is not None else None
    request = S3ScanRequest(
        target=target,
        tag_rules=parse_tag_rules(body.get("required_tags")),
        buckets=buckets,
        start_after=None,
        shard=shard,
        first_part=0,
        include_account_checks=include,
    )
    if target.continuation is None:
        return request
    with within("continuation."):
        return _continued(request, target.continuation)


def parse_tag_rules(raw: object) -> TagRuleSet:
    """`required_tags`, in the tag checker's rules payload; absent or null means no rule."""
    return TagRuleSet() if raw is None else TagRuleSet(rules_from_event(raw))


def _continued(request: S3ScanRequest, continuation: Mapping[str, Any]) -> S3ScanRequest:
    """The request resumed from ``continuation`` (its errors are named under it)."""
    refuse_unknown_fields(continuation, CONTINUATION_FIELDS)
    next_part = optional_int(continuation, "next_part", minimum=0, maximum=MAX_PART)
    if next_part is None:
        raise EventInvalid("next_part", "required")
    if "buckets" in continuation and "start_after" in continuation:
        raise EventInvalid("start_after", "set buckets or start_after, not both")
    if "buckets" in continuation:
        buckets = _bucket_list(continuation, "buckets")
        start_after = None
    elif "start_after" in continuation:
        if request.buckets is not None:
            raise EventInvalid("start_after", "a shard continues with buckets, not start_after")
        buckets = None
        start_after = optional_str(
            continuation, "start_after", BUCKET_NAME_PATTERN, "a bucket name"
        )
    else:
        raise EventInvalid("buckets", "required (or start_after)")
    return S3ScanRequest(
        target=request.target,
        tag_rules=request.tag_rules,
        buckets=buckets,
        start_after=start_after,
        shard=request.shard,
        first_part=next_part,
        include_account_checks=False,
    )


def _bucket_list(body: Mapping[str, Any], field: str) -> tuple[str, ...]:
    return require_str_list(body, field, BUCKET_NAME_PATTERN, "a bucket name")
