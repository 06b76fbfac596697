"""Findings written as gzip JSON Lines parts, incrementally, under deterministic keys.

Key layout (docs/findings.md)::

    findings/scanner=<s3|tags>/account=<id>/dt=<YYYY-MM-DD>/<scan_id>-<shard>-<seq:05d>.jsonl.gz

``dt`` is the scan's *start* date, carried through continuations, so a scan that crosses
midnight stays in one partition. ``shard`` labels one unit of work of a fan-out and holds no
``-``, so a key decodes to exactly one (scan_id, shard, seq) even though scan ids may hold
``-``. The same (scan_id, shard, seq) always maps to the same key: a rerun overwrites its own
parts, and ``stale_parts_cleanup`` deletes the parts an earlier, longer run left beyond the
rerun's last one — so a scan_id never holds a finding twice.

A scan id names one set of parts *whatever the date*: a rerun of the same id with a later
start (the next day, or an orchestrator that restamped ``scan_started``) writes under its
own ``dt``, and its cleanup looks across every ``dt`` of the scanner and account for parts
of the same scan and shard and removes them. The cost is one listing of the account's
folder per completed shard (one LIST call per 1,000 stored parts; a lifecycle rule on the
reports bucket keeps the folder bounded). ``remove_other_shards`` drops the shards a
completed run no longer covers (the tag checker's dropped regions).

Parts are gzip with a fixed header time (``mtime=0``) so identical content gives identical
bytes. Memory stays flat: at most ``part_size`` serialized findings are held at once.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import tempfile
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, Protocol

from estate_runtime.closing import ClosesOnExit
from estate_runtime.findings import FindingInvalid, format_timestamp, load_schema, validate_finding

PART_SUFFIX: Final = ".jsonl.gz"
CONTENT_TYPE: Final = "application/x-ndjson"
CONTENT_ENCODING: Final = "gzip"
SHARD_PATTERN: Final = re.compile(r"[A-Za-z0-9_]{1,64}")
_SCANNERS: Final[tuple[str, ...]] = tuple(load_schema()["properties"]["scanner"]["enum"])
_DELETE_BATCH: Final = 1000  # S3 DeleteObjects takes at most 1,000 keys per request


class Sink(Protocol):
    """Where parts go: an S3 bucket, a local folder, or memory."""

    def put(self, key: str, body: bytes) -> None:
        """Store ``body`` under ``key``, replacing what was there."""

    def list_keys(self, prefix: str) -> Iterator[str]:
        """Every stored key that starts with ``prefix``."""

    def delete(self, keys: Sequence[str]) -> None:
        """Remove ``keys`` (missing keys are not an error)."""


@dataclass(frozen=True)
class WrittenReport:
    """What one writer produced: its part keys, how many findings, the next free part seq."""

    keys: tuple[str, ...]
    findings_count: int
    next_part: int


@dataclass(frozen=True)
class PartLocation:
    """The partition folder and the scan/shard a writer's parts belong to."""

    scanner: str
    account_id: str
    scan_id: str
    scan_date: date
    shard: str = "0000"

    def __post_init__(self) -> None:
        if self.scanner not in _SCANNERS:
            raise ValueError(f"scanner {self.scanner!r} is not one of {_SCANNERS}")
        if not re.fullmatch(r"[0-9]{12}", self.account_id):
            raise ValueError(f"account_id {self.account_id!r} is not 12 digits")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}", self.scan_id):
            raise ValueError(f"scan_id {self.scan_id!r} is not a valid scan id")
        if not SHARD_PATTERN.fullmatch(self.shard):
            raise ValueError(f"shard {self.shard!r} must be 1-64 letters, digits or _")

    @property
    def folder(self) -> str:
        """The partition prefix, ending in ``/``."""
        return (
            f"findings/scanner={self.scanner}/account={self.account_id}"
            f"/dt={self.scan_date.isoformat()}/"
        )

    def key(self, seq: int) -> str:
        """The key of part ``seq``."""
        return f"{self.folder}{self.scan_id}-{self.shard}-{seq:05d}{PART_SUFFIX}"

    @property
    def account_folder(self) -> str:
        """The scanner and account's folder, every date partition below it, ending in ``/``."""
        return f"findings/scanner={self.scanner}/account={self.account_id}/"

    def seq_of(self, key: str) -> int | None:
        """The part seq a key holds for this scan and shard, or None if it is not one of ours."""
        part = self.part_of(key)
        if part is None or part.scan_date != self.scan_date or part.shard != self.shard:
            return None
        return part.seq

    def part_of(self, key: str) -> StoredPart | None:
        """The (date, shard, seq) of a key of this scan id in any date partition, or None."""
        match = re.fullmatch(
            re.escape(self.account_folder)
            + r"dt=([0-9]{4}-[0-9]{2}-[0-9]{2})/"
            + re.escape(self.scan_id)
            + r"-([A-Za-z0-9_]{1,64})-([0-9]{5,})"
            + re.escape(PART_SUFFIX),
            key,
        )
        if match is None:
            return None
        return StoredPart(key, date.fromisoformat(match[1]), match[2], int(match[3]))


@dataclass(frozen=True)
class StoredPart:
    """One stored part of a scan: its key, date partition, shard and seq."""

    key: str
    scan_date: date
    shard: str
    seq: int


class ReportWriter(ClosesOnExit):
    """Validates findings and writes them as numbered gzip JSON Lines parts to a sink.

    Thread-safe: scanners add from worker threads. Use as a context manager or call
    ``close()`` once every producer has finished.
    """

    def __init__(
        self,
        sink: Sink,
        *,
        scanner: str,
        account_id: str,
        scan_id: str,
        scan_date: date,
        shard: str = "0000",
        part_size: int = 1000,
        first_part: int = 0,
    ) -> None:
        if part_size < 1:
            raise ValueError("part_size must be at least 1")
        if first_part < 0:
            raise ValueError("first_part must not be negative")
        self.location = PartLocation(scanner, account_id, scan_id, scan_date, shard)
        self._sink = sink
        self._part_size = part_size
        self._next_part = first_part
        self._buffer: list[bytes] = []
        self._keys: list[str] = []
        self._count = 0
        self._closed = False
        self._lock = threading.Lock()

    def add(self, finding: Mapping[str, Any]) -> None:
        """Validate one finding and buffer it; a full buffer is written as a part at once."""
        validate_finding(finding)
        self._check_belongs(finding)
        line = _json_line(finding)
        with self._lock:
            if self._closed:
                raise RuntimeError("the report writer is closed")
            self._buffer.append(line.encode("utf-8") + b"\n")
            self._count += 1
            if len(self._buffer) >= self._part_size:
                self._write_part()

    def close(self) -> WrittenReport:
        """Write what is buffered and report the parts; closing twice changes nothing."""
        with self._lock:
            if not self._closed:
                if self._buffer:
                    self._write_part()
                self._closed = True
            return WrittenReport(tuple(self._keys), self._count, self._next_part)

    def remove_stale_parts(self) -> list[str]:
        """After ``close()``: delete parts an earlier, longer run of this scan and shard left."""
        with self._lock:
            if not self._closed:
                raise RuntimeError("close the writer before removing stale parts")
            next_part = self._next_part
        return stale_parts_cleanup(self._sink, self.location, next_part=next_part)

    def _write_part(self) -> None:
        key = self.location.key(self._next_part)
        # The lock is held during the put: parts stay numbered in order, and a put takes
        # tens of milliseconds per thousand findings, small beside the calls that made them.
        self._sink.put(key, gzip.compress(b"".join(self._buffer), mtime=0))
        self._keys.append(key)
        self._next_part += 1
        self._buffer = []

    def _check_belongs(self, finding: Mapping[str, Any]) -> None:
        expected = {
            "scanner": self.location.scanner,
            "account_id": self.location.account_id,
            "scan_id": self.location.scan_id,
        }
        for field, value in expected.items():
            if finding[field] != value:
                raise ValueError(
                    f"finding.{field} is {finding[field]!r} but this writer writes {value!r}"
                )


def _json_line(finding: Mapping[str, Any]) -> str:
    try:
        return json.dumps(
            finding, ensure_ascii=False, allow_nan=False, separators=(",", ":"), sort_keys=True
        )
    except (TypeError, ValueError) as error:
        raise FindingInvalid("evidence", f"not representable as JSON: {error}") from None


def stale_parts_cleanup(sink: Sink, location: PartLocation, *, next_part: int) -> list[str]:
    """Delete parts of the same scan and shard numbered ``next_part`` or more in its own date
    partition, and every part of that scan and shard in any other date; return them.

    Call it when a unit of work has completed (no continuation left): an earlier run of the
    same scan that wrote more parts, or wrote under another date, would otherwise leave
    findings counted twice.
    """
    return _delete(
        sink,
        [
            part.key
            for part in stored_parts(sink, location)
            if part.shard == location.shard
            and (part.scan_date != location.scan_date or part.seq >= next_part)
        ],
    )


def remove_other_shards(
    sink: Sink, location: PartLocation, *, prefix: str, keep: Collection[str]
) -> list[str]:
    """Delete every part of the scan (any date) whose shard starts with ``prefix`` and is not
    in ``keep``; return them. For a completed run that no longer covers those shards."""
    return _delete(
        sink,
        [
            part.key
            for part in stored_parts(sink, location)
            if part.shard.startswith(prefix) and part.shard not in keep
        ],
    )


def stored_parts(sink: Sink, location: PartLocation) -> list[StoredPart]:
    """Every stored part of the location's scan id, in every date partition and shard."""
    return [
        part
        for key in sink.list_keys(location.account_folder)
        if (part := location.part_of(key)) is not None
    ]


def _delete(sink: Sink, keys: list[str]) -> list[str]:
    stale = sorted(keys)
    for start in range(0, len(stale), _DELETE_BATCH):
        sink.delete(stale[start : start + _DELETE_BATCH])
    return stale


def decode_part(body: bytes) -> Iterator[dict[str, Any]]:
    """The findings of one part, in order."""
    for line in gzip.decompress(body).splitlines():
        if line:
            finding: dict[str, Any] = json.loads(line)
            yield finding


# The part's S3 user metadata naming its scan's start, in the findings schema's form for
# observed_at. Core orders overlapping scans of one account by it (docs/core.md); boto3
# hands the name back lower-cased, without the x-amz-meta- prefix.
SCAN_STARTED_METADATA: Final = "scan-started"


class S3Sink:
    """Parts as S3 objects: JSON Lines content type, gzip encoding, SSE-KMS when a key is set.

    With ``scan_started``, every part declares its scan's start in its metadata, so core
    can keep a newer scan's verdicts when an older scan's parts arrive later.
    """

    def __init__(
        self,
        client: Any,
        bucket: str,
        kms_key_id: str | None = None,
        scan_started: datetime | None = None,
    ) -> None:
        self._client = client
        self._bucket = bucket
        self._kms_key_id = kms_key_id
        self._metadata = (
            {} if scan_started is None else {SCAN_STARTED_METADATA: format_timestamp(scan_started)}
        )

    def put(self, key: str, body: bytes) -> None:
        """PutObject one part."""
        encryption: dict[str, str] = (
            {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self._kms_key_id}
            if self._kms_key_id
            else {}
        )
        self._client.put_object(
            Bucket=self._bucket,
            Key=key,
            Body=body,
            ContentType=CONTENT_TYPE,
            ContentEncoding=CONTENT_ENCODING,
            Metadata=self._metadata,
            **encryption,
        )

    def list_keys(self, prefix: str) -> Iterator[str]:
        """ListObjectsV2 under ``prefix``, every page."""
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield str(item["Key"])

    def delete(self, keys: Sequence[str]) -> None:
        """DeleteObjects in one request (at most 1,000 keys); raises if any key failed."""
        if not keys:
            return
        response = self._client.delete_objects(
            Bucket=self._bucket,
            Delete={"Objects": [{"Key": key} for key in keys], "Quiet": True},
        )
        errors = response.get("Errors", [])
        if errors:
            first = errors[0]
            raise RuntimeError(
                f"could not delete {len(errors)} stale part(s), first {first.get('Key')}: "
                f"{first.get('Code')} {first.get('Message')}"
            )


class DirectorySink:
    """Parts as files under a local folder, with the same relative keys as in S3."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def put(self, key: str, body: bytes) -> None:
        """Write atomically (temporary file, then rename) so a reader never sees half a part."""
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(body)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def list_keys(self, prefix: str) -> Iterator[str]:
        """Every file whose relative key starts with ``prefix``."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith(".part-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key

    def delete(self, keys: Sequence[str]) -> None:
        """Unlink each key's file."""
        for key in keys:
            self._path(key).unlink(missing_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"key {key!r} escapes the output folder")
        return path


class MemorySink:
    """Parts in a dict: for tests and for callers that post-process findings in memory."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.puts: list[str] = []
        self._lock = threading.Lock()

    def put(self, key: str, body: bytes) -> None:
        """Store the part and remember the order of puts."""
        with self._lock:
            self.objects[key] = body
            self.puts.append(key)

    def list_keys(self, prefix: str) -> Iterator[str]:
        """Stored keys starting with ``prefix``, sorted."""
        with self._lock:
            keys = sorted(key for key in self.objects if key.startswith(prefix))
        yield from keys

    def delete(self, keys: Sequence[str]) -> None:
        """Forget the keys."""
        with self._lock:
            for key in keys:
                self.objects.pop(key, None)

    def findings(self) -> list[dict[str, Any]]:
        """Every finding of every stored part, in key order."""
        return [finding for key in sorted(self.objects) for finding in self.read(key)]

    def read(self, key: str) -> Iterable[dict[str, Any]]:
        """The findings of one stored part."""
        return decode_part(self.objects[key])
