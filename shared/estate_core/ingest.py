"""Ingest: the report parts named by S3 events, validated, quarantined where bad, upserted."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

from estate_core.parts import (
    PartContent,
    partition_of,
    quarantine_record,
    read_part,
    scan_start_of,
)
from estate_core.store import FindingsStore


class EventInvalid(ValueError):
    """An SQS message that holds no S3 event we can act on; the message names why."""


@dataclass(frozen=True)
class PartRef:
    """One object an S3 event names."""

    bucket: str
    key: str
    version_id: str | None


@dataclass
class IngestStats:
    """What one invocation did, summed over its parts."""

    parts: int = 0
    findings: int = 0
    written: int = 0
    skipped: int = 0
    lines_quarantined: int = 0
    parts_quarantined: int = 0
    transitions: dict[str, int] = field(default_factory=dict)


def parts_of_message(body: str) -> Iterator[PartRef]:
    """The findings parts an SQS message's S3 event names (a test event names none)."""
    try:
        event = json.loads(body)
    except ValueError as error:
        raise EventInvalid(f"message body is not JSON: {error}") from None
    if not isinstance(event, dict):
        raise EventInvalid("message body is not an S3 event object")
    if event.get("Event") == "s3:TestEvent":  # S3 sends one when the notification is set
        return
    records = event.get("Records")
    if not isinstance(records, list):
        raise EventInvalid("message body has no Records list")
    for record in records:
        try:
            s3 = record["s3"]
            bucket = s3["bucket"]["name"]
            # Keys arrive URL-encoded, spaces as '+'.
            key = unquote_plus(s3["object"]["key"])
        except (KeyError, TypeError):
            raise EventInvalid("an S3 record lacks s3.bucket.name or s3.object.key") from None
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        if partition_of(key) is None:
            continue  # not a findings part: nothing to ingest
        yield PartRef(bucket, key, s3["object"].get("versionId"))


class Ingest:
    """Reads parts with one S3 client and upserts through one store."""

    def __init__(self, s3: Any, store: FindingsStore, quarantine_prefix: str) -> None:
        self._s3 = s3
        self._store = store
        self._quarantine = quarantine_prefix

    def part(self, ref: PartRef, stats: IngestStats) -> None:
        """Ingest one part: good findings upserted, anything bad quarantined with the reason."""
        extra = {"VersionId": ref.version_id} if ref.version_id else {}
        response = self._s3.get_object(Bucket=ref.bucket, Key=ref.key, **extra)
        body: bytes = response["Body"].read()
        scan_started, unusable = scan_start_of(response.get("Metadata") or {})
        # A part whose scan start is unreadable cannot be ordered: all of it waits in quarantine.
        content = PartContent(damage=unusable) if unusable else read_part(body, key=ref.key)
        if content.quarantined:
            self._quarantine_part(ref, body, content)
            stats.parts_quarantined += 1
            stats.lines_quarantined += len(content.bad_lines)
        upserted = self._store.upsert(content.findings, scan_started=scan_started)
        stats.parts += 1
        stats.findings += len(content.findings)
        stats.written += upserted.written
        stats.skipped += upserted.skipped
        for state, count in upserted.transitions.items():
            stats.transitions[state] = stats.transitions.get(state, 0) + count

    def _quarantine_part(self, ref: PartRef, body: bytes, content: PartContent) -> None:
        # Same key for the same part: a redelivery overwrites its own record.
        target = f"{self._quarantine}{ref.key}"
        record = quarantine_record(
            bucket=ref.bucket, key=ref.key, version_id=ref.version_id, content=content
        )
        self._s3.put_object(
            Bucket=ref.bucket,
            Key=f"{target}.reason.json",
            Body=json.dumps(record, indent=2, sort_keys=True).encode(),
            ContentType="application/json",
        )
        if content.damage is not None:  # keep the damaged bytes for a person to look at
            self._s3.put_object(Bucket=ref.bucket, Key=target, Body=body)


def sqs_records(event: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The SQS records of a Lambda event."""
    records = event.get("Records") if isinstance(event, Mapping) else None
    if not isinstance(records, list):
        raise EventInvalid("the event has no Records list; is this an SQS batch?")
    return records
