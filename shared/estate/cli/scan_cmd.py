"""`estate scan s3|tags`: its arguments only; `estate.cli.scan_run` checks them and scans.

Nothing here imports boto3 or the scanners, so `estate scan s3 --help` starts fast. Every
value is checked by `estate.cli.scan_options` before the first AWS call.
"""

from __future__ import annotations

import argparse
from typing import Final

# Kept here rather than imported from the runtime, whose modules pull in boto3.
SEVERITY_NAMES: Final = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL")
# The formats findings can be written in (docs/findings.md); `table` is stdout's summary.
FINDINGS_FORMATS: Final = ("jsonl", "ocsf", "asff", "csv")


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `scan s3` and `scan tags` to the parser."""
    scan = subcommands.add_parser("scan", help="scan the account the current AWS credentials reach")
    scanners = scan.add_subparsers(dest="scanner", required=True)
    for name, summary in (("s3", "S3 bucket analyzer"), ("tags", "EC2 tag compliance checker")):
        command = scanners.add_parser(
            name,
            help=summary,
            epilog=(
                "exit codes: 0 scan complete; 1 --fail-on findings exist; 2 bad input or "
                "credentials (nothing written); 3 incomplete: some resources or regions "
                "were not judged (see the summary; --accept-errors makes this 0)"
            ),
        )
        _add_common_options(command)
        command.set_defaults(run="estate.cli.scan_run:run")


def _add_common_options(command: argparse.ArgumentParser) -> None:
    aws = command.add_argument_group("where to scan")
    aws.add_argument("--profile", help="AWS profile of the shared config files")
    aws.add_argument("--role-arn", help="assume this role in the account to scan")
    aws.add_argument("--external-id", help="external id for --role-arn")
    aws.add_argument("--region", help="home region of the session (default: the profile's)")
    aws.add_argument(
        "--regions",
        help="tags: comma-separated regions to scan (default: --account's, else --region)",
    )
    aws.add_argument(
        "--endpoint-url", help="any AWS-compatible endpoint, e.g. http://127.0.0.1:5000"
    )
    rules = command.add_argument_group("required tags")
    rules.add_argument(
        "--account", help="use accounts/<NAME>.yaml: its tag rules, regions and account id"
    )
    rules.add_argument(
        "--required-tag",
        action="append",
        default=[],
        metavar="KEY[=REGEX]",
        help="an ad-hoc required tag, optionally with a regex its value must match (repeatable)",
    )
    out = command.add_argument_group("output")
    out.add_argument(
        "--output",
        help="write findings here: a folder (ends with / or exists; created if missing) "
        "holding report parts, or a file whose suffix names its format: .jsonl, .ocsf.json, "
        ".asff.json or .csv, each optionally .gz",
    )
    out.add_argument(
        "--output-format",
        choices=FINDINGS_FORMATS,
        help="format of --output, when its name does not say it; a folder gets its report "
        "parts plus, for ocsf, asff or csv, one <scanner>-<scan id> file in that format",
    )
    out.add_argument(
        "--format",
        choices=("table", *FINDINGS_FORMATS),
        help="stdout: summary table (default on a terminal), JSON Lines (default piped), "
        "OCSF 1.5 Compliance Findings, ASFF (BatchImportFindings) or CSV",
    )
    out.add_argument(
        "--fail-on",
        choices=SEVERITY_NAMES,
        type=str.upper,
        help="exit 1 when a FAIL finding of this severity or worse exists",
    )
    out.add_argument(
        "--accept-errors",
        action="store_true",
        help="exit 0 (not 3) when some resources or regions could not be judged",
    )
    out.add_argument(
        "--scan-id",
        help="id of this scan (default: a new one); rerunning an id replaces its findings",
    )
    out.add_argument(
        "--concurrency",
        help="parallel AWS calls, 1-64 (default: s3 64 threads, tags one thread per region up to 4)",
    )
