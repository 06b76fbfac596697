"""The post-deploy smoke check against moto: the fleet's exported schedules and state
machines, Step Functions executions, findings; its inputs read through the contracts."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from estate.gitops import smoke
from estate.gitops.smoke import (
    FleetOutputs,
    SmokeError,
    SmokeInputError,
    fleet_outputs,
    reports_bucket,
    run_smoke,
)
from estate.plan.runner import StackRun

ROLE = "arn:aws:iam::123456789012:role/scheduler"
BUCKET = "reports"
PASS_MACHINE = {"StartAt": "Scan", "States": {"Scan": {"Type": "Pass", "End": True}}}
FAIL_MACHINE = {
    "StartAt": "Scan",
    "States": {"Scan": {"Type": "Fail", "Error": "Boom", "Cause": "denied"}},
}
SLOW_MACHINE = {
    "StartAt": "Scan",
    "States": {"Scan": {"Type": "Wait", "Seconds": 600, "End": True}},
}


@dataclass
class World:
    scheduler: Any
    stepfunctions: Any
    s3: Any
    statuses: list[str] = field(default_factory=lambda: ["PASS", "FAIL"])
    schedules: list[str] = field(default_factory=list)
    machines: list[str] = field(default_factory=list)

    def machine(self, name: str, definition: dict[str, Any], *, exported: bool = True) -> str:
        """A state machine and a schedule starting it; both in the fleet's outputs unless
        ``exported`` is false (another stack's)."""
        arn: str = self.stepfunctions.create_state_machine(
            name=name, definition=json.dumps(definition), roleArn=ROLE
        )["stateMachineArn"]
        # Any name: the smoke check runs what the fleet exports, it rebuilds no names.
        schedule = f"nightly-{name}"
        if exported:
            self.schedules.append(schedule)
            self.machines.append(arn)
        self.scheduler.create_schedule(
            Name=schedule,
            ScheduleExpression="rate(1 day)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={
                "Arn": arn,
                "RoleArn": ROLE,
                "Input": json.dumps({"account_id": "444455556666"}),
            },
        )
        return arn

    @property
    def fleet(self) -> FleetOutputs:
        return FleetOutputs(tuple(self.schedules), tuple(self.machines))


class WritingStepFunctions:
    """The real (moto) client, except that starting a scan also writes its findings parts,
    as the scanners would, under the execution's name and start date."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._client = world.stepfunctions

    def start_execution(self, **kwargs: Any) -> dict[str, Any]:
        started: dict[str, Any] = self._client.start_execution(**kwargs)
        description = self._client.describe_execution(executionArn=started["executionArn"])
        day = description["startDate"].date().isoformat()
        lines = [
            json.dumps(
                {"status": s, "check_id": "s3.versioning", "resource_id": "b", "message": "m"}
            )
            for s in self._world.statuses
        ]
        key = f"findings/scanner=s3/account=444455556666/dt={day}/{kwargs['name']}-0000-00000.jsonl.gz"
        self._world.s3.put_object(
            Bucket=BUCKET, Key=key, Body=gzip.compress("\n".join(lines).encode())
        )
        return started

    def describe_execution(self, **kwargs: Any) -> Any:
        return self._client.describe_execution(**kwargs)


@pytest.fixture
def world(aws_credentials: None) -> Iterator[World]:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        yield World(
            boto3.client("scheduler", region_name="eu-west-1"),
            boto3.client("stepfunctions", region_name="eu-west-1"),
            s3,
        )


def _smoke(world: World, **overrides: Any) -> Any:
    arguments: dict[str, Any] = {
        "scheduler": world.scheduler,
        "stepfunctions": WritingStepFunctions(world),
        "s3": world.s3,
        "account": "dev",
        "fleet": world.fleet,
        "reports_bucket": BUCKET,
        "run_id": "r1",
        "poll_s": 0.05,
        "timeout_s": 30.0,
    }
    return run_smoke(**(arguments | overrides))


def test_every_exported_schedule_runs_with_its_own_input(world: World) -> None:
    world.machine("s3-scan", PASS_MACHINE)
    world.machine("tags-scan", PASS_MACHINE)
    world.machine("other", PASS_MACHINE, exported=False)
    result = _smoke(world)
    assert result.executions == ["smoke-r1-0", "smoke-r1-1"]
    assert result.counts == {"PASS": 2, "FAIL": 2}
    execution = world.stepfunctions.list_executions(
        stateMachineArn=world.stepfunctions.list_state_machines()["stateMachines"][0][
            "stateMachineArn"
        ]
    )["executions"][0]
    description = world.stepfunctions.describe_execution(executionArn=execution["executionArn"])
    assert json.loads(description["input"]) == {"account_id": "444455556666"}


def test_an_error_finding_fails_the_smoke_check_and_is_named(world: World) -> None:
    world.machine("s3-scan", PASS_MACHINE)
    world.statuses = ["PASS", "ERROR"]
    with pytest.raises(SmokeError, match=r"1 ERROR finding\(s\), e.g. s3.versioning on b: m"):
        _smoke(world)


def test_a_failed_execution_fails_with_its_error(world: World) -> None:
    world.machine("s3-scan", FAIL_MACHINE)
    with pytest.raises(SmokeError, match="scan smoke-r1-0 ended FAILED: Boom denied"):
        _smoke(world)


def test_a_scan_still_running_at_the_timeout_fails(world: World) -> None:
    world.machine("s3-scan", SLOW_MACHINE)
    ticks = iter(range(100))
    with pytest.raises(SmokeError, match="still RUNNING at the timeout"):
        _smoke(world, timeout_s=3.0, clock=lambda: float(next(ticks)), sleep=lambda _s: None)


def test_a_schedule_starting_a_state_machine_the_fleet_does_not_export_fails(
    world: World,
) -> None:
    world.machine("s3-scan", PASS_MACHINE)
    stray = world.machine("stray", PASS_MACHINE, exported=False)
    fleet = FleetOutputs((*world.schedules, "nightly-stray"), tuple(world.machines))
    with pytest.raises(SmokeError, match=f"nightly-stray targets {stray}, none of the fleet"):
        _smoke(world, fleet=fleet)


def test_no_schedule_and_no_findings_are_failures(world: World) -> None:
    with pytest.raises(SmokeError, match="is scanner-fleet deployed"):
        _smoke(world)
    world.machine("s3-scan", PASS_MACHINE)
    world.statuses = []
    with pytest.raises(SmokeError, match="wrote no findings"):
        _smoke(world)


@pytest.fixture(scope="module")
def fleet_run(run_program: Callable[[str, str], StackRun]) -> StackRun:
    return run_program("scanner-fleet", "dev")


def test_the_fleets_planned_outputs_give_its_schedules_and_state_machines(
    fleet_run: StackRun,
) -> None:
    fleet = fleet_outputs(fleet_run.outputs)
    assert fleet.schedule_names == tuple(fleet_run.outputs["schedule_names"]) != ()
    machines = {k: v for k, v in fleet_run.outputs.items() if k.endswith("_state_machine_arn")}
    assert len(machines) >= 2 and set(fleet.state_machine_arns) == set(machines.values())


@pytest.mark.parametrize("missing", ["schedule_names", "s3_state_machine_arn"])
def test_an_output_the_contract_names_but_the_stack_lacks_is_named(
    fleet_run: StackRun, missing: str
) -> None:
    outputs = {k: v for k, v in fleet_run.outputs.items() if k != missing}
    with pytest.raises(SmokeInputError, match=f"'{missing}' is missing"):
        fleet_outputs(outputs)
    with pytest.raises(SmokeInputError, match="expected a list"):
        fleet_outputs({**fleet_run.outputs, "schedule_names": "nightly"})


def test_the_reports_bucket_is_cores_exported_name(
    run_program: Callable[[str, str], StackRun],
) -> None:
    core = run_program("core", "dev")
    assert reports_bucket(core.outputs) == core.outputs["reports_bucket_name"]
    with pytest.raises(SmokeInputError, match="reports_bucket_name"):
        reports_bucket({})


def test_an_unreadable_outputs_file_exits_2_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "fleet.json"
    bad.write_text("not json")
    core = tmp_path / "core.json"
    core.write_text(json.dumps({"reports_bucket_name": "b"}))
    argv = ["--account", "dev", "--core-outputs", str(core), "--fleet-outputs", str(bad)]
    assert smoke.main(argv) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "--fleet-outputs" in error and "--json" in error
