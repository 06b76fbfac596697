"""The smoke check after a deploy: run the account's scans as their schedules would, wait for
them, and fail on any ERROR finding.

Each EventBridge Scheduler schedule of the account's scanner fleet (names start with
``estate-<account>-scanner-fleet-``) targets a scan state machine with the scan request as
its input. The smoke check starts that state machine with that very input, under its own
execution name (the scan id), waits until the execution ends, and requires SUCCEEDED. Then
it reads every findings part the scan wrote to the reports bucket
(``findings/scanner=<s>/account=<id>/dt=<date>/<scan id>-...``): no finding may be ERROR
(a denied or failed fetch, README), and the scans together must have written some.

    python -m estate.gitops.smoke --account dev --reports-bucket NAME [--timeout 900]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from estate.naming import NAME_PREFIX

FLEET_PROJECT = "scanner-fleet"
SCANNERS = ("s3", "tags")
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})


class SmokeError(RuntimeError):
    """The smoke check failed; the message says which scan and why."""


@dataclass
class SmokeResult:
    """What the scans wrote: findings counted by status, and the ERROR ones named."""

    executions: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def schedule_prefix(account: str) -> str:
    """The name prefix of the fleet's schedules in `account` (estate.naming's layout)."""
    return f"{NAME_PREFIX}-{account}-{FLEET_PROJECT}-"


def scan_targets(scheduler: Any, account: str) -> list[tuple[str, str]]:
    """(state machine ARN, input) of every fleet schedule that starts a state machine."""
    targets: list[tuple[str, str]] = []
    for page in scheduler.get_paginator("list_schedules").paginate(
        NamePrefix=schedule_prefix(account)
    ):
        for summary in page["Schedules"]:
            detail = scheduler.get_schedule(Name=summary["Name"], GroupName=summary["GroupName"])
            target = detail["Target"]
            if ":states:" in target["Arn"]:
                targets.append((target["Arn"], target.get("Input", "{}")))
    return sorted(targets)


def run_smoke(
    *,
    scheduler: Any,
    stepfunctions: Any,
    s3: Any,
    account: str,
    reports_bucket: str,
    run_id: str,
    timeout_s: float = 900.0,
    poll_s: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> SmokeResult:
    """Start every scan, wait for each, read its findings; raise SmokeError on a failure."""
    targets = scan_targets(scheduler, account)
    if not targets:
        raise SmokeError(
            f"no scan schedule named {schedule_prefix(account)}* targets a state machine; "
            "is scanner-fleet deployed to this account?"
        )
    result = SmokeResult()
    started = [
        stepfunctions.start_execution(
            stateMachineArn=machine, name=f"smoke-{run_id}-{index}", input=payload
        )["executionArn"]
        for index, (machine, payload) in enumerate(targets)
    ]
    deadline = clock() + timeout_s
    for execution_arn in started:
        description = _wait(
            stepfunctions, execution_arn, deadline=deadline, poll_s=poll_s, sleep=sleep, clock=clock
        )
        name = description["name"]
        if description["status"] != "SUCCEEDED":
            raise SmokeError(
                f"scan {name} ended {description['status']}: {description.get('error', '')} "
                f"{description.get('cause', '')}".strip()
            )
        result.executions.append(name)
        account_id = execution_arn.split(":")[4]
        scan_input = json.loads(description.get("input") or "{}")
        target_account = str(scan_input.get("account_id") or account_id)
        day = description["startDate"].date().isoformat()
        for scanner in SCANNERS:
            prefix = f"findings/scanner={scanner}/account={target_account}/dt={day}/{name}-"
            _read_parts(s3, reports_bucket, prefix, result)
    if not result.counts:
        raise SmokeError(
            f"scans {', '.join(result.executions)} succeeded but wrote no findings to "
            f"s3://{reports_bucket}/findings/"
        )
    if result.errors:
        shown = "; ".join(result.errors[:5])
        raise SmokeError(f"{len(result.errors)} ERROR finding(s), e.g. {shown}")
    return result


def _wait(
    stepfunctions: Any,
    execution_arn: str,
    *,
    deadline: float,
    poll_s: float,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> dict[str, Any]:
    while True:
        description: dict[str, Any] = stepfunctions.describe_execution(executionArn=execution_arn)
        if description["status"] in TERMINAL:
            return description
        if clock() >= deadline:
            raise SmokeError(f"scan {description['name']} still RUNNING at the timeout")
        sleep(poll_s)


def _read_parts(s3: Any, bucket: str, prefix: str, result: SmokeResult) -> None:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            for line in gzip.decompress(body).decode("utf-8").splitlines():
                if not line.strip():
                    continue
                finding = json.loads(line)
                status = str(finding.get("status"))
                result.counts[status] = result.counts.get(status, 0) + 1
                if status == "ERROR":
                    result.errors.append(
                        f"{finding.get('check_id')} on {finding.get('resource_id')}: "
                        f"{finding.get('message')}"
                    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the smoke check with the job's credentials; exit 1 on a failed check."""
    import boto3  # noqa: PLC0415 - only the real run needs AWS clients

    parser = argparse.ArgumentParser(prog="python -m estate.gitops.smoke")
    parser.add_argument("--account", required=True, help="the account (stack) just deployed")
    parser.add_argument("--reports-bucket", required=True, help="core's reports bucket")
    parser.add_argument("--run-id", default=str(int(time.time())), help="unique per attempt")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds for all scans")
    arguments = parser.parse_args(argv)
    try:
        result = run_smoke(
            scheduler=boto3.client("scheduler"),
            stepfunctions=boto3.client("stepfunctions"),
            s3=boto3.client("s3"),
            account=arguments.account,
            reports_bucket=arguments.reports_bucket,
            run_id=arguments.run_id,
            timeout_s=arguments.timeout,
        )
    except SmokeError as error:
        print(f"smoke: {arguments.account}: {error}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{k} {v}" for k, v in sorted(result.counts.items()))
    print(f"smoke: {arguments.account}: {', '.join(result.executions)} succeeded; {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
