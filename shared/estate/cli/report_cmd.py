"""`estate report`'s arguments: one self-contained HTML file over report parts (run: report_run)."""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_OUTPUT = Path("report.html")


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `report` to the parser."""
    report = subcommands.add_parser(
        "report", help="write one self-contained HTML report over findings parts"
    )
    report.add_argument(
        "--from",
        dest="sources",
        action="append",
        metavar="PARTS_OR_FOLDER",
        help="a folder of report parts, one part, or s3://BUCKET/PREFIX (repeatable; "
        "default: ./findings)",
    )
    report.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="the HTML file (default: report.html)"
    )
    report.add_argument("--profile", help="AWS profile for s3:// sources")
    report.add_argument("--region", help="AWS region for s3:// sources")
    report.add_argument("--endpoint-url", help="an S3-compatible endpoint for s3:// sources")
    report.add_argument(
        "--accounts-dir",
        type=Path,
        default=None,
        help="label accounts with their names from this accounts folder (default: the "
        "repository's, when it is there)",
    )
    report.set_defaults(run="estate.cli.report_run:run")
