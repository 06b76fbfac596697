"""Least privilege, proven by recorded calls: each function's grant is exactly what it uses.

Each handler runs under moto through scenarios that take every path that calls AWS
(planning both scanners and completing; scanning with a stale part of an earlier, longer
run to remove). Every call is recorded, mapped to its IAM action (``estate.iam.operations``,
KMS by rule) and compared with what the program grants the function's own code: a missing
action and an unused one both fail — shown below on deliberately altered grants. The rest
of each policy (its ``Service`` statements) must be what the Lambda service does with the
role, derived from the function's wiring (``tests.support.least_privilege.SERVICE_SIDE``).
core's functions are proven the same way in ``test_least_privilege_core.py``.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from estate.accounts import Estate
from estate.iam.operations import actions_needed
from estate.programs.scanner_fleet import functions as fn
from estate.scanning import scanner_actions
from estate_scanners import planner_handler, s3_analyzer_handler, tag_checker_handler
from tests.lambda_fixtures import FakeLambdaContext
from tests.support.fleet_runs import fleet_stack
from tests.support.least_privilege import (
    CallLog,
    compare,
    granted_handler_actions,
    granted_service_actions,
    policy_of,
    record_calls,
    service_side_actions,
)

AMI = "ami-12c6146b"  # one of moto's built-in images (listing them all costs seconds)
REGIONS = ("us-east-1", "eu-west-1")
SCAN = {"scan_id": "scan-1", "scan_started": "2026-03-01T12:00:00Z"}
RULES = [{"key": "Owner", "values": None, "pattern": None}]


@dataclass(frozen=True)
class World:
    """The moto account: reports bucket and key, the scanner role to assume."""

    bucket: str
    key_arn: str
    role_arn: str
    account_id: str
    execution_key: str  # the ambient credentials' access key stands for the execution role


@pytest.fixture
def world(mocked_aws: None, monkeypatch: pytest.MonkeyPatch) -> World:
    kms_key = boto3.client("kms", region_name=REGIONS[0]).create_key()["KeyMetadata"]["Arn"]
    s3 = boto3.client("s3", region_name=REGIONS[0])
    bucket = "estate-reports"
    s3.create_bucket(Bucket=bucket)
    for name in ("alpha", "bravo", "charlie"):
        s3.create_bucket(Bucket=name)
    for region in REGIONS:
        ec2 = boto3.client("ec2", region_name=region)
        ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2)
    trust = {"Version": "2012-10-17", "Statement": []}
    role = boto3.client("iam").create_role(
        RoleName="estate-scanner", AssumeRolePolicyDocument=json.dumps(trust)
    )["Role"]
    account = boto3.client("sts").get_caller_identity()["Account"]
    monkeypatch.setenv("REPORTS_BUCKET", bucket)
    monkeypatch.setenv("REPORTS_KMS_KEY_ID", kms_key)
    monkeypatch.setenv("AWS_REGION", REGIONS[0])
    ambient = boto3.Session().get_credentials()
    assert ambient is not None
    return World(bucket, kms_key, role["Arn"], account, ambient.access_key)


def _target(world: World) -> dict[str, Any]:
    return {
        "role_arn": world.role_arn,
        "external_id": "estate-scan-x",
        "account_id": world.account_id,
    }


def _plant_stale_part(world: World, key: str) -> None:
    # An earlier, longer run of the same scan left this part: the run must remove it.
    boto3.client("s3", region_name=REGIONS[0]).put_object(
        Bucket=world.bucket, Key=key, Body=gzip.compress(b"")
    )


def _run_planner(world: World) -> CallLog:
    context = FakeLambdaContext()
    request = {**_target(world), "required_tags": RULES, "regions": list(REGIONS)}
    with record_calls() as log:
        planned = planner_handler.handler(
            {"action": "plan", "scanner": "s3", **SCAN, "request": request}, context
        )
        planner_handler.handler(
            {"action": "plan", "scanner": "tags", **SCAN, "request": request}, context
        )
        planner_handler.handler(
            {
                "action": "complete",
                "scanner": "s3",
                **SCAN,
                "account_id": planned["account_id"],
                "shards": [{"label": "0000", "status": "done", "runs": 1}],
            },
            context,
        )
    return log


def _run_analyzer(world: World) -> CallLog:
    folder = f"findings/scanner=s3/account={world.account_id}/dt=2026-03-01/"
    _plant_stale_part(world, f"{folder}scan-1-0000-00009.jsonl.gz")
    event = {**_target(world), **SCAN, "required_tags": RULES, "buckets": ["alpha", "bravo"]}
    with record_calls() as log:
        s3_analyzer_handler.handler(
            {**event, "shard": "0000", "include_account_checks": True}, FakeLambdaContext()
        )
    return log


def _run_tag_checker(world: World) -> CallLog:
    folder = f"findings/scanner=tags/account={world.account_id}/dt=2026-03-01/"
    _plant_stale_part(world, f"{folder}scan-1-0000_useast1-00009.jsonl.gz")
    event = {**_target(world), **SCAN, "required_tags": RULES, "regions": list(REGIONS)}
    with record_calls() as log:
        tag_checker_handler.handler(event, FakeLambdaContext())
    return log


def _granted(estate: Estate, function: str) -> frozenset[str]:
    """What the recorded dev plan grants the function's own code."""
    return granted_handler_actions(policy_of(fleet_stack(estate, "dev"), function))


# Every fleet function (the program's registry) with the scenario that exercises it.
SCENARIOS: dict[str, Callable[[World], CallLog]] = {
    fn.PLANNER.purpose: _run_planner,
    fn.S3_ANALYZER.purpose: _run_analyzer,
    fn.TAG_CHECKER.purpose: _run_tag_checker,
}


def test_every_fleet_function_has_a_scenario() -> None:
    assert set(SCENARIOS) == {spec.purpose for spec in fn.FUNCTIONS}


@pytest.mark.parametrize("function", sorted(SCENARIOS))
def test_execution_role_grants_exactly_what_the_handler_calls(
    world: World, estate: Estate, function: str
) -> None:
    log = SCENARIOS[function](world)
    own_calls = log.service_calls(access_key=world.execution_key)
    comparison = compare(_granted(estate, function), own_calls)
    assert comparison.missing == frozenset(), f"{function} would be denied {comparison.missing}"
    assert comparison.unused == frozenset(), f"{function} is granted unused {comparison.unused}"
    # Everything else was read with the assumed scanner role, within what that role holds.
    assumed = [c for c in log.calls if c.access_key != world.execution_key]
    assert assumed
    assert actions_needed([c.call for c in assumed]) <= scanner_actions()


@pytest.mark.parametrize("account", ["dev", "staging", "prod"])
def test_the_rest_of_each_policy_is_what_the_lambda_service_does_for_it(
    estate: Estate, account: str
) -> None:
    # The fleet's functions have no event source (Step Functions invokes them): logs only.
    run = fleet_stack(estate, account)
    for spec in fn.FUNCTIONS:
        document = policy_of(run, spec.purpose)
        assert granted_service_actions(document) == service_side_actions(run, spec.purpose)


def test_a_missing_permission_fails_the_proof(world: World, estate: Estate) -> None:
    log = _run_analyzer(world)
    altered = _granted(estate, fn.S3_ANALYZER.purpose) - {"s3:DeleteObject"}

    comparison = compare(altered, log.service_calls(access_key=world.execution_key))

    assert not comparison.exact
    assert comparison.missing == {"s3:DeleteObject"}
    assert comparison.unused == frozenset()


def test_an_unused_permission_fails_the_proof(world: World, estate: Estate) -> None:
    log = _run_planner(world)
    altered = _granted(estate, fn.PLANNER.purpose) | {"s3:DeleteObject"}

    comparison = compare(altered, log.service_calls(access_key=world.execution_key))

    assert not comparison.exact
    assert comparison.missing == frozenset()
    assert comparison.unused == {"s3:DeleteObject"}
