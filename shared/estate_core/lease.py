"""An account's ingest lease: while one invocation holds it, no other writes that account's
findings, so the holder may read, decide and batch-write without a condition per item.

The lease is one item in the findings table, ``ingest-lease#<account id>``, taken with a
conditional PutItem (absent, expired, or already ours: a retried put whose first attempt
landed) and given back with a DeleteItem conditional on still being the holder. It expires
when the holding invocation cannot be alive any more: the invocation's deadline (Lambda
stops it then) plus a margin for clocks. So a holder never writes after its lease could
pass to another, and a holder that dies leaves a lease that simply runs out. Outside
Lambda (tests, benchmarks) there is no deadline: the lease lasts ``DEFAULT_HOLD_S`` and
the holder checks it before each read and write (``Lease.check``).

The item has none of the indexes' keys and no ``state``: it is in neither index, and the
stream mappings' filter (``NewImage.state``) passes none of its records to alerts or the
Security Hub export.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

from botocore.exceptions import ClientError

from estate_core import layout
from estate_runtime.responses import code_and_message

LEASE_PREFIX: Final = "ingest-lease#"
# Clocks of two Lambda hosts differ by far less; the margin only delays a takeover.
CLOCK_MARGIN_S: Final = 30.0
# Without a deadline (tests, benchmarks), as long as the longest Lambda can run.
DEFAULT_HOLD_S: Final = 900.0
# How long a taker waits for a busy lease before its message goes back to the queue.
DEFAULT_WAIT_S: Final = 60.0
# What an invocation keeps of its time for ingesting a part once it holds the lease; a
# part is not started with less left (on AWS a 1,000-finding part takes about a second).
WORK_RESERVE_S: Final = 15.0
FIRST_BACKOFF_S: Final = 0.05
MAX_BACKOFF_S: Final = 2.0

logger = logging.getLogger(__name__)


class LeaseBusy(RuntimeError):
    """Another invocation held the account's lease for the whole wait."""


class LeaseExpired(RuntimeError):
    """The holder's lease ran out before its work was done; nothing more is written."""


def lease_id(account_id: str) -> str:
    """The lease item's key: never a finding id (those are 32 hex characters)."""
    return f"{LEASE_PREFIX}{account_id}"


def backoff_delays(first_s: float = FIRST_BACKOFF_S) -> Iterator[float]:
    """Exponential backoff, capped: first_s, 2 first_s, ... MAX_BACKOFF_S, MAX_BACKOFF_S..."""
    delay = first_s
    while True:
        yield delay
        delay = min(delay * 2, MAX_BACKOFF_S)


@dataclass(frozen=True)
class LeaseTerms:
    """When the taker's invocation must end (None: unknown) and how long it waits."""

    deadline: float | None = None  # wall-clock seconds (time.time())
    wait_s: float = DEFAULT_WAIT_S

    @classmethod
    def for_invocation(cls, context: Any, *, now: float | None = None) -> LeaseTerms:
        """The terms of a Lambda invocation: its deadline from the remaining time."""
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        if remaining is None:
            return cls()
        start = time.time() if now is None else now
        return cls(deadline=start + max(0.0, float(remaining()) / 1000))

    def expires_at(self, now: float) -> float:
        """When a lease taken at ``now`` runs out: the deadline (or the default hold) plus
        the clock margin."""
        end = self.deadline if self.deadline is not None else now + DEFAULT_HOLD_S
        return end + CLOCK_MARGIN_S

    def give_up_at(self, now: float) -> float:
        """Until when a busy lease is waited for: the wait, leaving the work its reserve."""
        latest = now + self.wait_s
        return latest if self.deadline is None else min(latest, self.deadline - WORK_RESERVE_S)

    def too_late(self, now: float) -> bool:
        """Whether too little time is left to start a part."""
        return self.deadline is not None and self.deadline - now < WORK_RESERVE_S


@dataclass(frozen=True)
class Lease:
    """A held lease: its account and until when the holder may write under it."""

    account_id: str
    expires_at: float
    clock: Callable[[], float]

    def check(self) -> None:
        """Raise LeaseExpired once less than the clock margin of the lease is left."""
        if self.clock() >= self.expires_at - CLOCK_MARGIN_S:
            raise LeaseExpired(
                f"account {self.account_id}'s ingest lease ran out before the part was "
                "written; the message is retried later"
            )


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
    def held(self, account_id: str) -> Iterator[Lease]:
        """Hold ``account_id``'s lease for the block; LeaseBusy if it stays taken."""
        holder = uuid.uuid4().hex
        lease = Lease(account_id, self._take(account_id, holder), self._clock)
        try:
            yield lease
        finally:
            self._give_back(account_id, holder)

    def _take(self, account_id: str, holder: str) -> float:
        started = self._clock()
        give_up = self._terms.give_up_at(started)
        for backoff in backoff_delays():
            now = self._clock()
            expires = self._terms.expires_at(now)
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item={
                        layout.KEY: {"S": lease_id(account_id)},
                        "holder": {"S": holder},
                        "expires_at": {"N": f"{expires:.3f}"},
                    },
                    ConditionExpression=(
                        "attribute_not_exists(#id) OR #expires < :now OR #holder = :holder"
                    ),
                    ExpressionAttributeNames={
                        "#id": layout.KEY,
                        "#expires": "expires_at",
                        "#holder": "holder",
                    },
                    ExpressionAttributeValues={
                        ":now": {"N": f"{now:.3f}"},
                        ":holder": {"S": holder},
                    },
                )
                return expires
            except ClientError as error:
                if not _lost_condition(error):
                    raise
            if now + backoff > give_up:
                break
            self._sleep(backoff)
        raise LeaseBusy(
            f"account {account_id}'s ingest lease stayed taken for the "
            f"{self._clock() - started:.0f} s this invocation could wait; the message is "
            "retried later"
        )

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
            # Not ours any more (it ran out and another took it): theirs stays. Any other
            # failure leaves ours to run out; the part itself was written or has failed.
            if not _lost_condition(error):
                logger.warning(
                    "ingest lease of account %s not given back (%s); it runs out by itself",
                    account_id,
                    code_and_message(error)[0],
                )


def _lost_condition(error: ClientError) -> bool:
    return code_and_message(error)[0] == "ConditionalCheckFailedException"
