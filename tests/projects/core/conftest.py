"""The dev account's core stack running in moto, from the recorded plan (one per test)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from moto import mock_aws

from estate.emulator import Emulator, InvokeRecord, install_invoke_hook
from estate.plan.runner import StackRun
from tests.support.core_world import CoreWorld


@pytest.fixture
def core_world(
    aws_credentials: None, run_program: Callable[[str, str], StackRun]
) -> Iterator[CoreWorld]:
    """Materialise core/dev into a fresh moto; handlers run in process."""
    run = run_program("core", "dev")
    with mock_aws():
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
