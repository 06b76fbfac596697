"""An account's ingest lease: while one invocation holds it, no other writes that account's
findings, so the holder may read, decide and batch-write without a condition per item.

The lease is one item in the findings table, ``ingest-lease#<account id>``, taken with a
conditional PutItem (absent, or expired) and given back with a DeleteItem conditional on
still being the holder. It expires when the holding invocation cannot be alive any more:
its remaining time (Lambda stops it then) plus a margin for clocks. So a holder never
writes after its lease could pass to another, and a holder that dies leaves a lease that
simply runs out.

The item has none of the indexes' keys and no ``state``: it is in neither index, and the
stream mappings' filter (``NewImage.state``) passes none of its records to alerts or the
Security Hub export.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

from botocore.exceptions import ClientError

from estate_core import layout

LEASE_PREFIX: Final = "ingest-lease#"
# Clocks of two Lambda hosts differ by far less; the margin only delays a takeover.
CLOCK_MARGIN_S: Final = 30.0
# Without a Lambda context (tests, benchmarks), as long as the longest Lambda can run.
DEFAULT_HOLD_S: Final = 900.0
# How long an invocation waits for a busy lease before its message goes back to the queue.
DEFAULT_WAIT_S: Final = 60.0
FIRST_BACKOFF_S: Final = 0.05
MAX_BACKOFF_S: Final = 2.0


class LeaseBusy(RuntimeError):
    """Another invocation held the account's lease for the whole wait."""


def lease_id(account_id: str) -> str:
    """The lease item's key: never a finding id (those are 32 hex characters)."""
    return f"{LEASE_PREFIX}{account_id}"


@dataclass(frozen=True)
class LeaseTerms:
    """How long a lease is held at most and how long a taker waits for a busy one."""

    hold_s: float = DEFAULT_HOLD_S
    wait_s: float = DEFAULT_WAIT_S

    @classmethod
    def for_invocation(cls, context: Any) -> LeaseTerms:
        """Held until the invocation's own end (Lambda stops it then) plus the clock margin;
        the wait leaves half the remaining time for the work."""
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        if remaining is None:
            return cls()
        left_s = max(0.0, float(remaining()) / 1000)
        return cls(hold_s=left_s + CLOCK_MARGIN_S, wait_s=min(DEFAULT_WAIT_S, left_s / 2))


class AccountLeases:
    """Takes and gives back accounts' ingest leases in one table."""

    def __init__(
        self,
        client: Any,
        table_name: str,
        terms: LeaseTerms,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._table = table_name
        self._terms = terms
        self._clock = clock
        self._sleep = sleep

    @contextmanager
    def held(self, account_id: str) -> Iterator[None]:
        """Hold ``account_id``'s lease for the block; LeaseBusy if it stays taken."""
        holder = uuid.uuid4().hex
        self._take(account_id, holder)
        try:
            yield
        finally:
            self._give_back(account_id, holder)

    def _take(self, account_id: str, holder: str) -> None:
        give_up = self._clock() + self._terms.wait_s
        backoff = FIRST_BACKOFF_S
        while True:
            now = self._clock()
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item={
                        layout.KEY: {"S": lease_id(account_id)},
                        "holder": {"S": holder},
                        "expires_at": {"N": f"{now + self._terms.hold_s:.3f}"},
                    },
                    ConditionExpression="attribute_not_exists(#id) OR #expires < :now",
                    ExpressionAttributeNames={"#id": layout.KEY, "#expires": "expires_at"},
                    ExpressionAttributeValues={":now": {"N": f"{now:.3f}"}},
                )
                return
            except ClientError as error:
                if not _lost_condition(error):
                    raise
            if now + backoff > give_up:
                raise LeaseBusy(
                    f"account {account_id}'s ingest lease stayed taken for "
                    f"{self._terms.wait_s:.0f} s; the message is retried later"
                )
            self._sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)

    def _give_back(self, account_id: str, holder: str) -> None:
        try:
            self._client.delete_item(
                TableName=self._table,
                Key={layout.KEY: {"S": lease_id(account_id)}},
                ConditionExpression="#holder = :holder",
                ExpressionAttributeNames={"#holder": "holder"},
                ExpressionAttributeValues={":holder": {"S": holder}},
            )
        except ClientError as error:
            # Not ours any more: it expired and another took it. Theirs stays.
            if not _lost_condition(error):
                raise


def _lost_condition(error: ClientError) -> bool:
    code: object = error.response.get("Error", {}).get("Code")
    return code == "ConditionalCheckFailedException"
