"""The emulator's moving parts: moto's invoke hook, the registry, value translation."""

from __future__ import annotations

import inspect
import io
import json
import time
import zipfile
from collections.abc import Callable, Iterator

import boto3
import pytest
from moto.awslambda import models as lambda_models

from estate.emulator import (
    Emulator,
    InvocationLog,
    LambdaContext,
    install_invoke_hook,
    materialiser,
    running_function,
)
from estate.emulator.invoke import HOOKED_METHOD, resolve_handler
from estate.emulator.registry import registry
from estate.plan.checks import is_cloud_resource
from estate.plan.runner import StackRun


def test_moto_still_runs_every_invocation_through_the_hooked_method() -> None:
    # If moto moves this private method, the emulator silently stops running handlers.
    method = getattr(lambda_models.LambdaFunction, HOOKED_METHOD)
    assert list(inspect.signature(method).parameters) == ["self", "event"]
    assert f"self.{HOOKED_METHOD}(" in inspect.getsource(lambda_models.LambdaFunction.invoke)


def test_the_hook_is_installed_and_restored() -> None:
    original = getattr(lambda_models.LambdaFunction, HOOKED_METHOD)
    restore = install_invoke_hook(lambda _account: {})
    assert getattr(lambda_models.LambdaFunction, HOOKED_METHOD) is not original
    restore()
    assert getattr(lambda_models.LambdaFunction, HOOKED_METHOD) is original


def test_a_handler_whose_module_is_not_in_the_code_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("other/module.py", "")
    with pytest.raises(LookupError, match=r"estate_core/api_handler\.py"):
        resolve_handler("estate_core.api_handler.handler", buffer.getvalue())


def test_every_type_core_creates_has_a_materialiser(
    run_program: Callable[[str, str], StackRun],
) -> None:
    created = {
        r.type
        for account in ("dev", "prod")
        for r in run_program("core", account).resources
        if is_cloud_resource(r)
    }
    assert created - set(registry()) == set()


def test_a_type_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="already has a materialiser"):
        materialiser("aws:sqs/queue:Queue")(lambda _world, _resource: {})


def test_mock_values_become_real_ones_names_stay() -> None:
    emulator = Emulator()
    emulator._learn(  # the translation table is the unit under test
        "aws:kms/key:Key",
        {"id": "fake-id", "arn": "arn:aws:kms:eu-west-1:111111111111:key/fake"},
        {"id": "real-id", "arn": "arn:aws:kms:eu-west-1:111111111111:key/real"},
    )
    emulator._learn("aws:sqs/queue:Queue", {"id": "queue-name"}, {"id": "https://sqs/queue-name"})
    document = '{"Resource":"arn:aws:kms:eu-west-1:111111111111:key/fake"}'
    assert emulator.translate({"k": ["fake-id", document, "queue-name"]}) == {
        "k": ["real-id", '{"Resource":"arn:aws:kms:eu-west-1:111111111111:key/real"}', "queue-name"]
    }


PROBE = "tests.support.probe_handler.handler"


def _probe_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tests/support/probe_handler.py", "")  # the hook checks it is there
    return buffer.getvalue()


@pytest.fixture
def probe(
    mocked_aws: None,
) -> Iterator[tuple[Callable[[dict[str, object]], dict[str, object]], InvocationLog]]:
    """A moto function running tests.support.probe_handler in process; invoke it by event."""
    log = InvocationLog()
    restore = install_invoke_hook(lambda _account: {}, log)
    lam = boto3.client("lambda", region_name="us-east-1")
    role = boto3.client("iam").create_role(RoleName="probe", AssumeRolePolicyDocument="{}")
    lam.create_function(
        FunctionName="probe",
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler=PROBE,
        Code={"ZipFile": _probe_zip()},
        Timeout=30,
        Environment={"Variables": {"GREETING": "hello"}},
    )

    def invoke(event: dict[str, object]) -> dict[str, object]:
        response = lam.invoke(FunctionName="probe", Payload=json.dumps(event))
        answer: dict[str, object] = json.loads(response["Payload"].read())
        return answer

    try:
        yield invoke, log
    finally:
        restore()


def test_a_handler_runs_in_process_with_its_environment_and_is_logged(
    probe: tuple[Callable[[dict[str, object]], dict[str, object]], InvocationLog],
) -> None:
    invoke, log = probe
    answer = invoke({"n": 1})
    assert answer["event"] == {"n": 1}
    assert answer["running"] == "probe"
    assert answer["greeting"] == "hello"
    assert 0 < int(str(answer["remaining_ms"])) <= 30_000
    failed = invoke({"fail": True})
    assert failed["errorType"] == "RuntimeError"
    assert [(r.event, r.errored) for r in log] == [({"n": 1}, False), ({"fail": True}, True)]
    assert log.events("probe") == [{"n": 1}, {"fail": True}]
    assert log.events("other") == []
    assert running_function() is None  # only while a handler runs


def test_the_contexts_time_left_runs_down_from_the_timeout() -> None:
    now = time.monotonic()
    context = LambdaContext("f", "arn:aws:lambda:us-east-1:1:function:f", 128, 10_000, started=now)
    assert context.get_remaining_time_in_millis() <= 10_000
    late = LambdaContext("f", "arn", 128, 10_000, started=now - 4.0)
    assert late.get_remaining_time_in_millis() <= 6_000
    over = LambdaContext("f", "arn", 128, 10_000, started=now - 60.0)
    assert over.get_remaining_time_in_millis() == 0
