"""boto3 clients of the core handlers: built once per process, with explicit retries."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3

from estate_runtime.aws import client_config


@cache
def client(service: str) -> Any:
    """The ``service`` client of the function's own region (Lambda sets AWS_REGION)."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    return boto3.client(service, region_name=region, config=client_config(max_attempts=4))


def reset_clients() -> None:
    """Forget the cached clients (tests and the emulator switch regions and mocks)."""
    client.cache_clear()
