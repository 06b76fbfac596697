"""Typed reading of a scan handler's event: every bad field is one ``EventInvalid`` line.

The fields both scanners share (scan id and start, the target account and role, the
continuation) are parsed by ``parse_scan_target``; each handler reads its own extra fields
with the small ``require_*`` / ``optional_*`` readers. An event (or a continuation) may hold
only its documented fields: a typo such as ``bucket`` for ``buckets`` would otherwise scan
the whole account instead of the shard that was meant. A nested object's errors name their
full path (``event.continuation.next_part``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

SCAN_ID_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
ACCOUNT_ID_PATTERN: Final = re.compile(r"[0-9]{12}")
REGION_PATTERN: Final = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")
ROLE_ARN_PATTERN: Final = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}")
# IAM's own constraint on sts:ExternalId.
EXTERNAL_ID_PATTERN: Final = re.compile(r"[\w+=,.@:/-]{2,1224}")


# The fields every scan event may carry (parse_scan_target reads them).
SCAN_TARGET_FIELDS: Final = frozenset(
    {"scan_id", "scan_started", "account_id", "role_arn", "external_id", "continuation"}
)


class EventInvalid(ValueError):
    """A handler event that cannot be used; the message names the field and what it needs."""

    def __init__(self, field: str, reason: str) -> None:
        # An unprintable key (a line break, say) is shown escaped: the error stays one line.
        shown = field if field.isprintable() else repr(field)
        super().__init__(f"event.{shown}: {reason}")
        self.field = field
        self.reason = reason


@contextmanager
def within(prefix: str) -> Iterator[None]:
    """Errors raised inside name their field under ``prefix`` (``continuation.`` + field)."""
    try:
        yield
    except EventInvalid as error:
        raise EventInvalid(f"{prefix}{error.field}", error.reason) from None


def refuse_unknown_fields(body: Mapping[str, Any], allowed: frozenset[str]) -> None:
    """Every key of ``body`` is one of ``allowed``; the first stranger is named, with the
    closest allowed name when there is one."""
    for key in sorted(map(str, body)):
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise EventInvalid(key, f"unknown field; {hint}allowed: {', '.join(sorted(allowed))}")


@dataclass(frozen=True)
class ScanTarget:
    """What every scan event carries: which scan, when it started, which account, how."""

    scan_id: str
    scan_started: datetime
    account_id: str | None
    role_arn: str | None
    external_id: str | None
    continuation: Mapping[str, Any] | None


def parse_scan_target(event: object) -> ScanTarget:
    """Read the shared fields of a scan event."""
    body = require_mapping(event)
    role_arn = optional_str(body, "role_arn", ROLE_ARN_PATTERN, "an IAM role ARN")
    external_id = optional_str(body, "external_id", EXTERNAL_ID_PATTERN, "2-1224 characters")
    if external_id is not None and role_arn is None:
        raise EventInvalid("external_id", "given without role_arn")
    continuation = body.get("continuation")
    if continuation is not None and not isinstance(continuation, Mapping):
        raise EventInvalid("continuation", "expected an object or null")
    return ScanTarget(
        scan_id=require_str(body, "scan_id", SCAN_ID_PATTERN, "1-128 characters of A-Za-z0-9._-"),
        scan_started=require_timestamp(body, "scan_started"),
        account_id=optional_str(body, "account_id", ACCOUNT_ID_PATTERN, "12 digits"),
        role_arn=role_arn,
        external_id=external_id,
        continuation=continuation,
    )


def require_mapping(event: object, field: str = "(root)") -> Mapping[str, Any]:
    """The event (or a field of it) as a JSON object."""
    if not isinstance(event, Mapping):
        raise EventInvalid(field, f"expected an object, got {type(event).__name__}")
    return event


def require_str(
    body: Mapping[str, Any], field: str, pattern: re.Pattern[str] | None = None, shape: str = ""
) -> str:
    """A present string field, matching ``pattern`` in full when one is given."""
    if field not in body:
        raise EventInvalid(field, "required")
    return _checked_str(body[field], field, pattern, shape)


def optional_str(
    body: Mapping[str, Any], field: str, pattern: re.Pattern[str] | None = None, shape: str = ""
) -> str | None:
    """A string field that may be absent or null."""
    value = body.get(field)
    return None if value is None else _checked_str(value, field, pattern, shape)


def require_str_list(
    body: Mapping[str, Any], field: str, pattern: re.Pattern[str] | None = None, shape: str = ""
) -> tuple[str, ...]:
    """A non-empty list of distinct strings, each matching ``pattern`` in full."""
    value = body.get(field)
    if not isinstance(value, list) or not value:
        raise EventInvalid(field, "expected a non-empty list")
    items = tuple(
        _checked_str(item, f"{field}[{index}]", pattern, shape) for index, item in enumerate(value)
    )
    if len(set(items)) != len(items):
        raise EventInvalid(field, "lists an item twice")
    return items


def optional_int(body: Mapping[str, Any], field: str, *, minimum: int, maximum: int) -> int | None:
    """An integer field within bounds, or None when absent."""
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise EventInvalid(field, f"expected an integer from {minimum} to {maximum}")
    return value


def require_timestamp(body: Mapping[str, Any], field: str) -> datetime:
    """An ISO 8601 timestamp with a time zone, returned in UTC."""
    text = require_str(body, field)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise EventInvalid(field, f"{text!r} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None:
        raise EventInvalid(field, f"{text!r} has no time zone; add Z or an offset")
    return moment.astimezone(UTC)


def _checked_str(value: object, field: str, pattern: re.Pattern[str] | None, shape: str) -> str:
    if not isinstance(value, str):
        raise EventInvalid(field, f"expected a string, got {type(value).__name__}")
    if pattern is not None and pattern.fullmatch(value) is None:
        raise EventInvalid(field, f"{value!r} is not {shape or 'well formed'}")
    return value
