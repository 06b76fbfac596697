"""scanner-fleet for every account, recorded after core (tests.support.fleet_runs)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from estate.accounts import Estate
from estate.emulator import InvocationLog, install_invoke_hook
from estate.plan.runner import StackRun
from tests.support.fleet_runs import fleet_stack


@pytest.fixture(scope="session")
def fleet_run(estate: Estate) -> Callable[[str], StackRun]:
    """``fleet_run(account)``: the recorded scanner-fleet stack of ``account``."""

    def run(account: str) -> StackRun:
        return fleet_stack(estate, account)

    return run


@pytest.fixture
def invocations() -> Iterator[InvocationLog]:
    """moto's functions run their handlers in this process (the emulator's hook), with the
    process's own (moto) credentials; every invocation is logged."""
    log = InvocationLog()
    restore = install_invoke_hook(lambda _account: {}, log)
    try:
        yield log
    finally:
        restore()
