"""Pulumi under mocks for estate.iam tests (a uniquely named module: test folders share imports)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi


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
        # A silent {} from a mock would hide a missing one; estate.iam invokes nothing.
        raise NotImplementedError(f"estate.iam must not invoke {args.token}")


Resolve = Callable[[Callable[[], pulumi.Output[Any]]], Any]
