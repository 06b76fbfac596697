"""The findings table as the ingest sees it: read a chunk of items, write their successors.

Each chunk of up to 100 findings is one consistent BatchGetItem of what the decision
needs (``lifecycle.DECISION_ATTRIBUTES``), then one PutItem of the whole new item per
change, conditional on the item being as read (its ``scan_started`` and ``last_seen``
unchanged, or the item absent). An ERROR on a known item reads that item whole first, to
keep what it knew. The puts run on a few threads: on AWS each is a network round trip. A
put that loses to a concurrent writer is read and decided again, so the lifecycle never
skips a step and an older scan never overwrites a newer one. A finding no newer than its
item is not written at all.

Why one conditional PutItem per change (docs/core.md has the measurements): PutItem costs
one write unit per item where TransactWriteItems costs two; a lost race retries one item,
not a hundred; and moto, which every test and the demo run on, snapshots the whole table
by deep copy on every TransactWriteItems (75 s per call at 1,000 items here), so a
transactional ingest could not be tested at any realistic size. UpdateItem is not used:
the item is rebuilt anyway, and moto parses an update expression at about 30 times the
cost of a put.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from estate_core import layout
from estate_core.config import account_info
from estate_core.lifecycle import (
    DECISION_ATTRIBUTES,
    SCAN_STARTED,
    ItemChange,
    apply_change,
    observe,
    order_of,
)

CHUNK: Final = 100  # BatchGetItem takes at most 100 keys
MAX_ATTEMPTS: Final = 5
PUT_THREADS: Final = 8
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class StoreConflict(RuntimeError):
    """Findings kept losing to concurrent writers; the message is redelivered later."""


def to_dynamodb(item: Mapping[str, Any]) -> dict[str, Any]:
    """A plain item in DynamoDB's attribute-value form."""
    return {name: _serializer.serialize(value) for name, value in item.items()}


def from_dynamodb(item: Mapping[str, Any]) -> dict[str, Any]:
    """A DynamoDB item as plain Python values (whole numbers as int)."""
    plain: dict[str, Any] = {}
    for name, value in item.items():
        decoded = _deserializer.deserialize(value)
        if isinstance(decoded, Decimal):
            decoded = int(decoded) if decoded == decoded.to_integral_value() else float(decoded)
        plain[name] = decoded
    return plain


@dataclass
class UpsertStats:
    """What one upsert did: items written, findings skipped as not newer, state changes."""

    written: int = 0
    skipped: int = 0
    transitions: dict[str, int] = field(default_factory=dict)

    def count(self, change: ItemChange) -> None:
        """Count one written item and its state change, if any."""
        self.written += 1
        if change.changed_state:
            self.transitions[change.state] = self.transitions.get(change.state, 0) + 1


class FindingsStore:
    """Conditional upserts into the findings table through one low-level client."""

    def __init__(self, client: Any, table_name: str, *, threads: int = PUT_THREADS) -> None:
        self._client = client
        self._table = table_name
        self._threads = threads

    def get_many(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The items of ``ids`` that exist (consistent reads; unprocessed keys retried)."""
        found: dict[str, dict[str, Any]] = {}
        pending: list[dict[str, Any]] = [{layout.KEY: {"S": item_id}} for item_id in ids]
        for _ in range(MAX_ATTEMPTS * 2):
            if not pending:
                return found
            response = self._client.batch_get_item(
                RequestItems={
                    self._table: {
                        "Keys": pending,
                        "ConsistentRead": True,
                        "ProjectionExpression": ", ".join(
                            f"#a{i}" for i in range(len(DECISION_ATTRIBUTES))
                        ),
                        "ExpressionAttributeNames": {
                            f"#a{i}": name for i, name in enumerate(DECISION_ATTRIBUTES)
                        },
                    }
                }
            )
            for raw in response.get("Responses", {}).get(self._table, []):
                item = from_dynamodb(raw)
                found[item[layout.KEY]] = item
            pending = response.get("UnprocessedKeys", {}).get(self._table, {}).get("Keys", [])
        raise StoreConflict(f"{len(pending)} key(s) stayed unprocessed by BatchGetItem")

    def upsert(
        self, findings: Iterable[Mapping[str, Any]], *, scan_started: str | None = None
    ) -> UpsertStats:
        """Apply validated findings of one scan started at ``scan_started`` (None: not
        declared); the newest observation of each item wins (``lifecycle.order_of``)."""
        latest: dict[str, Mapping[str, Any]] = {}
        for finding in findings:
            item_id = layout.finding_id(
                finding["account_id"], finding["resource_arn"], finding["check_id"]
            )
            kept = latest.get(item_id)
            if kept is None or order_of(finding, scan_started) > order_of(kept, scan_started):
                latest[item_id] = finding
        stats = UpsertStats()
        ids = sorted(latest)
        with ThreadPoolExecutor(self._threads, thread_name_prefix="put") as pool:
            for start in range(0, len(ids), CHUNK):
                chunk = {item_id: latest[item_id] for item_id in ids[start : start + CHUNK]}
                self._upsert_chunk(chunk, scan_started, stats, pool)
        return stats

    def _upsert_chunk(
        self,
        chunk: Mapping[str, Mapping[str, Any]],
        scan_started: str | None,
        stats: UpsertStats,
        pool: ThreadPoolExecutor,
    ) -> None:
        pending = dict(chunk)
        for _ in range(MAX_ATTEMPTS):
            current = self.get_many(list(pending))
            decided: dict[str, tuple[ItemChange, dict[str, Any] | None]] = {}
            for item_id, finding in pending.items():
                old = current.get(item_id)
                change = observe(
                    old, finding, account_info(finding["account_id"]), scan_started=scan_started
                )
                if change is None:
                    stats.skipped += 1
                else:
                    decided[item_id] = (change, old)
            outcomes = dict(zip(decided, pool.map(self._write, decided.values()), strict=True))
            for item_id, won in outcomes.items():
                if won:
                    stats.count(decided[item_id][0])
            pending = {item_id: chunk[item_id] for item_id, won in outcomes.items() if not won}
            if not pending:
                return
        raise StoreConflict(f"{len(pending)} finding(s) lost {MAX_ATTEMPTS} races")

    def _write(self, decided: tuple[ItemChange, dict[str, Any] | None]) -> bool:
        """Write one changed item if it is still as read; False when another writer won."""
        change, old = decided
        if change.needs_whole_item:
            response = self._client.get_item(
                TableName=self._table,
                Key={layout.KEY: {"S": change.item_id}},
                ConsistentRead=True,
            )
            old = from_dynamodb(response["Item"]) if "Item" in response else None
        try:
            self._client.put_item(
                TableName=self._table,
                Item=to_dynamodb(apply_change(old, change)),
                **write_condition(change),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True


def write_condition(change: ItemChange) -> dict[str, Any]:
    """The put's condition: the item is still as the decision read it (absent, or with the
    same scan start and last observation), so a concurrent newer write is never undone."""
    if change.previous_seen is None:
        return {
            "ConditionExpression": "attribute_not_exists(#id)",
            "ExpressionAttributeNames": {"#id": layout.KEY},
        }
    values = {":seen": {"S": change.previous_seen}}
    if change.previous_started is None:
        started = "attribute_not_exists(#started)"
    else:
        started = "#started = :started"
        values[":started"] = {"S": change.previous_started}
    return {
        "ConditionExpression": f"#seen = :seen AND {started}",
        "ExpressionAttributeNames": {"#seen": "last_seen", "#started": SCAN_STARTED},
        "ExpressionAttributeValues": values,
    }
