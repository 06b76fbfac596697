"""`estate scan` when AWS misbehaves (faults injected through botocore's before-send hook on
every client the command builds): an incomplete scan exits 3 unless --accept-errors, names
each resource not judged in one line, and a failed listing writes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from estate.cli.main import main
from tests.support.s3_world import error_response, targets_bucket

REGION = "us-east-1"
Respond = Callable[[Any, str], Any]


@pytest.fixture
def faults(mocked_aws: None) -> Iterator[list[Respond]]:
    """Responders every client built by the command consults before sending."""
    responders: list[Respond] = []
    original_client = boto3.Session.client

    def client_with_faults(self: boto3.Session, *args: Any, **kwargs: Any) -> Any:
        client = original_client(self, *args, **kwargs)

        def respond(request: Any, event_name: str, **_: Any) -> Any:
            for responder in responders:
                answer = responder(request, event_name)
                if answer is not None:
                    return answer
            return None

        # More specific than moto's own "before-send" handler, so it answers first.
        service = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register(f"before-send.{service}", respond)
        return client

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(boto3.Session, "client", client_with_faults)
        yield responders


def denied_for(bucket: str) -> Respond:
    def respond(request: Any, event_name: str) -> Any:
        if event_name.endswith(".GetBucketPolicy") and targets_bucket(request.url, bucket):
            return error_response(request.url, 403, "AccessDenied", "injected")
        return None

    return respond


def _buckets(*names: str) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    for name in names:
        s3.create_bucket(Bucket=name)


def test_an_incomplete_scan_exits_3_naming_each_resource_not_judged_in_one_line(
    faults: list[Respond], capsys: pytest.CaptureFixture[str]
) -> None:
    _buckets("judged", "denied-a", "denied-b")
    faults.append(denied_for("denied-a"))
    faults.append(denied_for("denied-b"))

    assert main(["scan", "s3", "--format", "jsonl"]) == 3

    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if "not judged" in line] == [
        "estate: not judged: denied-a (us-east-1): AccessDenied",
        "estate: not judged: denied-b (us-east-1): AccessDenied",
    ]
    assert err[-1] == (
        "estate: incomplete scan: 2 of 4 resource(s) and 0 region(s) not fully judged "
        "(AccessDenied 2)"
    )
    assert "Traceback" not in "\n".join(err)


def test_accept_errors_turns_an_incomplete_scan_into_exit_0(
    faults: list[Respond], capsys: pytest.CaptureFixture[str]
) -> None:
    _buckets("denied-a")
    faults.append(denied_for("denied-a"))

    assert main(["scan", "s3", "--format", "jsonl", "--accept-errors"]) == 0
    assert "incomplete scan" in capsys.readouterr().err


def test_fail_on_findings_exit_1_even_when_the_scan_is_incomplete(
    faults: list[Respond],
) -> None:
    _buckets("denied-a")
    faults.append(denied_for("denied-a"))

    assert main(["scan", "s3", "--format", "jsonl", "--fail-on", "low"]) == 1


@pytest.mark.usefixtures("no_retry_sleep")
@pytest.mark.parametrize(("status", "code"), [(403, "AccessDenied"), (503, "SlowDown")])
def test_a_failed_listing_is_one_line_exit_3_and_no_output_file(
    faults: list[Respond],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    status: int,
    code: str,
) -> None:
    _buckets("any")
    faults.append(
        lambda request, event: (
            error_response(request.url, status, code, "injected")
            if event.endswith(".ListBuckets")
            else None
        )
    )
    output = tmp_path / "findings.jsonl"

    assert main(["scan", "s3", "--output", str(output), "--format", "jsonl"]) == 3

    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [err] and f"ListBuckets failed with {code}" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("mocked_aws")
def test_an_output_ending_with_a_slash_is_a_folder_created_if_missing(tmp_path: Path) -> None:
    _buckets("one")
    target = tmp_path / "new" / "out"

    assert main(["scan", "s3", "--output", f"{target}/", "--format", "jsonl"]) == 0

    assert target.is_dir()
    assert list(target.glob("findings/scanner=s3/account=*/dt=*/*.jsonl.gz"))


@pytest.mark.usefixtures("mocked_aws")
def test_a_file_output_holds_every_finding_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _buckets("one")
    output = tmp_path / "findings.jsonl"

    assert main(["scan", "s3", "--output", str(output), "--format", "jsonl"]) == 0

    written = [json.loads(line) for line in output.read_text().splitlines()]
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert written == printed and written
    assert [p.name for p in tmp_path.iterdir()] == ["findings.jsonl"]


@pytest.mark.parametrize(
    "command", [["--help"], ["scan", "s3", "--help"], ["scan", "tags", "--help"]]
)
def test_help_imports_neither_pulumi_nor_boto3(command: list[str]) -> None:
    probe = (
        "import sys\n"
        "from estate.cli.main import main\n"
        "try:\n"
        f"    main({command!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in ('pulumi', 'boto3', 'botocore', 'pydantic') if m in sys.modules)\n"
        "print(','.join(heavy), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stderr.strip().splitlines()[-1:] in ([], [""])
