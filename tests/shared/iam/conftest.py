"""Fixtures for estate.iam: Pulumi under mocks, and a way to read an Output's value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest


class RecordingMocks(pulumi.runtime.Mocks):
    """Answers S3 buckets with an ARN derived from their name, and remembers what was created."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.created.append(f"{args.typ}::{args.name}")
        if args.typ != "aws:s3/bucket:Bucket":
            raise NotImplementedError(f"these tests create buckets only, not {args.typ}")
        return f"{args.name}-id", {**args.inputs, "arn": f"arn:aws:s3:::{args.name}"}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        # A silent {} would hide a missing mock (FACTS.md); estate.iam invokes nothing.
        raise NotImplementedError(f"estate.iam must not invoke {args.token}")


@pytest.fixture
def mocks() -> RecordingMocks:
    """Pulumi runtime under fresh mocks, as `pulumi up` would run (not a preview)."""
    recording = RecordingMocks()
    pulumi.runtime.set_mocks(recording, preview=False)
    return recording


Resolve = Callable[[Callable[[], pulumi.Output[Any]]], Any]


@pytest.fixture
def resolve(mocks: RecordingMocks) -> Resolve:
    """Runs a program that returns an Output, under the mocks, and gives back its value.

    The Output is built inside the run (a factory, not a value), as Pulumi's own
    `pulumi.runtime.test` expects; an exception raised in an apply is re-raised here.
    """

    def run(program: Callable[[], pulumi.Output[Any]]) -> Any:
        values: list[Any] = []

        @pulumi.runtime.test  # type: ignore[misc]
        def in_pulumi() -> pulumi.Output[None]:
            return program().apply(values.append)

        in_pulumi()
        [value] = values
        return value

    return run
