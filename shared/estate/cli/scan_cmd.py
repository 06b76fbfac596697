"""`estate scan s3|tags`: scan the account the credentials reach, as the Lambda would."""

from __future__ import annotations

import argparse
import gzip
import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from estate.accounts import AccountsError, load_estate
from estate.cli.errors import EXIT_FINDINGS, EXIT_OK, UserError
from estate.cli.scan_report import (
    FindingsSummary,
    JsonLinesWriter,
    ObservingSink,
    is_directory_target,
)
from estate_runtime.aws import TargetSession, client_config, target_session
from estate_runtime.findings import SEVERITIES
from estate_runtime.report_writer import DirectorySink, Sink
from estate_scanners.s3.analyzer import scan_buckets
from estate_scanners.s3.check_model import TagRuleSet
from estate_scanners.s3.collector import DEFAULT_CONCURRENCY
from estate_scanners.tags import scan as tag_scan
from estate_scanners.tags.rules import RulesInvalid, TagRule, parse_rules
from estate_scanners.tags.scan import scan_tags

Observer = Callable[[dict[str, Any]], None]


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `scan s3` and `scan tags` to the parser."""
    scan = subcommands.add_parser("scan", help="scan the account the current AWS credentials reach")
    scanners = scan.add_subparsers(dest="scanner", required=True)
    for name, summary in (("s3", "S3 bucket analyzer"), ("tags", "EC2 tag compliance checker")):
        command = scanners.add_parser(name, help=summary)
        _add_common_options(command)
        command.set_defaults(run=run)


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
        type=Path,
        help="write findings here: a folder (report parts) or a .jsonl[.gz] file",
    )
    out.add_argument(
        "--format",
        choices=("table", "jsonl"),
        help="stdout: summary table (default on a terminal) or JSON Lines",
    )
    out.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        type=str.upper,
        help="exit 1 when a FAIL finding of this severity or worse exists",
    )
    out.add_argument(
        "--scan-id",
        help="id of this scan (default: a new one); rerunning an id overwrites its parts",
    )
    out.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="parallel AWS calls (default: s3 64 threads, tags one thread per region up to 4)",
    )


def run(arguments: argparse.Namespace) -> int:
    """Check the arguments, reach the account, scan, report; exit 1 on --fail-on findings."""
    if arguments.concurrency is not None and not 1 <= arguments.concurrency <= 64:
        raise UserError("--concurrency must be between 1 and 64")
    rules, account_regions, expected_account = _rules_and_account(arguments)
    session = _session(arguments)
    account_id = _reach(session, expected_account)
    scan_id = arguments.scan_id or f"cli-{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    stdout_format = arguments.format or ("table" if sys.stdout.isatty() else "jsonl")
    summary = FindingsSummary()
    with ExitStack() as stack:
        observers: list[Observer] = [summary.add]
        inner = _output_sink(arguments.output, stack, observers)
        if stdout_format == "jsonl":
            observers.append(JsonLinesWriter(sys.stdout))
        progress = stack.enter_context(_progress(arguments.scanner))
        observers.append(progress)
        sink = ObservingSink(inner, observers)
        _scan(
            arguments,
            session=session,
            account_id=account_id,
            scan_id=scan_id,
            rules=rules,
            account_regions=account_regions,
            sink=sink,
        )
    if stdout_format == "table":
        print(f"scan {scan_id} of account {account_id} ({arguments.scanner})")
        print(summary.render())
    if arguments.fail_on and summary.failures_at_least(arguments.fail_on):
        count = summary.failures_at_least(arguments.fail_on)
        print(f"estate: {count} failed finding(s) at {arguments.fail_on} or worse", file=sys.stderr)
        return EXIT_FINDINGS
    return EXIT_OK


def _scan(
    arguments: argparse.Namespace,
    *,
    session: TargetSession,
    account_id: str,
    scan_id: str,
    rules: tuple[TagRule, ...],
    account_regions: tuple[str, ...],
    sink: Sink,
) -> None:
    started = datetime.now(UTC)
    try:
        if arguments.scanner == "s3":
            scan_buckets(
                session,
                account_id=account_id,
                scan_id=scan_id,
                scan_started=started,
                sink=sink,
                tag_rules=TagRuleSet(rules=rules),
                concurrency=arguments.concurrency or DEFAULT_CONCURRENCY,
            )
        else:
            regions = _regions(arguments, account_regions, session)
            scan_tags(
                session,
                account_id=account_id,
                regions=regions,
                rules=rules,
                scan_id=scan_id,
                scan_started=started,
                sink=sink,
                concurrency=min(
                    arguments.concurrency or tag_scan.DEFAULT_CONCURRENCY, len(regions)
                ),
            )
    except ValueError as error:  # an invalid scan id, shard or region, found by the runtime
        raise UserError(str(error)) from None


def _rules_and_account(
    arguments: argparse.Namespace,
) -> tuple[tuple[TagRule, ...], tuple[str, ...], str | None]:
    payload: list[dict[str, Any]] = []
    regions: tuple[str, ...] = ()
    expected: str | None = None
    if arguments.account:
        try:
            account = load_estate().account(arguments.account)
        except AccountsError as error:
            raise UserError(
                f"accounts/ is invalid; run `estate accounts check`: {error.problems[0]}"
            ) from None
        except KeyError as error:
            raise UserError(str(error.args[0])) from None
        payload.extend(account.tag_rules_payload())
        regions, expected = account.regions, account.account_id
    for option in arguments.required_tag:
        key, _, pattern = option.partition("=")
        payload = [rule for rule in payload if rule["key"] != key]
        payload.append({"key": key, "values": None, "pattern": pattern or None})
    if not payload:
        if arguments.scanner == "tags":
            raise UserError(
                "tags needs required-tag rules: pass --account NAME or --required-tag KEY[=REGEX]"
            )
        return (), regions, expected
    try:
        return parse_rules(payload), regions, expected
    except RulesInvalid as error:
        raise UserError(f"--required-tag: {error}") from None


def _session(arguments: argparse.Namespace) -> TargetSession:
    if arguments.external_id and not arguments.role_arn:
        raise UserError("--external-id needs --role-arn")
    try:
        return target_session(
            role_arn=arguments.role_arn,
            external_id=arguments.external_id,
            region=arguments.region,
            endpoint_url=arguments.endpoint_url,
            profile=arguments.profile,
            session_name="estate-cli",
            config=client_config(
                max_pool_connections=max(arguments.concurrency or DEFAULT_CONCURRENCY, 10)
            ),
        )
    except (BotoCoreError, ClientError) as error:
        raise UserError(
            f"cannot reach AWS: {_reason(error)}; check --profile, --role-arn and your credentials"
        ) from None


def _reach(session: TargetSession, expected_account: str | None) -> str:
    try:
        account_id = session.account_id()
    except (BotoCoreError, ClientError) as error:
        raise UserError(
            f"cannot reach AWS: {_reason(error)}; check your credentials or --endpoint-url"
        ) from None
    if expected_account is not None and account_id != expected_account:
        raise UserError(
            f"the credentials reach account {account_id}, but --account names {expected_account}; "
            "use credentials for that account or --role-arn"
        )
    return account_id


def _regions(
    arguments: argparse.Namespace, account_regions: tuple[str, ...], session: TargetSession
) -> tuple[str, ...]:
    if arguments.regions:
        return tuple(region.strip() for region in arguments.regions.split(",") if region.strip())
    return account_regions or (session.default_region,)


def _reason(error: Exception) -> str:
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        return f"{details.get('Code', 'Error')}: {details.get('Message', '')}".rstrip(": ")
    return str(error)


def _output_sink(target: Path | None, stack: ExitStack, observers: list[Observer]) -> Sink | None:
    if target is None:
        return None
    if is_directory_target(target):
        return DirectorySink(target)
    if not target.parent.exists():
        raise UserError(
            f"--output {target}: folder {target.parent} does not exist; create it first"
        )
    opener = gzip.open if target.suffix == ".gz" else open
    stream: IO[str] = stack.enter_context(opener(target, "wt", encoding="utf-8"))
    observers.append(JsonLinesWriter(stream))
    return None


@contextmanager
def _progress(scanner: str) -> Iterator[Observer]:
    """A live count of resources and findings on a terminal; nothing when piped."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda _finding: None
        return
    resources: set[str] = set()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(f"scanning {scanner}", total=None)

        def seen(finding: dict[str, Any]) -> None:
            resources.add(finding["resource_arn"])
            bar.update(task, description=f"scanning {scanner}: {len(resources)} resources judged")

        yield seen
