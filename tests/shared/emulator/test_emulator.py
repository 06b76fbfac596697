"""The emulator's moving parts: moto's invoke hook, the registry, value translation."""

from __future__ import annotations

import inspect
import io
import zipfile
from collections.abc import Callable

import pytest
from moto.awslambda import models as lambda_models

from estate.emulator import Emulator, install_invoke_hook, materialiser
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
