"""The smoke check after a deploy: run the account's scans as their schedules would, wait for
them, and fail on any ERROR finding.

What to run comes from the deployed stacks' outputs, read through their contracts
(estate.contracts), never from names rebuilt here: the scanner fleet's ``schedule_names``
and its state machines (every ``*_state_machine_arn`` it exports), and core's
``reports_bucket_name``. Each exported schedule must target one of the exported state
machines with the scan request as its input; the smoke check starts that state machine
with that very input, under its own execution name (the scan id), waits until the
execution ends, and requires SUCCEEDED. Then it reads every findings part the scan wrote to
the reports bucket (``findings/scanner=<s>/account=<id>/dt=<date>/<scan id>-...``): no
finding may be ERROR (a denied or failed fetch, README), and the scans together must have
written some.

    pulumi stack output --stack ORG/core/A --json > core.json
    pulumi stack output --stack ORG/scanner-fleet/A --json > fleet.json
    python -m estate.gitops.smoke --account A --core-outputs core.json \
        --fleet-outputs fleet.json [--timeout 900]

A missing or unreadable outputs file, or an output the contract declares but the file
lacks, exits 2 with one line naming it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from estate.contracts import ProjectContract, contract_for

FLEET_PROJECT = "scanner-fleet"
CORE_PROJECT = "core"
SCHEDULES_OUTPUT = "schedule_names"
STATE_MACHINE_SUFFIX = "_state_machine_arn"
REPORTS_BUCKET_OUTPUT = "reports_bucket_name"
SCANNERS = ("s3", "tags")
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})


class SmokeError(RuntimeError):
    """The smoke check failed; the message says which scan and why."""


class SmokeInputError(ValueError):
    """The stack outputs given to the smoke check are unusable; the message names the fix."""


@dataclass(frozen=True)
class FleetOutputs:
    """What the deployed scanner fleet exports that the smoke check runs."""

    schedule_names: tuple[str, ...]
    state_machine_arns: tuple[str, ...]


def _declared(contract: ProjectContract, name: str) -> str:
    if name not in contract.export_names():
        raise SmokeInputError(
            f"{contract.project} exports no {name!r} in its contract; update estate.gitops.smoke"
        )
    return name


def _required(outputs: Mapping[str, Any], contract: ProjectContract, name: str) -> Any:
    if name not in outputs:
        raise SmokeInputError(
            f"{contract.project} outputs: {name!r} is missing; pass the stack's "
            "`pulumi stack output --json` after its deploy"
        )
    return outputs[name]


def fleet_outputs(outputs: Mapping[str, Any]) -> FleetOutputs:
    """The fleet's schedules and state machines from its stack outputs, by its contract."""
    contract = contract_for(FLEET_PROJECT)
    machines = [s.name for s in contract.exports if s.name.endswith(STATE_MACHINE_SUFFIX)]
    if not machines:
        raise SmokeInputError(f"{FLEET_PROJECT} exports no *{STATE_MACHINE_SUFFIX} output")
    schedules = _required(outputs, contract, _declared(contract, SCHEDULES_OUTPUT))
    arns = [_required(outputs, contract, name) for name in machines]
    if not isinstance(schedules, list) or not all(isinstance(n, str) for n in schedules):
        raise SmokeInputError(
            f"{FLEET_PROJECT} outputs: {SCHEDULES_OUTPUT!r} is {schedules!r}; expected a list "
            "of schedule names"
        )
    if not all(isinstance(a, str) and a.startswith("arn:") for a in arns):
        raise SmokeInputError(
            f"{FLEET_PROJECT} outputs: state machine ARNs {arns!r}; expected ARNs"
        )
    return FleetOutputs(schedule_names=tuple(schedules), state_machine_arns=tuple(arns))


def reports_bucket(outputs: Mapping[str, Any]) -> str:
    """Core's reports bucket from its stack outputs, by its contract."""
    contract = contract_for(CORE_PROJECT)
    bucket = _required(outputs, contract, _declared(contract, REPORTS_BUCKET_OUTPUT))
    if not isinstance(bucket, str) or not bucket:
        raise SmokeInputError(f"core outputs: {REPORTS_BUCKET_OUTPUT!r} is {bucket!r}")
    return bucket


@dataclass
class SmokeResult:
    """What the scans wrote: findings counted by status, and the ERROR ones named."""

    executions: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def scan_targets(scheduler: Any, fleet: FleetOutputs) -> list[tuple[str, str]]:
    """(state machine ARN, input) of every exported schedule; each must start one of the
    exported state machines."""
    targets: list[tuple[str, str]] = []
    for name in fleet.schedule_names:
        target = scheduler.get_schedule(Name=name)["Target"]
        if target["Arn"] not in fleet.state_machine_arns:
            raise SmokeError(
                f"schedule {name} targets {target['Arn']}, none of the fleet's exported "
                f"state machines {list(fleet.state_machine_arns)}"
            )
        targets.append((target["Arn"], target.get("Input", "{}")))
    return sorted(targets)


def run_smoke(
    *,
    scheduler: Any,
    stepfunctions: Any,
    s3: Any,
    account: str,
    fleet: FleetOutputs,
    reports_bucket: str,
    run_id: str,
    timeout_s: float = 900.0,
    poll_s: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> SmokeResult:
    """Start every scan, wait for each, read its findings; raise SmokeError on a failure."""
    targets = scan_targets(scheduler, fleet)
    if not targets:
        raise SmokeError(
            f"the scanner fleet of {account} exports no schedule; is scanner-fleet deployed "
            "to this account, and does the account scan (scan.s3, scan.tags)?"
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
    parser.add_argument(
        "--core-outputs", required=True, type=Path, help="core's `pulumi stack output --json`"
    )
    parser.add_argument(
        "--fleet-outputs",
        required=True,
        type=Path,
        help="scanner-fleet's `pulumi stack output --json`",
    )
    parser.add_argument("--run-id", default=str(int(time.time())), help="unique per attempt")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds for all scans")
    arguments = parser.parse_args(argv)
    try:
        fleet = fleet_outputs(_outputs_file(arguments.fleet_outputs, "--fleet-outputs"))
        bucket = reports_bucket(_outputs_file(arguments.core_outputs, "--core-outputs"))
    except SmokeInputError as error:
        print(f"smoke: {error}", file=sys.stderr)
        return 2
    try:
        result = run_smoke(
            scheduler=boto3.client("scheduler"),
            stepfunctions=boto3.client("stepfunctions"),
            s3=boto3.client("s3"),
            account=arguments.account,
            fleet=fleet,
            reports_bucket=bucket,
            run_id=arguments.run_id,
            timeout_s=arguments.timeout,
        )
    except SmokeError as error:
        print(f"smoke: {arguments.account}: {error}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{k} {v}" for k, v in sorted(result.counts.items()))
    print(f"smoke: {arguments.account}: {', '.join(result.executions)} succeeded; {counts}")
    return 0


def _outputs_file(path: Path, option: str) -> Mapping[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SmokeInputError(
            f"{option} {path}: cannot read it as JSON ({error.__class__.__name__}); write it "
            "with `pulumi stack output --json`"
        ) from None
    if not isinstance(loaded, dict):
        raise SmokeInputError(f"{option} {path}: not a JSON object of stack outputs")
    return loaded


if __name__ == "__main__":
    sys.exit(main())
