"""`estate scan`'s arguments checked before the first AWS call: each problem is one line
naming the flag and the fix (`UserError`, exit 2), and nothing is written before."""

from __future__ import annotations

import argparse
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from estate.cli.errors import UserError
from estate_runtime.events import (
    EXTERNAL_ID_PATTERN,
    REGION_PATTERN,
    ROLE_ARN_PATTERN,
    SCAN_ID_PATTERN,
)

MAX_CONCURRENCY: Final = 64
GZIP_SUFFIX: Final = ".gz"


# A file's format from its name (after an optional .gz); the longest matching suffix wins.
FORMAT_SUFFIXES: Final = {
    ".jsonl": "jsonl",
    ".ocsf.json": "ocsf",
    ".asff.json": "asff",
    ".csv": "csv",
}
# JSON Lines is written as the scan goes (a file, or a folder's report parts); the other
# formats are rendered from the whole scan when it ends.
STREAMED_FORMAT: Final = "jsonl"


@dataclass(frozen=True)
class OutputTarget:
    """Where findings go, in which format: a folder of report parts (plus, for a format
    other than jsonl, one file of the whole scan in it), or one file (gzip if .gz)."""

    path: Path
    is_folder: bool
    format: str = STREAMED_FORMAT
    gzip: bool = False

    def rendered_path(self, scanner: str, scan_id: str) -> Path | None:
        """Where the whole scan is rendered when it ends (not for JSON Lines, streamed): the
        file itself, or, in a folder, one file beside the parts, `<scanner>-<scan id><suffix>`
        (so rerunning the scan id replaces it)."""
        if self.format == STREAMED_FORMAT:
            return None
        if not self.is_folder:
            return self.path
        return self.path / f"{scanner}-{scan_id}{suffix_of(self.format)}"


def suffix_of(format_name: str) -> str:
    """The file suffix that names a format."""
    return next(suffix for suffix, name in FORMAT_SUFFIXES.items() if name == format_name)


def format_of(file_name: str) -> str | None:
    """The format a file name's suffix names (an optional .gz aside), if any."""
    base = file_name.removesuffix(GZIP_SUFFIX)
    matches = [suffix for suffix in FORMAT_SUFFIXES if base.endswith(suffix) and base != suffix]
    return FORMAT_SUFFIXES[max(matches, key=len)] if matches else None


@dataclass(frozen=True)
class ScanOptions:
    """The checked arguments of one `estate scan` run."""

    scanner: str
    scan_id: str | None
    concurrency: int | None
    regions: tuple[str, ...] | None
    output: OutputTarget | None


# The flags that take one text value (argparse turns a value of "--" into an empty list).
TEXT_FLAGS: Final = (
    "region",
    "role_arn",
    "external_id",
    "endpoint_url",
    "scan_id",
    "concurrency",
    "regions",
    "output",
    "output_format",
    "profile",
    "account",
)


def check_options(arguments: argparse.Namespace) -> ScanOptions:
    """Every flag checked in order; the first problem raises its one-line UserError."""
    for name in TEXT_FLAGS:
        if isinstance(getattr(arguments, name), list):
            setattr(arguments, name, "")
    _check_pattern("--region", arguments.region, REGION_PATTERN, "a region code like eu-west-1")
    _check_pattern("--role-arn", arguments.role_arn, ROLE_ARN_PATTERN, "an IAM role ARN")
    _check_pattern(
        "--external-id",
        arguments.external_id,
        EXTERNAL_ID_PATTERN,
        "2-1224 characters of [\\w+=,.@:/-]",
    )
    if arguments.external_id is not None and arguments.role_arn is None:
        raise UserError("--external-id needs --role-arn")
    _check_endpoint(arguments.endpoint_url)
    _check_pattern(
        "--scan-id",
        arguments.scan_id,
        SCAN_ID_PATTERN,
        "1-128 characters of A-Za-z0-9._- starting with a letter or digit",
    )
    return ScanOptions(
        scanner=arguments.scanner,
        scan_id=arguments.scan_id,
        concurrency=_concurrency(arguments.concurrency),
        regions=_regions(arguments.scanner, arguments.regions),
        output=_output(arguments.output, arguments.output_format),
    )


def _check_pattern(flag: str, value: str | None, pattern: re.Pattern[str], shape: str) -> None:
    if value is not None and pattern.fullmatch(value) is None:
        raise UserError(f"{flag} {value!r} is not {shape}")


def _check_endpoint(url: str | None) -> None:
    if url is None:
        return
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UserError(
            f"--endpoint-url {url!r} is not a URL; write it as http(s)://host[:port], "
            "e.g. http://127.0.0.1:5000"
        )
    try:
        parts.port  # noqa: B018 — a malformed port raises here, not at the first call
    except ValueError:
        raise UserError(f"--endpoint-url {url!r} has an invalid port") from None


def _concurrency(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_CONCURRENCY:
        raise UserError(f"--concurrency {raw!r} must be a whole number from 1 to {MAX_CONCURRENCY}")
    return value


def _regions(scanner: str, raw: str | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    if scanner != "tags":
        raise UserError("--regions applies to `estate scan tags`; s3 scans every bucket's region")
    regions = tuple(region.strip() for region in raw.split(","))
    if not any(regions):
        raise UserError(f"--regions {raw!r} names no region; write r1,r2 (e.g. eu-west-1)")
    for region in regions:
        if REGION_PATTERN.fullmatch(region) is None:
            raise UserError(f"--regions: {region!r} is not a region code like eu-west-1")
    if len(set(regions)) != len(regions):
        raise UserError(f"--regions {raw!r} names a region twice")
    return regions


def _output(raw: str | None, explicit_format: str | None) -> OutputTarget | None:
    """The target, probed: its folder (or, for a folder target, the nearest one that exists)
    must take a file. A trailing slash, or an existing folder, means a folder of report
    parts, created when the scan writes; a file's folder must exist. The probe leaves nothing.
    """
    if raw is None:
        if explicit_format is not None:
            raise UserError("--output-format applies to --output; for stdout use --format")
        return None
    if raw == "":
        raise UserError("--output is empty; name a folder (out/) or a file (findings.jsonl)")
    path = Path(raw)
    is_folder = raw.endswith(("/", os.sep)) or path.is_dir()
    if not is_folder and path.exists() and not path.is_file():
        raise UserError(f"--output {raw}: exists and is not a regular file")
    if is_folder:
        target = OutputTarget(path, is_folder=True, format=explicit_format or STREAMED_FORMAT)
    else:
        target = OutputTarget(
            path,
            is_folder=False,
            format=_file_format(raw, explicit_format),
            gzip=path.name.endswith(GZIP_SUFFIX),
        )
    if not is_folder and not path.parent.is_dir():
        raise UserError(
            f"--output {raw}: folder {path.parent} does not exist; create it first, "
            "or end the name with / for a folder of report parts (created if missing)"
        )
    _probe_writable(raw, path if is_folder else path.parent)
    return target


def _file_format(raw: str, explicit_format: str | None) -> str:
    """The file's format: its suffix's, or --output-format's when the suffix names none;
    a suffix naming another format than --output-format is a contradiction."""
    named = format_of(Path(raw).name)
    if explicit_format is None:
        if named is None:
            suffixes = ", ".join(FORMAT_SUFFIXES)
            raise UserError(
                f"--output {raw}: the name does not say the format; end it with one of "
                f"{suffixes} (optionally .gz), or pass --output-format, or end it with / "
                "for a folder"
            )
        return named
    if named is not None and named != explicit_format:
        raise UserError(
            f"--output-format {explicit_format} contradicts --output {raw} (a {named} name); "
            f"name the file *{suffix_of(explicit_format)} or drop --output-format"
        )
    return explicit_format


def _probe_writable(raw: str, folder: Path) -> None:
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(f"--output {raw}: {existing} is not a folder")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise UserError(f"--output {raw}: cannot write in {existing} ({error.strerror})") from None
