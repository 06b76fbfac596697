"""Fixtures for estate.iam: Pulumi under mocks, and a way to read an Output's value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from tests.support.iam_pulumi import RecordingMocks, Resolve


@pytest.fixture
def mocks() -> RecordingMocks:
    """Pulumi runtime under fresh mocks, as `pulumi up` would run (not a preview)."""
    recording = RecordingMocks()
    pulumi.runtime.set_mocks(recording, preview=False)
    return recording


@pytest.fixture
def resolve(mocks: RecordingMocks) -> Resolve:
    """Runs a program that returns an Output, under the mocks, and gives back its value.

    The Output is built inside the run (a factory, not a value), as Pulumi's own
    `pulumi.runtime.test` expects; an exception raised in an apply is re-raised here.
    """

    def run(program: Callable[[], pulumi.Output[Any]]) -> Any:
        values: list[Any] = []

        @pulumi.runtime.test  # type: ignore[untyped-decorator]
        def in_pulumi() -> pulumi.Output[None]:
            return program().apply(values.append)

        in_pulumi()
        [value] = values
        return value

    return run
