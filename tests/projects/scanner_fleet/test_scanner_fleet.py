"""scanner-fleet on recorded resources: functions, machines, schedules, grants, outputs.

Expectations derive from accounts/ (which accounts a hub scans, which scanners each switches
on) and from the fleet's own registries, never from a second hand-written list.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from estate.accounts import Estate, load_estate
from estate.components.lambda_function import COMPONENT_TYPE as LAMBDA_COMPONENT
from estate.plan.checks import check_stack
from estate.plan.runner import RecordedResource, StackRun
from estate.programs.scanner_fleet import functions as fn
from estate.programs.scanner_fleet.schedules import (
    FLEXIBLE_WINDOW_MINUTES,
    scan_request,
    scanners_of,
)
from estate.programs.scanner_fleet.state_machine import DEFAULT_MAX_CONCURRENCY
from estate.scanning import accesses_from, fleet_execution_role_name
from estate.stack import workload_boundary_arn
from tests.support.fleet_runs import fleet_stack

ACCOUNTS = ("dev", "staging", "prod")
FleetRun = Callable[[str], StackRun]


def _one(run: StackRun, type_token: str, name: str) -> RecordedResource:
    [resource] = [r for r in run.of_type(type_token) if r.name == name]
    return resource


def _schedules(run: StackRun) -> list[RecordedResource]:
    return run.of_type("aws-native:scheduler:Schedule")


@pytest.mark.parametrize("account", ACCOUNTS)
def test_the_fleet_keeps_every_house_rule(
    fleet_run: FleetRun, estate: Estate, account: str
) -> None:
    assert check_stack(fleet_run(account), estate) == []


@pytest.mark.parametrize("account", ACCOUNTS)
def test_three_functions_through_the_component_with_the_roles_org_iam_trusts(
    fleet_run: FleetRun, estate: Estate, account: str
) -> None:
    run = fleet_run(account)
    components = {r.name for r in run.of_type(LAMBDA_COMPONENT)}
    assert components == {spec.purpose for spec in fn.FUNCTIONS}
    hub = estate.account(account)
    for spec in fn.FUNCTIONS:
        function = _one(run, "aws:lambda/function:Function", f"{spec.purpose}-function")
        assert function.inputs["handler"] == spec.handler
        assert function.inputs["memorySize"] == spec.memory_mb
        role = _one(run, "aws:iam/role:Role", f"{spec.purpose}-role")
        assert role.inputs["name"] == fleet_execution_role_name(hub, spec.purpose)
        assert role.inputs["permissionsBoundary"] == workload_boundary_arn(hub)
        variables = function.inputs["environment"]["variables"]
        assert variables["REPORTS_BUCKET"].startswith(f"estate-{account}-core-reports-")
        assert variables["REPORTS_KMS_KEY_ID"].startswith("arn:aws:kms:")


@pytest.mark.parametrize("account", ACCOUNTS)
def test_each_scanner_has_a_machine_that_fans_out_through_its_worker(
    fleet_run: FleetRun, account: str
) -> None:
    run = fleet_run(account)
    for scanner, worker in fn.WORKERS.items():
        machine = _one(run, "aws:sfn/stateMachine:StateMachine", f"{scanner}-scan-machine")
        definition = json.loads(machine.inputs["definition"])
        items = definition["States"]["Items"]
        assert items["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
        assert items["MaxConcurrency"] == DEFAULT_MAX_CONCURRENCY
        scan = items["ItemProcessor"]["States"]["Scan"]
        assert (
            scan["Parameters"]["FunctionName"]
            == run.outputs[f"{worker.purpose.replace('-', '_')}_function_arn"]
        )
        retried = {error for rule in scan["Retry"] for error in rule["ErrorEquals"]}
        assert "Lambda.TooManyRequestsException" in retried
        assert scan["Catch"][0]["ErrorEquals"] == ["States.ALL"]
        assert (
            definition["States"]["Plan"]["Parameters"]["FunctionName"]
            == run.outputs["planner_function_arn"]
        )


@pytest.mark.parametrize("account", ACCOUNTS)
def test_one_schedule_per_scanned_account_and_switched_on_scanner(
    fleet_run: FleetRun, estate: Estate, account: str
) -> None:
    run = fleet_run(account)
    expected = {
        (scanner, access.target.name): scan_request(access, scanner)
        for access in accesses_from(estate, account)
        for scanner in scanners_of(access.target)
    }
    by_id = {each.account_id: each for each in estate}
    recorded: dict[tuple[str, str], dict[str, Any]] = {}
    machines = {s: run.outputs[f"{s}_state_machine_arn"] for s in fn.WORKERS}
    for schedule in _schedules(run):
        target = schedule.inputs["target"]
        scanner = next(s for s, arn in machines.items() if arn == target["arn"])
        request = json.loads(target["input"])
        scanned = by_id[request["account_id"]]
        recorded[(scanner, scanned.name)] = request
        assert schedule.inputs["scheduleExpression"] == scanned.scan.schedule
        assert schedule.inputs["scheduleExpressionTimezone"] == scanned.scan.timezone
        assert schedule.inputs["flexibleTimeWindow"] == {
            "mode": "FLEXIBLE",
            "maximumWindowInMinutes": FLEXIBLE_WINDOW_MINUTES,
        }
        assert target["retryPolicy"]["maximumRetryAttempts"] > 0
        assert target["deadLetterConfig"]["arn"] == run.outputs["schedule_dlq_arn"]
    assert recorded == expected
    assert sorted(run.outputs["schedule_names"]) == sorted(
        s.inputs["name"] for s in _schedules(run)
    )


def test_a_scanner_switched_off_has_no_schedule(accounts_copy: Path) -> None:
    path = accounts_copy / "dev.yaml"
    path.write_text(path.read_text().replace("  tags: true", "  tags: false"))
    run = fleet_stack(load_estate(accounts_copy), "dev")
    scanners = {json.dumps(s.inputs["target"]["arn"]) for s in _schedules(run)}
    assert scanners == {json.dumps(run.outputs["s3_state_machine_arn"])}
    assert len(_schedules(run)) == 1


def _spoke_of_dev(accounts_copy: Path) -> Estate:
    """accounts/ with dev the hub of staging: staging's own fleet schedules nothing."""
    path = accounts_copy / "dev.yaml"
    text = path.read_text()
    assert "targets" not in text
    path.write_text(text.replace("scan:\n", "scan:\n  targets: [staging]\n", 1))
    return load_estate(accounts_copy)


def test_a_fleet_with_nothing_to_schedule_still_exports_a_real_dead_letter_queue(
    accounts_copy: Path,
) -> None:
    estate = _spoke_of_dev(accounts_copy)
    assert not accesses_from(estate, "staging")
    run = fleet_stack(estate, "staging")

    assert _schedules(run) == []
    assert run.outputs["schedule_names"] == []
    dlq_arn = str(run.outputs["schedule_dlq_arn"])
    service, _region, account_id, queue = dlq_arn.split(":")[2:]
    assert (service, account_id) == ("sqs", estate.account("staging").account_id)
    assert queue in {q.inputs["name"] for q in run.of_type("aws:sqs/queue:Queue")}
    # Nothing else of the schedules: no role for Scheduler to start machines with.
    roles = [r.inputs["assumeRolePolicy"] for r in run.of_type("aws:iam/role:Role")]
    assert not any("scheduler.amazonaws.com" in str(trust) for trust in roles)
    # The hub schedules its target, dead-lettering into its own queue.
    hub = fleet_stack(estate, "dev")
    scanned = {json.loads(s.inputs["target"]["input"])["account_id"] for s in _schedules(hub)}
    assert estate.account("staging").account_id in scanned
