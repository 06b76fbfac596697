"""boto3 clients of the core handlers: built once per process and identity, retries explicit."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from estate_runtime.aws import client_config


def client(service: str, *, validate: bool = True) -> Any:
    """The ``service`` client of the function's own region (Lambda sets AWS_REGION).

    ``validate=False`` skips botocore's client-side check of each request against the API
    model, for a hot path whose requests are built by code from validated findings: it is
    about a fifth of ingest's client CPU per finding (bench/ingest_bench.py), and DynamoDB
    still refuses a malformed request itself.
    """
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    # Keyed by credentials too: on Lambda they never change within a process; an emulator
    # running several accounts' functions in one process switches them per invocation.
    return _client(service, region, os.environ.get("AWS_ACCESS_KEY_ID"), validate)


@cache
def _client(service: str, region: str | None, _access_key: str | None, validate: bool) -> Any:
    # A session of its own: boto3's default session keeps the credentials it first saw.
    session = boto3.session.Session(region_name=region)
    config = client_config(max_attempts=4).merge(Config(parameter_validation=validate))
    return session.client(service, config=config)


def reset_clients() -> None:
    """Forget the cached clients (tests switch mocks)."""
    _client.cache_clear()
