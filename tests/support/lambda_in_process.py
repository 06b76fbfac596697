"""moto's Lambda runs its functions in process: every invoke path ends in one private method.

moto runs Lambda code in Docker, which this machine cannot start. Every path that runs a
function (Invoke, event source mappings, notifications, Step Functions tasks) ends in
``moto.awslambda.models.LambdaFunction._invoke_lambda(self, event)``; replacing it with a
call of the function's handler, imported by its ``Handler`` setting from the repository's
own packages, makes the declared wiring run offline. The function's environment is set
around the call; calls are serialised (an RLock: an invoke nested in an invoke — an S3 put
whose notification runs another function — runs in the same thread) because the
environment is process-wide.
"""

from __future__ import annotations

import importlib
import json
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import pytest
from moto.awslambda.models import LambdaFunction

from estate.emulator.invoke import function_environment

_LOCK = threading.RLock()


@dataclass
class InvocationLog:
    """Every invocation the patch ran: function name, event, and whether it raised."""

    calls: list[tuple[str, Any, bool]] = field(default_factory=list)

    def of(self, function_name: str) -> list[Any]:
        """The events one function was invoked with, in order."""
        return [event for name, event, _ in self.calls if name == function_name]


@dataclass
class _Context:
    """Lambda's context as the handlers use it: time left from the function's timeout."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_s: int
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return int(self.timeout_s * 1000 - (time.monotonic() - self.started) * 1000)


def run_handler(function: LambdaFunction, event: Any, log: InvocationLog) -> tuple[str, bool, str]:
    """Run ``function``'s handler on ``event`` in this process, as moto's method would."""
    module_name, _, attribute = str(function.handler).rpartition(".")
    payload = json.loads(event) if isinstance(event, str | bytes) else event
    context = _Context(
        function_name=function.function_name,
        invoked_function_arn=function.function_arn,
        memory_limit_in_mb=int(function.memory_size),
        timeout_s=int(function.timeout),
    )
    environment = {str(k): str(v) for k, v in function.environment_vars.items()}
    environment["AWS_REGION"] = function.region
    with _LOCK, function_environment(environment):
        handler = getattr(importlib.import_module(module_name), attribute)
        try:
            result = handler(payload, context)
        except Exception as error:  # noqa: BLE001 - a function error is an answer, as in Lambda
            log.calls.append((function.function_name, payload, True))
            answer = {"errorType": type(error).__name__, "errorMessage": str(error)}
            return json.dumps(answer), True, traceback.format_exc()
    log.calls.append((function.function_name, payload, False))
    return json.dumps(result), False, ""


@pytest.fixture
def lambdas_in_process(monkeypatch: pytest.MonkeyPatch) -> InvocationLog:
    """Patch moto so every function invocation runs its handler in this process."""
    log = InvocationLog()

    def invoke(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
        return run_handler(self, event, log)

    monkeypatch.setattr(LambdaFunction, "_invoke_lambda", invoke)
    return log
