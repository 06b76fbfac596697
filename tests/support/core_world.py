"""The dev account's core stack, as recorded by the plan, running in moto with its handlers.

Used by the end-to-end tests: the resources come from the recorded plan (names, the bucket's
notification filter, the mappings), not from a second hand-written copy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3

from estate.emulator import Emulator, InvokeRecord, install_invoke_hook
from estate.emulator.invoke import function_environment
from estate.plan.runner import StackRun
from estate_core import config
from estate_core.clients import reset_clients
from estate_runtime.findings import make_finding
from estate_runtime.settings import reports_client
from estate_scanners import s3_analyzer_handler


@dataclass
class FakeContext:
    """A Lambda context with time to spare."""

    function_name: str = "scanner"
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:111111111111:function:scanner"
    memory_limit_in_mb: int = 512

    def get_remaining_time_in_millis(self) -> int:
        """Always 15 minutes."""
        return 900_000


@dataclass
class CoreWorld:
    """One account's core in moto: its outputs, its clients, the scans and the API."""

    emulator: Emulator
    run: StackRun
    invokes: list[InvokeRecord]
    region: str
    alerts_queue_url: str = ""
    _captured: list[dict[str, Any]] = field(default_factory=list)

    @property
    def account_id(self) -> str:
        """The stack's account."""
        return self.run.account_id

    @property
    def outputs(self) -> Mapping[str, Any]:
        """The stack's outputs with mock values made real."""
        translated: Mapping[str, Any] = self.emulator.translate(dict(self.run.outputs))
        return translated

    def client(self, service: str) -> Any:
        """A client in the account and region of the stack."""
        return self.emulator.client(service, self.account_id, self.region)

    def estate_accounts(self) -> str:
        """The ``ESTATE_ACCOUNTS`` the program gives the functions that read it."""
        return next(
            str(variables[config.ESTATE_ACCOUNTS])
            for function in self.run.of_type("aws:lambda/function:Function")
            if config.ESTATE_ACCOUNTS in (variables := function.inputs["environment"]["variables"])
        )

    @contextmanager
    def as_account(self) -> Iterator[None]:
        """The process environment of a function in this account (credentials, region,
        the estate's accounts), with no client or account list cached from before."""
        values = {
            **self.emulator.credentials(self.account_id),
            "AWS_REGION": self.region,
            config.ESTATE_ACCOUNTS: self.estate_accounts(),
        }
        with function_environment(values):
            forget_cached_settings()
            try:
                yield
            finally:
                forget_cached_settings()

    def scan(self, scan_id: str, started: datetime) -> dict[str, Any]:
        """Run the real S3 analyzer over the account, writing to core's reports bucket."""
        event = {"scan_id": scan_id, "scan_started": started.astimezone(UTC).isoformat()}
        scanner_env = {
            "REPORTS_BUCKET": str(self.outputs["reports_bucket_name"]),
            "REPORTS_KMS_KEY_ID": str(self.outputs["reports_key_arn"]),
            "SCAN_CONCURRENCY": "4",
        }
        with self.as_account(), function_environment(scanner_env):
            result: dict[str, Any] = s3_analyzer_handler.handler(event, FakeContext())
        return result

    def items(self) -> list[dict[str, Any]]:
        """Every item of the findings table (a test may Scan; the API may not)."""
        from estate_core.store import from_dynamodb

        paginator = self.client("dynamodb").get_paginator("scan")
        return [
            from_dynamodb(item)
            for page in paginator.paginate(TableName=str(self.outputs["findings_table_name"]))
            for item in page["Items"]
        ]

    def capture_alerts(self) -> None:
        """Subscribe a queue to the alert topic, to read what was published."""
        sqs, sns = self.client("sqs"), self.client("sns")
        self.alerts_queue_url = sqs.create_queue(QueueName="test-alert-capture")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=self.alerts_queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sns.subscribe(
            TopicArn=str(self.outputs["alert_topic_arn"]),
            Protocol="sqs",
            Endpoint=arn,
            Attributes={"RawMessageDelivery": "false"},
        )

    def alerts(self) -> list[dict[str, Any]]:
        """Every alert published so far (SNS envelopes)."""
        sqs = self.client("sqs")
        while True:
            messages = sqs.receive_message(
                QueueUrl=self.alerts_queue_url, MaxNumberOfMessages=10
            ).get("Messages", [])
            if not messages:
                return list(self._captured)
            for message in messages:
                self._captured.append(json.loads(message["Body"]))
                sqs.delete_message(
                    QueueUrl=self.alerts_queue_url, ReceiptHandle=message["ReceiptHandle"]
                )

    def api(
        self, resource: str, params: Mapping[str, str] | None = None, finding_id: str = ""
    ) -> tuple[int, dict[str, Any]]:
        """Invoke the api function (its live alias) with API Gateway's proxy event."""
        event = {
            "resource": resource,
            "httpMethod": "GET",
            "queryStringParameters": dict(params) if params else None,
            "pathParameters": {"id": finding_id} if finding_id else None,
        }
        response = self.client("lambda").invoke(
            FunctionName=str(self.outputs["api_function_name"]),
            Qualifier=str(self.outputs["api_alias_name"]),
            Payload=json.dumps(event),
        )
        payload = json.loads(response["Payload"].read())
        return int(payload["statusCode"]), json.loads(payload["body"])


def versioning_finding(
    index: int,
    *,
    scan_id: str = "scan-q",
    status: str = "FAIL",
    observed: str = "2026-03-01T06:00:00Z",
    account_id: str = "111111111111",
) -> dict[str, Any]:
    """A valid s3.versioning finding on ``bucket-<index>`` of the dev account."""
    return make_finding(
        scan_id=scan_id,
        scanner="s3",
        account_id=account_id,
        region="eu-west-1",
        resource_type="AWS::S3::Bucket",
        resource_id=f"bucket-{index}",
        resource_arn=f"arn:aws:s3:::bucket-{index}",
        check_id="s3.versioning",
        status=status,  # type: ignore[arg-type]
        severity="MEDIUM",
        message="Versioning is off",
        evidence={"status": None},
        controls=["SecurityHub:S3.14"],
        observed_at=observed,
    )


def forget_cached_settings() -> None:
    """Drop what handlers cache per process from the environment they first saw."""
    reports_client.cache_clear()
    reset_clients()
    config.estate_accounts.cache_clear()


def fixed_credentials() -> dict[str, str]:
    """Fake credentials for moto."""
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def session_in(world: CoreWorld) -> boto3.Session:
    """A boto3 session in the world's account."""
    creds = world.emulator.credentials(world.account_id)
    return boto3.Session(
        aws_access_key_id=creds["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=creds["AWS_SESSION_TOKEN"],
        region_name=world.region,
    )


@contextmanager
def materialised_core(run: StackRun) -> Iterator[CoreWorld]:
    """``run`` (a recorded core stack) created in the running moto, its handlers run in
    process, a queue capturing its alerts, Security Hub on."""
    emulator = Emulator()
    invokes: list[InvokeRecord] = []
    restore = install_invoke_hook(emulator.credentials, invokes)
    try:
        emulator.materialise([run])
        region = str(run.provider_input(run.of_type("aws:dynamodb/table:Table")[0], "region"))
        world = CoreWorld(emulator, run, invokes, region)
        world.capture_alerts()
        world.client("securityhub").enable_security_hub()
        yield world
    finally:
        restore()
