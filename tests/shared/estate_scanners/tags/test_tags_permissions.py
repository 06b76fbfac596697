"""The tag checker's declared IAM actions are what its collector calls."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from estate_scanners.tags.collector import fetch_instance_page
from estate_scanners.tags.permissions import OPERATIONS, required_iam_actions


@pytest.mark.usefixtures("mocked_aws")
def test_the_collector_calls_exactly_the_declared_operations() -> None:
    client = boto3.client("ec2", region_name="eu-west-1")
    called: list[str] = []

    def record(model: Any, **_: Any) -> None:
        called.append(f"ec2:{model.name}")

    client.meta.events.register("before-call.ec2", record)
    fetch_instance_page(client, "eu-west-1", None)
    assert set(called) == {f"{service}:{operation}" for service, operation, _ in OPERATIONS}
    assert required_iam_actions() == frozenset({"ec2:DescribeInstances"})
