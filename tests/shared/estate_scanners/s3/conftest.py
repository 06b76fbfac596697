"""Fixtures for the S3 analyzer tests (the world they shape lives in ``s3_world``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.s3_world import S3World


@pytest.fixture
def world(mocked_aws: None) -> S3World:
    """A fresh moto account with a recorded scanning session."""
    return S3World()


@pytest.fixture
def statement() -> Callable[..., dict[str, Any]]:
    """``statement(bucket, Principal=..., Action=..., ...)``: an Allow statement on the bucket
    and its objects; keyword arguments replace or add elements."""

    def build(bucket: str, **elements: Any) -> dict[str, Any]:
        base: dict[str, Any] = {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        }
        return base | elements

    return build
