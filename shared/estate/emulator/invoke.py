"""Run Lambda handlers in process when moto invokes a function.

moto 5 ends every invocation path (Invoke, SQS mappings, S3 notifications, Step Functions
tasks) in ``moto.awslambda.models.LambdaFunction._invoke_lambda(self, event) -> (payload,
errored, logs)`` and runs the code in Docker there. The hook replaces that one private
method: it checks that the handler's module is in the function's zip (the code the function
was created with), imports it, and calls it with the function's environment, credentials
of the function's account, and a context whose remaining time counts down from the
function's timeout. A test fails if the method moves.

The environment is process-wide, so invocations are serialised (an ``RLock``: moto's Step
Functions runs Map iterations on threads of its own, and an invoke nested in an invoke — a
put whose notification runs another function — runs in the same thread). Limit: a handler
whose *own* worker thread makes such a nested invoke would wait for itself; the
platform's handlers write parts from the handler's thread, except the tag checker past
1,000 findings of one region in one invocation, which the emulator's worlds never reach.

Every invocation is appended to an ``InvocationLog``, and ``running_function()`` names
the function whose handler is running (process-wide, the innermost: invocations are
serialised, and a handler's worker threads call AWS for it), so a recorder of AWS calls can
tell which function made each call; a call from a thread unrelated to the invocation
(a test polling Step Functions meanwhile) would be counted as the function's too.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import threading
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from moto.awslambda import models as lambda_models

HOOKED_CLASS = lambda_models.LambdaFunction
HOOKED_METHOD = "_invoke_lambda"
Credentials = Callable[[str], Mapping[str, str]]  # account id -> AWS_* environment
_LOCK = threading.RLock()
_RUNNING: list[str] = []  # the functions whose handlers are running, innermost last


@dataclass(frozen=True)
class InvokeRecord:
    """One in-process invocation: which function, with what event, and how it ended."""

    function_name: str
    account_id: str
    event: Any
    result: Any
    errored: bool


class InvocationLog(list[InvokeRecord]):
    """Every invocation the hook ran, in order."""

    def events(self, function_name: str) -> list[Any]:
        """The events ``function_name`` was invoked with, in order."""
        return [record.event for record in self if record.function_name == function_name]


@dataclass
class LambdaContext:
    """The parts of Lambda's context handlers use; the time left falls as the clock runs,
    from the function's timeout, as Lambda's does."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_ms: int
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        """The timeout less the time since the invocation started (never below 0)."""
        elapsed_ms = (time.monotonic() - self.started) * 1000
        return max(int(self.timeout_ms - elapsed_ms), 0)


@contextmanager
def function_environment(values: Mapping[str, str], unset: Sequence[str] = ()) -> Iterator[None]:
    """``values`` set (and ``unset`` removed) in the process environment around one
    in-process call or run, then everything restored as it was."""
    saved = {name: os.environ.get(name) for name in (*values, *unset)}
    for name in unset:
        os.environ.pop(name, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def running_function() -> str | None:
    """The function whose handler is running now (the innermost), else None."""
    return _RUNNING[-1] if _RUNNING else None


@contextmanager
def _running(function_name: str) -> Iterator[None]:
    _RUNNING.append(function_name)
    try:
        yield
    finally:
        _RUNNING.pop()


def resolve_handler(handler: str, code_zip: bytes) -> Callable[[Any, Any], Any]:
    """The handler function named ``module.function``, whose module the zip must hold."""
    module_name, _, function_name = handler.rpartition(".")
    module_file = module_name.replace(".", "/") + ".py"
    with zipfile.ZipFile(io.BytesIO(code_zip)) as archive:
        if module_file not in archive.namelist():
            raise LookupError(f"handler {handler}: {module_file} is not in the function's code")
    function: Callable[[Any, Any], Any] = getattr(
        importlib.import_module(module_name), function_name
    )
    return function


def _run(function: Any, payload: Any, credentials: Credentials) -> tuple[Any, bool, str]:
    """Call ``function``'s handler on ``payload``: (result or error, errored, logs)."""
    environment = {
        **{k: str(v) for k, v in (function.environment_vars or {}).items()},
        **credentials(function.account_id),
        "AWS_REGION": function.region,
        "AWS_DEFAULT_REGION": function.region,
        "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
    }
    context = LambdaContext(
        function_name=function.function_name,
        invoked_function_arn=function.function_arn,
        memory_limit_in_mb=int(function.memory_size),
        timeout_ms=int(function.timeout) * 1000,
    )
    try:
        with function_environment(environment), _running(function.function_name):
            handler = resolve_handler(function.handler, function.code_bytes)
            return handler(payload, context), False, ""
    except Exception as error:  # noqa: BLE001 - reported as Lambda reports a function error
        answer = {"errorType": type(error).__name__, "errorMessage": str(error)}
        return answer, True, traceback.format_exc()


def install_invoke_hook(
    credentials: Credentials, records: list[InvokeRecord] | None = None
) -> Callable[[], None]:
    """Replace moto's invoke with in-process calls; return the function that restores it.

    ``credentials`` gives the AWS_* environment of a function in an account (an empty
    mapping keeps the process's own); ``records`` (an ``InvocationLog``, or any list)
    receives every invocation.
    """
    original = getattr(HOOKED_CLASS, HOOKED_METHOD)

    def invoke(self: Any, event: str | None = None) -> tuple[str, bool, str]:
        payload = json.loads(event) if isinstance(event, str | bytes) and event else event or {}
        with _LOCK:
            result, errored, logs = _run(self, payload, credentials)
            if records is not None:
                records.append(
                    InvokeRecord(self.function_name, self.account_id, payload, result, errored)
                )
        if errored:
            body = json.dumps({**result, "stackTrace": logs.splitlines()})
            return body, True, logs
        return json.dumps(result, default=str), False, ""

    setattr(HOOKED_CLASS, HOOKED_METHOD, invoke)

    def restore() -> None:
        setattr(HOOKED_CLASS, HOOKED_METHOD, original)

    return restore
