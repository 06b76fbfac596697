"""`estate demo`: the whole platform on one machine — no AWS account, no Docker.

The core and scanner-fleet programs are recorded for every account and their resources
created in an in-process moto (estate.demo.pipeline); the accounts are seeded, scanned the
way their schedules would start them, two buckets are fixed and everything is scanned again.
``--keep`` then serves the same emulator on 127.0.0.1 until interrupted, so a person can
look around with the AWS CLI.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Final

from moto import mock_aws
from moto.server import ThreadedMotoServer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from estate.accounts import AccountsError, load_estate
from estate.cli.demo_cmd import MAX_BUCKETS, MAX_INSTANCES
from estate.cli.errors import EXIT_OK, UserError
from estate.emulator.invoke import function_environment

if TYPE_CHECKING:
    from estate.demo.pipeline import DemoRun

# Emulated credentials only: nothing the demo does may reach AWS.
_FAKE_ENVIRONMENT: Final = {
    "AWS_ACCESS_KEY_ID": "demo",
    "AWS_SECRET_ACCESS_KEY": "demo",
    "AWS_SESSION_TOKEN": "demo",
    "AWS_DEFAULT_REGION": "us-east-1",
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}


def run(arguments: argparse.Namespace) -> int:
    """Check the sizes, run the demo, print what happened."""
    if not 0 <= arguments.buckets <= MAX_BUCKETS:
        raise UserError(
            f"--buckets {arguments.buckets}: give 0 to {MAX_BUCKETS} buckets per account"
        )
    if not 0 <= arguments.instances <= MAX_INSTANCES:
        raise UserError(
            f"--instances {arguments.instances}: give 0 to {MAX_INSTANCES} instances per account"
        )
    try:
        estate = load_estate()
    except AccountsError as error:
        raise UserError(str(error)) from None
    # Imported here: the emulator pulls in moto's services and the Lambda code, which the
    # other commands never need.
    from estate.demo.findings import leave_findings  # noqa: PLC0415
    from estate.demo.output import print_findings, print_result  # noqa: PLC0415
    from estate.demo.pipeline import DemoRun  # noqa: PLC0415
    from estate.demo.speed import shared_botocore_data  # noqa: PLC0415

    # A fixed width when piped, so the README's copy reads as the terminal's.
    console = Console(file=sys.stdout, highlight=False, width=None if sys.stdout.isatty() else 110)
    known = list(estate.accounts)
    unknown = sorted(set(arguments.account or ()) - set(known))
    if unknown:
        raise UserError(
            f"--account {', '.join(unknown)}: not an account; choose from {', '.join(known)}"
        )
    accounts = [a for a in estate if not arguments.account or a.name in arguments.account]
    folder = _output_folder(arguments.output)
    with (
        _offline(),
        shared_botocore_data(),
        mock_aws(config={"stepfunctions": {"execute_state_machine": True}}),
    ):
        # roughly: create, seed, scans, the report
        steps = 2 + len(accounts) * 2 + 1 + 2 * 2 * len(accounts) + 1
        with _progress(console) as progress:
            task = progress.add_task("recording the plan", total=steps)

            def advance(description: str, done: int) -> None:
                progress.update(task, advance=done, description=description)

            demo = DemoRun(estate, accounts, advance)
            advance("plan recorded", 1)
            # The handlers' own output (JSON logs, EMF metrics) is what Lambda would send to
            # CloudWatch Logs: kept out of the report.
            with contextlib.redirect_stdout(io.StringIO()):
                result = demo.run(buckets=arguments.buckets, instances=arguments.instances)
            findings = leave_findings(demo, folder)
            advance("report parts queried, report written", 1)
        print_result(result, console)
        print_findings(findings, {a.account_id: a.name for a in accounts}, console)
        if arguments.keep:
            _serve(demo, console)
    return EXIT_OK


def _output_folder(output: Path | None) -> Path:
    """The folder the demo leaves its parts and report in: ``--output`` or a new temporary one."""
    if output is None:
        return Path(tempfile.mkdtemp(prefix="estate-demo-"))
    if output.exists() and not output.is_dir():
        raise UserError(f"--output {output}: is a file, not a folder; name a folder")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"--output {output}: cannot create the folder ({error.strerror})") from None
    return output


@contextmanager
def _offline() -> Iterator[None]:
    """Fake credentials, no profile or config file: the demo can never reach AWS."""
    with tempfile.TemporaryDirectory(prefix="estate-demo-") as folder:
        offline = {
            **_FAKE_ENVIRONMENT,
            "AWS_CONFIG_FILE": os.path.join(folder, "config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(folder, "credentials"),
        }
        with function_environment(offline, unset=("AWS_PROFILE",)):
            yield


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description:<40}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def _serve(demo: DemoRun, console: Console) -> None:
    """Serve the emulator's state over HTTP on loopback until Ctrl-C (or SIGTERM)."""
    # The signals only set an event that the main thread polls: the stop then always runs
    # in the main thread, whatever line a signal lands on, and the server is stopped once.
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda _signum, _frame: stop.set())
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        console.print(f"emulator kept at http://{host}:{port} (Ctrl-C stops it); per account:")
        for planned in demo.planned:
            credentials = demo.emulator.credentials(planned.account.account_id)
            console.print(
                f"  {planned.account.name}: AWS_ACCESS_KEY_ID={credentials['AWS_ACCESS_KEY_ID']} "
                f"AWS_SECRET_ACCESS_KEY={credentials['AWS_SECRET_ACCESS_KEY']} "
                f"AWS_SESSION_TOKEN={credentials['AWS_SESSION_TOKEN']} "
                f"aws --endpoint-url http://{host}:{port} "
                f"--region {planned.account.primary_region} s3 ls",
                soft_wrap=True,  # one line per account, to copy whole: never wrapped
            )
        while not stop.wait(timeout=0.5):
            pass
    finally:
        server.stop()
    console.print("emulator stopped")
