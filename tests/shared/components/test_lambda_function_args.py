"""LambdaFunctionArgs refuses, by name, every argument Lambda or the platform would not take."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from estate.components import LambdaFunctionArgs, LambdaFunctionError
from estate.iam import Statement
from estate.packaging import code_archive

CODE = code_archive(["estate_core", "estate_runtime"])
GRANT = Statement(
    sid="ReadTable",
    actions=("dynamodb:GetItem",),
    resources=("arn:aws:dynamodb:eu-west-1:111111111111:table/estate-dev-core-t",),
)


def _args(**changes: Any) -> LambdaFunctionArgs:
    base = LambdaFunctionArgs(
        function_name="estate-dev-core-api-12345678",
        role_name="estate-dev-core-api-12345678",
        log_group_name="estate-dev-core-api-12345678",
        description="test",
        handler="estate_core.api_handler.handler",
        code=CODE,
        memory_mb=256,
        timeout_seconds=10,
        log_retention_days=14,
        account_id="111111111111",
        statements=[GRANT],
    )
    return replace(base, **changes)


def test_valid_arguments_build() -> None:
    assert _args().handler == "estate_core.api_handler.handler"


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"handler": "handler"}, "handler"),
        ({"handler": "estate_core.missing_module.handler"}, "not in the code archive"),
        ({"memory_mb": 64}, "memory_mb"),
        ({"memory_mb": 20000}, "memory_mb"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"timeout_seconds": 901}, "timeout_seconds"),
        ({"log_retention_days": 10}, "log_retention_days"),
        ({"environment": {"AWS_REGION": "x"}}, "AWS_REGION"),
        ({"environment": {"1BAD": "x"}}, "1BAD"),
        ({"statements": []}, "statements is empty"),
        ({"statements": [replace(GRANT, sid="ServiceSneaks")]}, "service_statements"),
        ({"service_statements": [GRANT]}, "must start with 'Service'"),
        ({"provisioned_concurrency": 2}, "live_alias"),
        ({"provisioned_concurrency": -1}, "negative"),
        ({"reserved_concurrency": -1}, "reserved_concurrency"),
        ({"function_name": "has space"}, "lambda-function"),
        ({"log_group_name": "/aws/lambda/x"}, "log_group_name"),
    ],
)
def test_bad_arguments_are_refused_by_name(changes: dict[str, Any], named: str) -> None:
    with pytest.raises(LambdaFunctionError, match=named.replace("(", r"\(")):
        _args(**changes)
