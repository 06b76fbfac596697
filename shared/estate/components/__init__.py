"""Building blocks several projects share (core's LambdaFunction, reused by the fleet and
observability; what makes a bucket private, for core's and observability's buckets)."""

from estate.components.lambda_function import (
    LIVE_ALIAS,
    SERVICE_SID_PREFIX,
    LambdaFunction,
    LambdaFunctionArgs,
    LambdaFunctionError,
    powertools_layer_arn,
)
from estate.components.private_bucket import block_public_access

__all__ = [
    "LIVE_ALIAS",
    "SERVICE_SID_PREFIX",
    "LambdaFunction",
    "LambdaFunctionArgs",
    "LambdaFunctionError",
    "block_public_access",
    "powertools_layer_arn",
]
