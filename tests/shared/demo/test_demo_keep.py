"""`estate demo --keep`: after the demo, the same emulator serves on loopback with each
account's credentials printed; a client lists the reports bucket through it; Ctrl-C stops it.

The demo runs as a child process (it serves until interrupted) over the smallest world,
one account with no data buckets or instances; every wait is bounded and the child is
killed in ``finally`` whatever happens.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import boto3
import pytest

from estate.plan.runner import StackRun

ACCOUNT = "dev"
STARTUP_TIMEOUT_S = 300.0  # the demo itself, on a loaded machine
STOP_TIMEOUT_S = 60.0
ENDPOINT = re.compile(r"emulator kept at (http://127\.0\.0\.1:\d+)")
CREDENTIALS = re.compile(
    rf"^\s*{ACCOUNT}: AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+) "
    r"AWS_SESSION_TOKEN=(\S+) aws --endpoint-url \S+ --region (\S+) s3 ls$"
)
REPOSITORY = Path(__file__).resolve().parents[3]


def _lines(stream: IO[str]) -> queue.Queue[str | None]:
    """The child's output, line by line, read on a thread (None at its end)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _read_until(
    lines: queue.Queue[str | None], pattern: re.Pattern[str], seen: list[str]
) -> re.Match[str]:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            raise AssertionError("the demo ended before serving:\n" + "\n".join(seen))
        seen.append(line)
        if (match := pattern.search(line)) is not None:
            return match
    raise AssertionError(f"nothing matched within {STARTUP_TIMEOUT_S} s:\n" + "\n".join(seen))


@pytest.fixture
def kept_demo() -> Iterator[tuple[subprocess.Popen[str], queue.Queue[str | None], list[str]]]:
    """`estate demo --keep` for one small account, killed in the end whatever happened."""
    executable = shutil.which("estate", path=str(Path(sys.executable).parent))
    assert executable is not None
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment["PYTHONFAULTHANDLER"] = "1"
    child = subprocess.Popen(
        [executable, "demo", "--account", ACCOUNT, "--buckets", "0", "--instances", "0", "--keep"],
        cwd=REPOSITORY,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert child.stdout is not None
        yield child, _lines(child.stdout), []
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=STOP_TIMEOUT_S)


def test_the_kept_emulator_serves_the_reports_bucket_and_stops_on_ctrl_c(
    kept_demo: tuple[subprocess.Popen[str], queue.Queue[str | None], list[str]],
    run_program: Callable[[str, str], StackRun],
    aws_credentials: None,
) -> None:
    child, lines, seen = kept_demo
    endpoint = _read_until(lines, ENDPOINT, seen)
    key, secret, token, region = _read_until(lines, CREDENTIALS, seen).groups()
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint.group(1),
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
    )
    core = run_program("core", ACCOUNT)

    listed = s3.list_objects_v2(Bucket=str(core.outputs["reports_bucket_name"]), Prefix="findings/")

    # The demo's scans wrote their parts there, under the account's folders.
    assert listed["KeyCount"] > 0
    assert all(f"/account={core.account_id}/" in item["Key"] for item in listed["Contents"])
    child.send_signal(signal.SIGINT)
    try:
        returncode = child.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        # PYTHONFAULTHANDLER is on in the child: SIGABRT prints every thread's stack, so a
        # failure says where the demo hung.
        child.send_signal(signal.SIGABRT)
        child.wait(timeout=STOP_TIMEOUT_S)
        raise AssertionError(
            "the demo did not stop on Ctrl-C:\n" + "\n".join(_rest(lines))
        ) from None
    rest = _rest(lines)
    assert returncode == 0, rest
    assert "emulator stopped" in rest, rest


def _rest(lines: queue.Queue[str | None]) -> list[str]:
    """The child's remaining output, up to its end."""
    rest = []
    while (line := lines.get(timeout=STOP_TIMEOUT_S)) is not None:
        rest.append(line)
    return rest
