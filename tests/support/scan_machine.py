"""A scan state machine deployed on in-process moto with its functions, for the fleet's tests.

Only what the machine needs, built by hand: a reports bucket, the planner and one worker as
moto functions created with the fleet's real code zip, whose handlers the emulator's invoke
hook runs in process (``estate.emulator.install_invoke_hook``), and the definition from
``estate.programs.scanner_fleet.state_machine``. The program's own wiring of
the same pieces is asserted on the recorded plan; this world is for running the definition.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3

from estate.packaging import package_files, zip_bytes_of
from estate.programs.scanner_fleet.functions import CODE_PACKAGES
from estate.programs.scanner_fleet.state_machine import ScanMachineSpec, scan_definition_json

REGION = "us-east-1"
REPORTS_BUCKET = "estate-test-reports"
WORKER_HANDLERS = {
    "s3": "estate_scanners.s3_analyzer_handler.handler",
    "tags": "estate_scanners.tag_checker_handler.handler",
}
PLANNER_HANDLER = "estate_scanners.planner_handler.handler"
_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}


@cache
def fleet_code() -> bytes:
    """The fleet's code zip, as its functions are deployed with (the hook checks the handler's
    module is in it)."""
    return zip_bytes_of(package_files(CODE_PACKAGES))


@dataclass(frozen=True)
class ScanMachine:
    """The deployed machine: its ARN and the clients to drive it."""

    scanner: str
    arn: str

    def run(self, request: dict[str, Any], name: str, timeout_s: float = 60.0) -> dict[str, Any]:
        """Start an execution named ``name`` (the scan id) and wait for its end."""
        client = boto3.client("stepfunctions", region_name=REGION)
        execution = client.start_execution(
            stateMachineArn=self.arn, name=name, input=json.dumps(request)
        )["executionArn"]
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            described = client.describe_execution(executionArn=execution)
            if described["status"] != "RUNNING":
                return dict(described)
            time.sleep(0.05)
        raise AssertionError(f"execution {name} still running after {timeout_s} s")


def deploy_scan_machine(
    scanner: str, *, max_concurrency: int = 4, environment: dict[str, str] | None = None
) -> ScanMachine:
    """Create the bucket, role, functions and machine; return the machine."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=REPORTS_BUCKET)
    role = boto3.client("iam", region_name=REGION).create_role(
        RoleName="estate-test-scanner", AssumeRolePolicyDocument=json.dumps(_TRUST)
    )["Role"]["Arn"]
    lam = boto3.client("lambda", region_name=REGION)
    variables = {"REPORTS_BUCKET": REPORTS_BUCKET, **(environment or {})}
    arns = {}
    for purpose, handler in (("planner", PLANNER_HANDLER), ("worker", WORKER_HANDLERS[scanner])):
        arns[purpose] = lam.create_function(
            FunctionName=f"estate-test-{scanner}-{purpose}",
            Runtime="python3.12",
            Role=role,
            Handler=handler,
            Code={"ZipFile": fleet_code()},
            Timeout=900,
            Environment={"Variables": variables},
        )["FunctionArn"]
    spec = ScanMachineSpec(scanner, arns["planner"], arns["worker"], max_concurrency)
    machine = boto3.client("stepfunctions", region_name=REGION).create_state_machine(
        name=f"estate-test-{scanner}-scan", definition=scan_definition_json(spec), roleArn=role
    )
    return ScanMachine(scanner, machine["stateMachineArn"])
