"""`estate scan s3|tags` run: check the arguments, reach the account, scan as the Lambda
would, report, and exit 0, 1, 2 or 3 (estate.cli.errors)."""

from __future__ import annotations

import argparse
import gzip
import os
import secrets
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from estate.accounts import AccountsError, load_estate
from estate.cli.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, UserError
from estate.cli.scan_options import STREAMED_FORMAT, OutputTarget, ScanOptions, check_options
from estate.cli.scan_report import (
    RENDERED_AT_END,
    FindingsSummary,
    JsonLinesWriter,
    ObservingSink,
    render_findings,
)
from estate_runtime.asff import default_product_arn
from estate_runtime.aws import TargetSession, client_config, session_name_for, target_session
from estate_runtime.report_writer import DirectorySink, Sink
from estate_scanners.s3.analyzer import scan_buckets
from estate_scanners.s3.collector import DEFAULT_CONCURRENCY, BucketListingFailed
from estate_scanners.tags import scan as tag_scan
from estate_scanners.tags.rules import RulesInvalid, TagRule, TagRuleSet, parse_rules
from estate_scanners.tags.scan import scan_tags

Observer = Callable[[dict[str, Any]], None]
# At most this many "not judged" lines on stderr; the findings hold every one.
NOT_JUDGED_SHOWN = 50


def run(arguments: argparse.Namespace) -> int:
    """Check every argument, then reach the account, scan and report."""
    options = check_options(arguments)
    rules, account_regions, expected_account = _rules_and_account(arguments)
    scan_id = options.scan_id or f"cli-{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    session = _session(arguments, options, scan_id)
    account_id = _reach(session, expected_account)
    stdout_format = arguments.format or ("table" if sys.stdout.isatty() else "jsonl")
    summary = FindingsSummary()
    whole_scan: list[dict[str, Any]] = []
    rendered = options.output.rendered_path(options.scanner, scan_id) if options.output else None
    with ExitStack() as stack:
        observers: list[Observer] = [summary.add]
        inner = _output_sink(options.output, stack, observers)
        if stdout_format == "jsonl":
            observers.append(JsonLinesWriter(sys.stdout))
        if rendered is not None or stdout_format in RENDERED_AT_END:
            observers.append(whole_scan.append)
        progress = stack.enter_context(_progress(options.scanner))
        observers.append(progress)
        _scan(
            options,
            session=session,
            account_id=account_id,
            scan_id=scan_id,
            rules=rules,
            regions=options.regions or account_regions or (session.default_region,),
            sink=ObservingSink(inner, observers),
        )
    # ASFF's product: the scanned account's own, in the session's region, as core imports
    # (docs/findings.md); AwsAccountId is each finding's account, the scanned one.
    product_arn = default_product_arn(session.default_region, account_id)
    if rendered is not None and options.output is not None:
        text = render_findings(options.output.format, whole_scan, asff_product_arn=product_arn)
        _write_whole(rendered, text, compressed=options.output.gzip)
    if stdout_format in RENDERED_AT_END:
        sys.stdout.write(render_findings(stdout_format, whole_scan, asff_product_arn=product_arn))
    if stdout_format == "table":
        print(f"scan {scan_id} of account {account_id} ({options.scanner})")
        print(summary.render())
    return _exit_code(arguments, summary)


def _exit_code(arguments: argparse.Namespace, summary: FindingsSummary) -> int:
    """1 for --fail-on findings (they are certain), else 3 for an incomplete scan, else 0."""
    for line in summary.not_judged_lines(NOT_JUDGED_SHOWN):
        print(f"estate: {line}", file=sys.stderr)
    incomplete = summary.incomplete_line()
    if incomplete:
        print(f"estate: {incomplete}", file=sys.stderr)
    if arguments.fail_on and summary.failures_at_least(arguments.fail_on):
        count = summary.failures_at_least(arguments.fail_on)
        print(f"estate: {count} failed finding(s) at {arguments.fail_on} or worse", file=sys.stderr)
        return EXIT_FINDINGS
    if incomplete and not arguments.accept_errors:
        return EXIT_INCOMPLETE
    return EXIT_OK


def _scan(
    options: ScanOptions,
    *,
    session: TargetSession,
    account_id: str,
    scan_id: str,
    rules: tuple[TagRule, ...],
    regions: tuple[str, ...],
    sink: Sink,
) -> None:
    started = datetime.now(UTC)
    if options.scanner == "s3":
        try:
            scan_buckets(
                session,
                account_id=account_id,
                scan_id=scan_id,
                scan_started=started,
                sink=sink,
                tag_rules=TagRuleSet(rules=rules),
                concurrency=options.concurrency or DEFAULT_CONCURRENCY,
            )
        except BucketListingFailed as error:
            raise UserError(f"{error}; nothing was written", exit_code=EXIT_INCOMPLETE) from None
        return
    scan_tags(
        session,
        account_id=account_id,
        regions=regions,
        tag_rules=TagRuleSet(rules),
        scan_id=scan_id,
        scan_started=started,
        sink=sink,
        concurrency=min(options.concurrency or tag_scan.DEFAULT_CONCURRENCY, len(regions)),
    )


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
            raise UserError(f"--account: {error.args[0]}") from None
        payload.extend(account.tag_rules_payload())
        regions, expected = account.regions, account.account_id
    for option in arguments.required_tag:
        key, _, pattern = option.partition("=")
        rule = {"key": key, "values": None, "pattern": pattern or None}
        try:  # each option alone first, so the line names the option that is refused
            parse_rules([rule])
        except RulesInvalid as error:
            raise UserError(f"--required-tag {option}: {error.reason}") from None
        payload = [known for known in payload if known["key"] != key]
        payload.append(rule)
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


def _session(arguments: argparse.Namespace, options: ScanOptions, scan_id: str) -> TargetSession:
    try:
        return target_session(
            role_arn=arguments.role_arn,
            external_id=arguments.external_id,
            region=arguments.region,
            endpoint_url=arguments.endpoint_url,
            profile=arguments.profile,
            session_name=session_name_for(scan_id),
            config=client_config(
                max_pool_connections=max(options.concurrency or DEFAULT_CONCURRENCY, 10)
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


def _reason(error: Exception) -> str:
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        return f"{details.get('Code', 'Error')}: {details.get('Message', '')}".rstrip(": ")
    return str(error)


def _output_sink(
    target: OutputTarget | None, stack: ExitStack, observers: list[Observer]
) -> Sink | None:
    """A folder's parts sink, or a JSON Lines file streamed as the scan goes."""
    if target is None:
        return None
    if target.is_folder:
        return DirectorySink(target.path)  # parts appear as they are written
    if target.format == STREAMED_FORMAT:
        stream = stack.enter_context(_replaced_on_success(target.path, compressed=target.gzip))
        observers.append(JsonLinesWriter(stream))
    return None


def _write_whole(path: Path, text: str, *, compressed: bool) -> None:
    """A rendered file written at once (its folder created if missing), then renamed in."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _replaced_on_success(path, compressed=compressed) as stream:
        stream.write(text)


@contextmanager
def _replaced_on_success(path: Path, *, compressed: bool) -> Iterator[IO[str]]:
    """A temporary file beside the target, renamed over it only when the scan ends without
    an exception: a failed scan leaves neither a partial file nor a 0-byte one. Text is
    written as given (newline=""), so CSV keeps its CRLF row ends."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".estate-scan-")
    os.close(handle)
    try:
        if compressed:
            with gzip.open(temporary, "wt", encoding="utf-8", newline="") as stream:
                yield stream
        else:
            with open(temporary, "w", encoding="utf-8", newline="") as stream:
                yield stream
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


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
