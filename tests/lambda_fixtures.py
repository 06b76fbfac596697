"""Fixtures for every test that runs Lambda code: fake AWS, a fake Lambda context, faults.

- ``aws_credentials``, ``mocked_aws``, ``moto_endpoint``: fake AWS, from tests/conftest.py.
- ``lambda_context``: a factory of fake Lambda contexts whose remaining time can count down.
- ``no_retry_sleep``: botocore retries without waiting; records the delays it skipped.
- ``inject_faults``: make the first N calls of one operation fail with a crafted HTTP error
  response (throttling, 5xx, access denied) that goes through botocore's real parsing and
  retries — unlike ``Stubber``, which skips retries.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.retries.bucket
import botocore.retries.standard
import pytest
from botocore.awsrequest import AWSResponse
from urllib3.response import HTTPResponse

from estate_runtime.settings import confirm_reports_bucket, reports_client

FAKE_ACCOUNT_ID = "123456789012"  # moto's default account


@dataclass
class FakeLambdaContext:
    """The parts of Lambda's context our handlers use; time left falls by
    ``ms_per_check`` each time it is asked, so deadlines are reached without sleeping."""

    remaining_ms: int = 900_000
    ms_per_check: int = 0
    function_name: str = "estate-test-function"
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"
    invoked_function_arn: str = (
        f"arn:aws:lambda:us-east-1:{FAKE_ACCOUNT_ID}:function:estate-test-function"
    )
    memory_limit_in_mb: int = 512
    checks: int = 0

    def get_remaining_time_in_millis(self) -> int:
        """Time left, then count down."""
        self.checks += 1
        remaining = max(self.remaining_ms, 0)
        self.remaining_ms -= self.ms_per_check
        return remaining


@pytest.fixture
def lambda_context() -> Callable[..., FakeLambdaContext]:
    """``lambda_context(remaining_ms=..., ms_per_check=...)`` builds a fake context."""
    return FakeLambdaContext


@pytest.fixture
def no_retry_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries happen at once: backoff delays are recorded, then replaced by 0, and adaptive
    mode's client-side rate limiter never blocks."""
    skipped: list[float] = []
    original = botocore.retries.standard.ExponentialBackoff.delay_amount

    def no_delay(self: Any, context: Any) -> float:
        skipped.append(original(self, context))
        return 0.0

    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount", no_delay)
    monkeypatch.setattr(botocore.retries.bucket.TokenBucket, "acquire", lambda *_, **__: True)
    return skipped


@dataclass
class FaultInjector:
    """Counts the calls it saw and the faults it returned."""

    code: str
    times: int | None
    calls: int = 0
    injected: int = 0
    requests: list[str] = field(default_factory=list)

    def should_fail(self) -> bool:
        """Whether the current call gets the fault."""
        self.calls += 1
        if self.times is None or self.injected < self.times:
            self.injected += 1
            return True
        return False


def _error_response(protocol: str, code: str, message: str) -> tuple[dict[str, str], bytes]:
    if protocol == "ec2":
        body = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
            "</Error></Errors><RequestID>fault-injected</RequestID></Response>"
        )
        return {"Content-Type": "text/xml"}, body.encode()
    if protocol == "query":
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>fault-injected</RequestId>"
            "</ErrorResponse>"
        )
        return {"Content-Type": "text/xml"}, body.encode()
    if protocol == "rest-xml":
        body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        return {"Content-Type": "application/xml"}, body.encode()
    if protocol in {"json", "rest-json"}:
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-ErrorType": code}
        return headers, json.dumps({"__type": code, "message": message}).encode()
    raise NotImplementedError(f"no crafted error for protocol {protocol!r}")


def _inject(
    client: Any,
    operation: str,
    *,
    code: str,
    times: int | None = 1,
    status: int = 400,
    message: str = "injected by the test",
) -> FaultInjector:
    injector = FaultInjector(code=code, times=times)
    protocol = client.meta.service_model.protocol
    headers, body = _error_response(protocol, code, message)
    event_name = client.meta.service_model.service_id.hyphenize()

    def respond(request: Any, **_: Any) -> AWSResponse | None:
        injector.requests.append(request.url)
        if injector.should_fail():
            return AWSResponse(
                request.url,
                status,
                headers,
                HTTPResponse(body=io.BytesIO(body), preload_content=False),
            )
        return None

    client.meta.events.register(f"before-send.{event_name}.{operation}", respond)
    return injector


@pytest.fixture
def inject_faults(no_retry_sleep: list[float]) -> Callable[..., FaultInjector]:
    """``inject_faults(client, "DescribeInstances", code="RequestLimitExceeded", times=2,
    status=503)``: the first ``times`` calls (every call if None) get that error."""
    return _inject


def reports_bucket(monkeypatch: pytest.MonkeyPatch, name: str, reserve_ms: int) -> Iterator[Any]:
    """A reports bucket named by the handlers' environment (in moto), with the settings'
    cached clients reset before and after; a fixture yields from this."""

    monkeypatch.setenv("REPORTS_BUCKET", name)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("SCAN_RESERVE_MS", str(reserve_ms))
    reports_client.cache_clear()
    confirm_reports_bucket.cache_clear()
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=name)
    yield client
    reports_client.cache_clear()
    confirm_reports_bucket.cache_clear()
