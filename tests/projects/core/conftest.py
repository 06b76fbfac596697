"""The dev account's core stack running in moto, from the recorded plan (one per test)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from moto import mock_aws

from estate.plan.runner import StackRun
from tests.support.core_world import CoreWorld, materialised_core


@pytest.fixture
def core_world(
    aws_credentials: None, run_program: Callable[[str, str], StackRun]
) -> Iterator[CoreWorld]:
    """Materialise core/dev into a fresh moto; handlers run in process."""
    with mock_aws(), materialised_core(run_program("core", "dev")) as world:
        yield world
