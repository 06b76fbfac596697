"""Building blocks several projects share (core's LambdaFunction, reused by the fleet and
observability)."""

from estate.components.lambda_function import (
    LIVE_ALIAS,
    SERVICE_SID_PREFIX,
    LambdaFunction,
    LambdaFunctionArgs,
    LambdaFunctionError,
    powertools_layer_arn,
)

__all__ = [
    "LIVE_ALIAS",
    "SERVICE_SID_PREFIX",
    "LambdaFunction",
    "LambdaFunctionArgs",
    "LambdaFunctionError",
    "powertools_layer_arn",
]
