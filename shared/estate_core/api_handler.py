"""Lambda handler behind API Gateway (REST, IAM auth, proxy integration).

Routes: GET /findings, GET /findings/{id}, GET /summary. Bad input is a 400 naming the
parameter, an unknown id a 404; only our own faults are 500s.
"""

from __future__ import annotations

import json
from typing import Any, Final

from aws_lambda_powertools import Logger

from estate_core import config
from estate_core.api import ApiError, FindingsReader, TokenSealer, parse_findings_query
from estate_core.clients import client

# The resource paths API Gateway proxies here (the program declares the same).
ROUTES: Final = frozenset({"/findings", "/findings/{id}", "/summary"})
logger = Logger(service="estate-core-api")


def _response(status: int, body: Any) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body, sort_keys=True, default=str),
    }


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    """Answer one API Gateway proxy request."""
    try:
        return _response(200, route(event))
    except ApiError as error:
        return _response(error.status, error.body())
    except Exception:
        logger.exception("request failed")
        return _response(500, {"error": "internal error", "parameter": None})


def route(event: dict[str, Any]) -> dict[str, Any]:
    """Dispatch on the resource path."""
    if event.get("httpMethod", "GET") != "GET":
        raise ApiError(405, None, "only GET is served")
    resource = str(event.get("resource", ""))
    params = {str(k): str(v) for k, v in (event.get("queryStringParameters") or {}).items()}
    reader = FindingsReader(
        client("dynamodb"),
        config.require_env(config.FINDINGS_TABLE),
        TokenSealer(client("kms"), config.require_env(config.TOKEN_KEY_ARN)),
    )
    if resource == "/findings":
        return reader.find(parse_findings_query(params))
    if resource == "/findings/{id}":
        return reader.get(str((event.get("pathParameters") or {}).get("id", "")))
    if resource == "/summary":
        return reader.summary(params)
    raise ApiError(404, None, f"no route {resource!r}; routes: {', '.join(sorted(ROUTES))}")
