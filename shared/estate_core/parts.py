"""Reading one report part: every good finding, and every line that cannot be one, with why.

A truncated or corrupt gzip stream still yields the lines decompressed before the damage:
those are ingested, and the part itself is quarantined with the reason. Nothing is dropped
silently and one bad line never blocks the others.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

from estate_runtime.findings import FindingInvalid, load_schema, validate_finding
from estate_runtime.report_writer import SCAN_STARTED_METADATA

# findings/scanner=<s3|tags>/account=<id>/dt=<date>/<file>
PART_KEY: Final = re.compile(
    r"findings/scanner=(?P<scanner>[a-z0-9]+)/account=(?P<account>[0-9]{12})/dt=[0-9-]+/[^/]+"
)
_GZIP_WINDOW: Final = 16 + zlib.MAX_WBITS  # a gzip header and trailer around deflate
_CHUNK: Final = 256 * 1024
MAX_QUOTED_LINE: Final = 1024  # how much of a bad line the quarantine record keeps


@cache
def _timestamp() -> re.Pattern[str]:
    # Read when first needed, like the schema's validator: never at import.
    return re.compile(load_schema()["properties"]["observed_at"]["pattern"])


@dataclass(frozen=True)
class BadLine:
    """A line that is not a valid finding of this part: its number (1-based) and why."""

    number: int
    reason: str
    text: str


@dataclass
class PartContent:
    """What one part held."""

    findings: list[dict[str, Any]] = field(default_factory=list)
    bad_lines: list[BadLine] = field(default_factory=list)
    damage: str | None = None  # why the part itself is unreadable past some point

    @property
    def quarantined(self) -> bool:
        """Whether the part has anything for the quarantine."""
        return bool(self.bad_lines) or self.damage is not None


def partition_of(key: str) -> tuple[str, str] | None:
    """(scanner, account id) of a findings part key, or None for any other key."""
    match = PART_KEY.fullmatch(key)
    return None if match is None else (match["scanner"], match["account"])


def scan_start_of(metadata: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(the scan start the part declares or None, why the declaration is unusable or None)."""
    declared = metadata.get(SCAN_STARTED_METADATA)
    if declared is None:
        return None, None
    if not _timestamp().fullmatch(declared):
        return None, (
            f"metadata {SCAN_STARTED_METADATA}={declared[:64]!r} is not an ISO 8601 UTC "
            "timestamp like 2026-03-01T06:00:00Z; the part cannot be ordered against other scans"
        )
    return declared, None


def _decompressed_lines(body: bytes) -> tuple[list[bytes], str | None]:
    """Complete lines of the gzip stream, and the damage that stopped it early, if any."""
    decompressor = zlib.decompressobj(_GZIP_WINDOW)
    data = bytearray()
    damage: str | None = None
    try:
        for start in range(0, len(body), _CHUNK):
            data += decompressor.decompress(body[start : start + _CHUNK])
        data += decompressor.flush()
        if not decompressor.eof:
            damage = "truncated gzip stream: the part ends before its gzip trailer"
        elif decompressor.unused_data:
            damage = "data after the gzip stream's end"
    except zlib.error as error:
        damage = f"corrupt gzip stream: {error}"
    lines = bytes(data).split(b"\n")
    tail = lines.pop()  # after the last newline: empty for a whole stream
    if tail and damage is None:
        lines.append(tail)  # a last line without a newline is still whole
    elif tail:
        damage = f"{damage}; a partial last line of {len(tail)} bytes was cut off"
    return lines, damage


def read_part(body: bytes, *, key: str) -> PartContent:
    """Every finding of the part ``key`` that validates and belongs to the key's partition."""
    content = PartContent()
    partition = partition_of(key)
    lines, content.damage = _decompressed_lines(body)
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        finding, reason = _parse_line(raw, partition)
        if finding is not None:
            content.findings.append(finding)
        else:
            text = raw[:MAX_QUOTED_LINE].decode("utf-8", errors="replace")
            content.bad_lines.append(BadLine(number, str(reason), text))
    return content


def _parse_line(
    raw: bytes, partition: tuple[str, str] | None
) -> tuple[dict[str, Any] | None, str | None]:
    try:
        document = json.loads(raw)
    except ValueError as error:  # UnicodeDecodeError is a ValueError too
        return None, f"not JSON: {error}"
    try:
        validate_finding(document)
    except FindingInvalid as error:
        return None, str(error)
    finding: dict[str, Any] = document
    if partition is not None and (finding["scanner"], finding["account_id"]) != partition:
        return None, (
            f"finding of scanner {finding['scanner']} account {finding['account_id']} "
            f"in the part of scanner {partition[0]} account {partition[1]}"
        )
    return finding, None


def quarantine_record(
    *, bucket: str, key: str, version_id: str | None, content: PartContent
) -> Mapping[str, Any]:
    """The JSON document that says why a part is in the quarantine."""
    return {
        "source": {"bucket": bucket, "key": key, "version_id": version_id},
        "damage": content.damage,
        "findings_ingested": len(content.findings),
        "bad_lines": [
            {"line": bad.number, "reason": bad.reason, "text": bad.text}
            for bad in content.bad_lines
        ],
    }
