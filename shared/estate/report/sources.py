"""Where `estate report` reads findings: report parts in local folders or under S3 prefixes.

A source is a folder (every ``*.jsonl.gz`` part below it, any depth, so both a single
partition and a whole ``findings/`` tree work), one part file, or ``s3://bucket/prefix``
(every part under the prefix, paged). Parts are decoded with the report writer's own
``decode_part``, so the report reads exactly what the scanners wrote. A source that does not
exist, holds no part, or holds a part that is not gzip JSON Lines of findings with the fields
the report reads is a :class:`SourceError`
naming the source and the fix; nothing is reported from half the input.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from estate_runtime.findings import SEVERITIES, STATUSES
from estate_runtime.report_writer import PART_SUFFIX, decode_part

S3_SCHEME: Final = "s3://"
# The fields the report reads, and those it sorts or groups by (which must be strings).
_COMPARED: Final = (
    "scan_id", "scanner", "account_id", "resource_id", "resource_arn", "check_id", "observed_at"
)  # fmt: skip
_READ: Final = frozenset(
    {*_COMPARED, "region", "status", "severity", "message", "evidence", "controls"}
)


class SourceError(ValueError):
    """A source that cannot be read; the message names it and says what to do."""


@dataclass(frozen=True)
class Part:
    """One report part: where it came from (for messages) and its raw bytes."""

    origin: str
    body: bytes


def is_s3(source: str) -> bool:
    """True for an ``s3://bucket[/prefix]`` source."""
    return source.startswith(S3_SCHEME)


def split_s3(source: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` -> (bucket, prefix); refuses a source without a bucket."""
    bucket, _, prefix = source[len(S3_SCHEME) :].partition("/")
    if not bucket:
        raise SourceError(f"--from {source}: no bucket name; write s3://BUCKET[/PREFIX]")
    return bucket, prefix


def local_parts(source: str) -> Iterator[Part]:
    """The parts of a folder (sorted, recursive) or of one part file."""
    path = Path(source)
    if path.is_file():
        paths = [path]
    elif path.is_dir():
        paths = sorted(p for p in path.rglob(f"*{PART_SUFFIX}") if p.is_file())
    else:
        raise SourceError(f"--from {source}: no such file or folder; give a parts folder or file")
    if not paths:
        raise SourceError(
            f"--from {source}: no report parts (*{PART_SUFFIX}) below it; "
            "point it at a scan's output folder"
        )
    for part in paths:
        yield Part(str(part), part.read_bytes())


def s3_parts(source: str, client: Any) -> Iterator[Part]:
    """The parts under an S3 prefix, every page of ListObjectsV2, in key order."""
    bucket, prefix = split_s3(source)
    paginator = client.get_paginator("list_objects_v2")
    keys = [
        str(item["Key"])
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
        if str(item["Key"]).endswith(PART_SUFFIX)
    ]
    if not keys:
        raise SourceError(
            f"--from {source}: no report parts (*{PART_SUFFIX}) under that prefix; "
            "check the bucket and prefix (e.g. s3://BUCKET/findings/)"
        )
    for key in sorted(keys):
        body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        yield Part(f"{S3_SCHEME}{bucket}/{key}", body)


def read_findings(
    sources: list[str], s3_client: Callable[[], Any] | None = None
) -> Iterator[dict[str, Any]]:
    """Every finding of every part of every source, in source then key order.

    ``s3_client`` makes the S3 client on first use, so a local-only report needs no AWS
    configuration at all.
    """
    client: Any = None
    for source in sources:
        if is_s3(source):
            if s3_client is None:
                raise SourceError(f"--from {source}: S3 sources need AWS access")
            client = client or s3_client()
            parts = s3_parts(source, client)
        else:
            parts = local_parts(source)
        for part in parts:
            yield from _decoded(part)


def _decoded(part: Part) -> Iterator[dict[str, Any]]:
    try:
        findings = list(decode_part(part.body))
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise SourceError(
            f"{part.origin}: not a gzip report part ({error}); remove it or re-run the scan"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SourceError(
            f"{part.origin}: a line is not JSON ({error}); remove the part or re-run the scan"
        ) from None
    for line, finding in enumerate(findings, start=1):
        problem = _unusable(finding)
        if problem:
            raise SourceError(
                f"{part.origin}: line {line}: finding.{problem}; the part was not written by "
                "a scanner of this version, remove it"
            )
        yield finding


def _unusable(finding: object) -> str | None:
    """What makes a line unusable for the report, or None.

    The scanners validate every finding against the schema before writing it and the
    ingest pipeline validates again; the report checks only what it relies on: every field
    it reads is there, the vocabularies it counts by, and the types of what it sorts and
    compares. The full validator would triple the report's time on a 10,000-bucket scan.
    """
    if not isinstance(finding, dict):
        return "line: is not a JSON object"
    if not _READ.issubset(finding.keys()):
        return f"{min(_READ - finding.keys())}: missing"
    for field, vocabulary in (("status", STATUSES), ("severity", SEVERITIES)):
        if finding[field] not in vocabulary:
            return f"{field}: {finding[field]!r} is not one of {', '.join(vocabulary)}"
    for field in _COMPARED:
        if not isinstance(finding[field], str):
            return f"{field}: is not a string"
    if not isinstance(finding["controls"], list):
        return "controls: is not a list"
    return None
