"""Run Lambda handlers in process when moto invokes a function.

moto 5 ends every invocation path in ``moto.awslambda.models.LambdaFunction._invoke_lambda
(self, event) -> (payload, errored, logs)`` and runs the code in Docker there. The hook
replaces that one private method: it checks that the handler's module is in the function's
zip (the code the function was created with), imports it, and calls it with the function's
environment and credentials of the function's account. A test fails if the method moves.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import traceback
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from moto.awslambda import models as lambda_models

HOOKED_CLASS = lambda_models.LambdaFunction
HOOKED_METHOD = "_invoke_lambda"
_original: Callable[..., Any] | None = None
Credentials = Callable[[str], Mapping[str, str]]  # account id -> AWS_* environment


@dataclass(frozen=True)
class InvokeRecord:
    """One in-process invocation: which function, with what event, and how it ended."""

    function_name: str
    account_id: str
    event: Any
    result: Any
    errored: bool


@dataclass
class FakeContext:
    """The parts of Lambda's context handlers use."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_ms: int
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        """The whole timeout: the emulator does not hurry a handler."""
        return self.timeout_ms


@contextmanager
def function_environment(values: Mapping[str, str]) -> Iterator[None]:
    """The function's environment variables set around one in-process call, then restored."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


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


def install_invoke_hook(
    credentials: Credentials, records: list[InvokeRecord] | None = None
) -> Callable[[], None]:
    """Replace moto's invoke with in-process calls; return the function that restores it."""
    global _original  # noqa: PLW0603 - one process-wide hook, restored by the returned callable
    original = getattr(HOOKED_CLASS, HOOKED_METHOD)
    if _original is None:
        _original = original

    def invoke(self: Any, event: str | None = None) -> tuple[str, bool, str]:
        payload = json.loads(event) if isinstance(event, str | bytes) and event else event or {}
        environment = {
            **{k: str(v) for k, v in (self.environment_vars or {}).items()},
            **credentials(self.account_id),
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_LAMBDA_FUNCTION_NAME": self.function_name,
        }
        context = FakeContext(
            function_name=self.function_name,
            invoked_function_arn=self.function_arn,
            memory_limit_in_mb=int(self.memory_size),
            timeout_ms=int(self.timeout) * 1000,
        )
        errored = False
        try:
            with function_environment(environment):
                result = resolve_handler(self.handler, self.code_bytes)(payload, context)
            body = json.dumps(result, default=str)
        except Exception as error:  # noqa: BLE001 - reported as Lambda reports a function error
            errored = True
            result = {"errorType": type(error).__name__, "errorMessage": str(error)}
            body = json.dumps({**result, "stackTrace": traceback.format_exc().splitlines()})
        if records is not None:
            records.append(
                InvokeRecord(self.function_name, self.account_id, payload, result, errored)
            )
        return body, errored, ""

    setattr(HOOKED_CLASS, HOOKED_METHOD, invoke)

    def restore() -> None:
        setattr(HOOKED_CLASS, HOOKED_METHOD, original)

    return restore
