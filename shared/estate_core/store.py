"""The findings table as the ingest sees it: read a chunk of items, write their successors.

Each part's findings are written under their account's ingest lease (``lease.py``): while
it is held nobody else writes that account's items, so what is read is what the write
replaces. For each chunk of up to 100 findings, one consistent BatchGetItem reads what the
decision needs (``lifecycle.DECISION_ATTRIBUTES``), the pure lifecycle decides, and the
changed items are written whole with BatchWriteItem, 25 per request, on a few threads (on
AWS each is a network round trip). An ERROR on a known item reads that item whole first,
to keep what it knew. A finding no newer than its item is not written at all.

Why a lease and batches rather than one conditional PutItem per item (docs/core.md has
the measurements): per 1,000 findings that is 52 requests instead of 1,010, at the
same write units; the lease costs two more per part. The ordering rule is unchanged — the
decision compares scan starts on a consistent read, and nothing can write in between.
TransactWriteItems is not used: it costs two write units per item, and moto, which every
test and the demo run on, deep-copies the whole table on each call.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from estate_core import layout
from estate_core.config import account_info
from estate_core.lease import AccountLeases, Lease, LeaseTerms, backoff_delays
from estate_core.lifecycle import (
    DECISION_ATTRIBUTES,
    ItemChange,
    apply_change,
    observe,
    order_of,
)

CHUNK: Final = 100  # BatchGetItem takes at most 100 keys
WRITE_BATCH: Final = 25  # BatchWriteItem takes at most 25 requests
MAX_ATTEMPTS: Final = 5
WRITE_THREADS: Final = 4
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class StoreThrottled(RuntimeError):
    """DynamoDB kept leaving keys or items unprocessed; the message is redelivered later."""


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
    """Lease-guarded batch upserts into the findings table through one low-level client."""

    def __init__(
        self,
        client: Any,
        table_name: str,
        *,
        terms: LeaseTerms | None = None,
        threads: int = WRITE_THREADS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._table = table_name
        self._threads = threads
        self._sleep = sleep
        self._leases = AccountLeases(client, table_name, terms or LeaseTerms(), sleep=sleep)

    def get_many(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The items of ``ids`` that exist (consistent reads; unprocessed keys retried)."""
        found: dict[str, dict[str, Any]] = {}
        pending: list[dict[str, Any]] = [{layout.KEY: {"S": item_id}} for item_id in ids]
        for attempt, backoff in zip(range(MAX_ATTEMPTS), backoff_delays(), strict=False):
            if attempt:
                self._sleep(backoff)
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
            if not pending:
                return found
        raise StoreThrottled(f"{len(pending)} key(s) stayed unprocessed by BatchGetItem")

    def upsert(
        self, findings: Iterable[Mapping[str, Any]], *, scan_started: str | None = None
    ) -> UpsertStats:
        """Apply validated findings of one scan started at ``scan_started`` (None: not
        declared); the newest observation of each item wins (``lifecycle.order_of``)."""
        latest: dict[str, dict[str, Mapping[str, Any]]] = defaultdict(dict)
        for finding in findings:
            account_id = finding["account_id"]
            item_id = layout.finding_id(account_id, finding["resource_arn"], finding["check_id"])
            kept = latest[account_id].get(item_id)
            if kept is None or order_of(finding, scan_started) > order_of(kept, scan_started):
                latest[account_id][item_id] = finding
        stats = UpsertStats()
        for account_id, of_account in sorted(latest.items()):
            # The pool inside the lease: no write of the account outlives its lease.
            with (
                self._leases.held(account_id) as lease,
                ThreadPoolExecutor(self._threads, thread_name_prefix="write") as pool,
            ):
                ids = sorted(of_account)
                for start in range(0, len(ids), CHUNK):
                    chunk = {item_id: of_account[item_id] for item_id in ids[start : start + CHUNK]}
                    self._upsert_chunk(chunk, scan_started, stats, pool, lease)
        return stats

    def _upsert_chunk(
        self,
        chunk: Mapping[str, Mapping[str, Any]],
        scan_started: str | None,
        stats: UpsertStats,
        pool: ThreadPoolExecutor,
        lease: Lease,
    ) -> None:
        lease.check()
        current = self.get_many(list(chunk))
        items: list[dict[str, Any]] = []
        for item_id, finding in chunk.items():
            old = current.get(item_id)
            change = observe(
                old, finding, account_info(finding["account_id"]), scan_started=scan_started
            )
            if change is None:
                stats.skipped += 1
                continue
            if change.needs_whole_item:
                old = self._whole_item(item_id)
            items.append(to_dynamodb(apply_change(old, change)))
            stats.count(change)
        batches = [items[i : i + WRITE_BATCH] for i in range(0, len(items), WRITE_BATCH)]
        lease.check()  # what was read is still what the writes replace
        writes = [pool.submit(self._write_batch, batch) for batch in batches]
        # Every write ends before this returns or raises, a failed one's siblings too: the
        # lease is given back only when nothing of the account is still being written.
        failures = [error for error in (write.exception() for write in writes) if error]
        if failures:
            raise failures[0]

    def _whole_item(self, item_id: str) -> dict[str, Any] | None:
        response = self._client.get_item(
            TableName=self._table, Key={layout.KEY: {"S": item_id}}, ConsistentRead=True
        )
        return from_dynamodb(response["Item"]) if "Item" in response else None

    def _write_batch(self, items: Sequence[dict[str, Any]]) -> None:
        """Write up to 25 whole items, retrying the ones DynamoDB leaves unprocessed."""
        pending: list[dict[str, Any]] = [{"PutRequest": {"Item": item}} for item in items]
        for attempt, backoff in zip(range(MAX_ATTEMPTS), backoff_delays(), strict=False):
            if attempt:
                self._sleep(backoff)
            response = self._client.batch_write_item(RequestItems={self._table: pending})
            pending = response.get("UnprocessedItems", {}).get(self._table, [])
            if not pending:
                return
        raise StoreThrottled(f"{len(pending)} item(s) stayed unprocessed by BatchWriteItem")
