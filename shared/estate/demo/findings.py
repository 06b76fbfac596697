"""What the demo leaves behind: every account's report parts in one folder, the named query
"open findings by severity per account" answered over them, and the HTML report.

The parts are copied from each account's reports bucket in the emulator (the keys stay
``findings/scanner=…/account=…/dt=…/…``), so the query reads exactly what Athena would read
from the buckets, and ``estate report`` draws the page from the same files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from estate.athena.local import download_parts, open_findings_by_severity
from estate.athena.queries import OPEN_FINDINGS_BY_SEVERITY
from estate.report import ReportWritten, write_report

if TYPE_CHECKING:
    from estate.demo.pipeline import DemoRun

REPORT_FILE: Final = "report.html"
QUERY_NAME: Final = OPEN_FINDINGS_BY_SEVERITY.name


@dataclass(frozen=True)
class DemoFindings:
    """The folder of parts, how many, the query's rows and the written report."""

    parts_root: Path
    parts: int
    open_by_severity: list[tuple[str, str, int]]  # (account id, severity, open findings)
    report: ReportWritten


def leave_findings(demo: DemoRun, folder: Path) -> DemoFindings:
    """Copy every account's parts into ``folder``, query them and write the report there."""
    parts = 0
    for planned in demo.planned:
        account = planned.account
        bucket = demo.emulator.translate(planned.core.outputs["reports_bucket_name"])
        client = demo.emulator.client("s3", account.account_id, account.primary_region)
        parts += download_parts(client, bucket, folder)
    report = write_report(
        [str(folder / "findings")],
        folder / REPORT_FILE,
        account_names={p.account.account_id: p.account.name for p in demo.planned},
    )
    return DemoFindings(folder, parts, open_findings_by_severity(folder), report)
