"""`estate report`: one self-contained HTML file over report parts (see docs/report.md).

``write_report`` is the one entry point, used by the command line and by ``estate demo``.
"""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from estate.report.model import build_accounts, collect_scans
from estate.report.page import render_page
from estate.report.sources import SourceError, read_findings
from estate_runtime.findings import format_timestamp
from estate_scanners.s3.checks import severity_table

__all__ = ["ReportWritten", "SourceError", "check_titles", "write_report"]


@dataclass(frozen=True)
class ReportWritten:
    """What was written: the file, its size, and what it covers."""

    path: Path
    size_bytes: int
    accounts: int
    scans: int
    findings: int


def check_titles() -> dict[str, str]:
    """Each known check's "passes when" sentence, from the scanners' registry."""
    return {row["check_id"]: row["title"] for row in severity_table()}


def write_report(
    sources: Sequence[str],
    output: Path,
    *,
    s3_client: Callable[[], Any] | None = None,
    account_names: Mapping[str, str] | None = None,
    generated_at: datetime | None = None,
) -> ReportWritten:
    """Read every part of ``sources`` and write the HTML report to ``output`` atomically.

    Raises :class:`SourceError` (nothing written) when a source is missing, empty or holds a
    part that is not valid findings, or when ``output``'s folder does not exist.
    """
    if not output.parent.is_dir():
        raise SourceError(f"--output {output}: folder {output.parent} does not exist; create it")
    # The findings are acyclic JSON dicts: the cyclic garbage collector would only rescan
    # them again and again while they load, which doubled the time of a 150,000-finding scan.
    gc.disable()
    try:
        scans = collect_scans(read_findings(list(sources), s3_client))
        accounts = build_accounts(scans)
    finally:
        gc.enable()
    page = render_page(
        accounts,
        sources=sources,
        generated_at=format_timestamp(generated_at or datetime.now(UTC).replace(microsecond=0)),
        titles=check_titles(),
        account_names=account_names or {},
    )
    body = page.encode("utf-8")
    handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=".report-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(body)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return ReportWritten(
        path=output,
        size_bytes=len(body),
        accounts=len(accounts),
        scans=len(scans),
        findings=sum(len(scan.findings) for scan in scans),
    )
