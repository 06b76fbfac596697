"""`estate report`: one self-contained HTML file over report parts in folders or S3."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from estate.accounts import AccountsError, load_estate
from estate.cli.errors import EXIT_OK, UserError

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
    report.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    """Write the report and print its path and what it covers."""
    # Altair and the report load only for this command: other commands skip their import.
    from estate.report import SourceError, write_report  # noqa: PLC0415

    sources: list[str] = arguments.sources or ["findings"]

    def s3_client() -> Any:
        session = boto3.Session(profile_name=arguments.profile, region_name=arguments.region)
        return session.client("s3", endpoint_url=arguments.endpoint_url)

    try:
        written = write_report(
            sources,
            arguments.output,
            s3_client=s3_client,
            account_names=_account_names(arguments.accounts_dir),
        )
    except SourceError as error:
        raise UserError(f"report: {error}") from None
    except (BotoCoreError, ClientError) as error:
        raise UserError(f"report: reading S3 failed: {error}; check the credentials") from None
    print(
        f"report: {written.path} ({written.size_bytes / 1e6:.2f} MB): {written.accounts} "
        f"account(s), {written.scans} scan(s), {written.findings} finding(s)"
    )
    return EXIT_OK


def _account_names(directory: Path | None) -> dict[str, str]:
    """account id -> name from the accounts folder; an explicit folder must be valid."""
    try:
        estate = load_estate(directory)
    except AccountsError as error:
        if directory is None:
            return {}  # no accounts folder here: ids alone label the accounts
        raise UserError(f"report: --accounts-dir {directory}: {error}") from None
    return {account.account_id: account.name for account in estate}
