"""The findings API's queries: validated parameters, index key conditions, sealed page tokens.

Every query is a DynamoDB Query on an index (never a Scan). ``severity`` means "this and
worse" and is a key condition on ``rank_key``; the other filters are filter expressions.
A page token is the query's cursor sealed with KMS under an encryption context that is
a digest of the query itself: it is opaque, cannot be forged, and a token from one query
fails to open for any other (KMS refuses the context), which the API answers with 400.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from botocore.exceptions import ClientError

from estate_core import layout
from estate_core.store import from_dynamodb
from estate_runtime.findings import SEVERITIES, STATUSES

DEFAULT_LIMIT: Final = 100
MAX_LIMIT: Final = 1000
TOKEN_CONTEXT_KEY: Final = "estate-findings-query"  # noqa: S105 - a KMS context key
_ACCOUNT = re.compile(r"[0-9]{12}")
_CHECK_ID = re.compile(r"[a-z0-9]+\.[a-z0-9_]+")
_FINDING_ID = re.compile(r"[0-9a-f]{32}")
FINDINGS_PARAMETERS: Final = frozenset(
    {"account", "status", "state", "severity", "check_id", "resource", "limit", "next"}
)
# Attributes kept internal: the API shows findings, not the table's keys.
_HIDDEN: Final = frozenset({layout.RANK_KEY})


class ApiError(Exception):
    """A request the API refuses: HTTP status, the parameter at fault, and why."""

    def __init__(self, status: int, parameter: str | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.parameter = parameter
        self.message = message

    def body(self) -> dict[str, Any]:
        """The JSON error body."""
        return {"error": self.message, "parameter": self.parameter}


def bad(parameter: str, message: str) -> ApiError:
    """A 400 naming ``parameter``."""
    return ApiError(400, parameter, f"{parameter}: {message}")


@dataclass(frozen=True)
class FindingsQuery:
    """A validated GET /findings."""

    account: str | None
    status: str | None
    state: str | None
    severity: str | None
    check_id: str | None
    resource: str | None
    limit: int
    token: str | None

    def digest(self) -> str:
        """What identifies the query (everything but the page token and the limit)."""
        fields = {
            "account": self.account,
            "status": self.status,
            "state": self.state,
            "severity": self.severity,
            "check_id": self.check_id,
            "resource": self.resource,
        }
        canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def partitions(self) -> list[tuple[str, str, str]]:
        """(index, partition attribute, value) to query, in order."""
        if self.account is not None:
            return [(layout.INDEX_BY_ACCOUNT, layout.ACCOUNT, self.account)]
        states = [self.state] if self.state is not None else list(layout.STATES)
        return [(layout.INDEX_BY_STATE, layout.STATE, state) for state in states]


def _choice(params: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    value = params.get(name)
    if value is not None and value not in allowed:
        raise bad(name, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _pattern(
    params: Mapping[str, str], name: str, pattern: re.Pattern[str], shape: str
) -> str | None:
    value = params.get(name)
    if value is not None and not pattern.fullmatch(value):
        raise bad(name, f"{value!r} is not {shape}")
    return value


def parse_findings_query(params: Mapping[str, str]) -> FindingsQuery:
    """Validate GET /findings parameters; every problem is a 400 naming the parameter."""
    unknown = sorted(set(params) - FINDINGS_PARAMETERS)
    if unknown:
        raise bad(unknown[0], f"unknown parameter; use {', '.join(sorted(FINDINGS_PARAMETERS))}")
    raw_limit = params.get("limit", str(DEFAULT_LIMIT))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise bad("limit", f"{raw_limit!r} is not a whole number from 1 to {MAX_LIMIT}")
    resource = params.get("resource")
    if resource is not None and not 1 <= len(resource) <= 2048:
        raise bad("resource", "give a resource id or ARN of 1 to 2048 characters")
    return FindingsQuery(
        account=_pattern(params, "account", _ACCOUNT, "a 12-digit account id"),
        status=_choice(params, "status", STATUSES),
        state=_choice(params, "state", layout.STATES),
        severity=_choice(params, "severity", SEVERITIES),
        check_id=_pattern(params, "check_id", _CHECK_ID, "a check id like s3.versioning"),
        resource=resource,
        limit=int(raw_limit),
        token=params.get("next"),
    )


class TokenSealer:
    """Seals and opens page cursors with a KMS key, bound to the query's digest."""

    def __init__(self, kms: Any, key_arn: str) -> None:
        self._kms = kms
        self._key = key_arn

    def seal(self, cursor: Mapping[str, Any], digest: str) -> str:
        """An opaque token for ``cursor`` that opens only for the query ``digest``."""
        response = self._kms.encrypt(
            KeyId=self._key,
            Plaintext=json.dumps(cursor, separators=(",", ":")).encode(),
            EncryptionContext={TOKEN_CONTEXT_KEY: digest},
        )
        return base64.urlsafe_b64encode(response["CiphertextBlob"]).decode().rstrip("=")

    def open(self, token: str, digest: str) -> dict[str, Any]:
        """The cursor of ``token``; a 400 when it is not a token of this query."""
        refused = bad("next", "is not a page token of this query; start again without it")
        try:
            blob = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise refused from None
        if not blob:
            raise refused
        try:
            response = self._kms.decrypt(
                KeyId=self._key,
                CiphertextBlob=blob,
                EncryptionContext={TOKEN_CONTEXT_KEY: digest},
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in {
                "InvalidCiphertextException",
                "IncorrectKeyException",
                "ValidationException",
            }:
                raise refused from None
            raise
        cursor = json.loads(response["Plaintext"])
        if not isinstance(cursor, dict) or not isinstance(cursor.get("partition"), int):
            raise refused
        return cursor


def public_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """A table item as the API shows it: evidence decoded, internal keys dropped."""
    shown = {name: value for name, value in item.items() if name not in _HIDDEN}
    if isinstance(shown.get("evidence"), str):
        shown["evidence"] = json.loads(shown["evidence"])
    return shown


class FindingsReader:
    """Queries the findings table's indexes."""

    def __init__(self, dynamodb: Any, table: str, sealer: TokenSealer) -> None:
        self._db = dynamodb
        self._table = table
        self._sealer = sealer

    def find(self, query: FindingsQuery) -> dict[str, Any]:
        """One page of findings, worst first, and the token of the next page."""
        digest = query.digest()
        partition, start_key = 0, None
        if query.token is not None:
            cursor = self._sealer.open(query.token, digest)
            partition, start_key = cursor["partition"], cursor.get("key")
        partitions = query.partitions()
        if not 0 <= partition < len(partitions):
            raise bad("next", "is not a page token of this query; start again without it")
        items: list[dict[str, Any]] = []
        while partition < len(partitions):
            request = self._request(query, partitions[partition], query.limit - len(items))
            if start_key:
                request["ExclusiveStartKey"] = start_key
            response = self._db.query(**request)
            items.extend(public_item(from_dynamodb(raw)) for raw in response.get("Items", []))
            start_key = response.get("LastEvaluatedKey")
            if start_key is None:
                partition += 1
            if len(items) >= query.limit:
                break
        token = None
        if partition < len(partitions):
            token = self._sealer.seal({"partition": partition, "key": start_key}, digest)
        return {"items": items, "count": len(items), "next": token}

    def _request(
        self, query: FindingsQuery, partition: tuple[str, str, str], limit: int
    ) -> dict[str, Any]:
        index, attribute, value = partition
        names = {"#p": attribute}
        values: dict[str, Any] = {":p": {"S": value}}
        condition = "#p = :p"
        if query.severity is not None:
            names["#r"] = layout.RANK_KEY
            values[":r"] = {"S": layout.rank_bound(query.severity)}
            condition += " AND #r < :r"
        filters: list[str] = []
        for number, (name, wanted) in enumerate(
            (
                ("status", query.status),
                (layout.STATE, query.state if query.account is not None else None),
                ("check_id", query.check_id),
            )
        ):
            if wanted is not None:
                names[f"#f{number}"] = name
                values[f":f{number}"] = {"S": wanted}
                filters.append(f"#f{number} = :f{number}")
        if query.resource is not None:
            names["#rid"], names["#rarn"] = "resource_id", "resource_arn"
            values[":res"] = {"S": query.resource}
            filters.append("(#rid = :res OR #rarn = :res)")
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "Limit": limit,
        }
        if filters:
            request["FilterExpression"] = " AND ".join(filters)
        return request

    def get(self, finding_id: str) -> dict[str, Any]:
        """One finding by id; 400 for a malformed id, 404 for an unknown one."""
        if not _FINDING_ID.fullmatch(finding_id):
            raise bad("id", f"{finding_id!r} is not a finding id (32 hex characters)")
        response = self._db.get_item(TableName=self._table, Key={layout.KEY: {"S": finding_id}})
        if "Item" not in response:
            raise ApiError(404, "id", f"id: no finding {finding_id}")
        return public_item(from_dynamodb(response["Item"]))

    def summary(self, params: Mapping[str, str]) -> dict[str, Any]:
        """Counts by state and severity of one account's findings."""
        unknown = sorted(set(params) - {"account"})
        if unknown:
            raise bad(unknown[0], "unknown parameter; /summary takes account only")
        account = params.get("account")
        if account is None:
            raise bad("account", "required: give the 12-digit account id")
        if not _ACCOUNT.fullmatch(account):
            raise bad("account", f"{account!r} is not a 12-digit account id")
        counts: dict[str, dict[str, int]] = {}
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": layout.INDEX_BY_ACCOUNT,
            "KeyConditionExpression": "#p = :p",
            "ProjectionExpression": "#s, severity",
            "ExpressionAttributeNames": {"#p": layout.ACCOUNT, "#s": layout.STATE},
            "ExpressionAttributeValues": {":p": {"S": account}},
        }
        total = 0
        while True:
            response = self._db.query(**request)
            for raw in response.get("Items", []):
                item = from_dynamodb(raw)
                by_severity = counts.setdefault(str(item[layout.STATE]), {})
                severity = str(item["severity"])
                by_severity[severity] = by_severity.get(severity, 0) + 1
                total += 1
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return {"account": account, "total": total, "by_state": counts}
