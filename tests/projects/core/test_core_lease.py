"""The account ingest lease on core's own table: overlapping writers of one account take
turns, a lease that runs out passes on, a lease that stays busy sends the message back;
and the batch writes it guards: throttled items retried, never dropped."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from estate_core import layout
from estate_core.ingest_handler import handler as ingest_handler
from estate_core.lease import (
    CLOCK_MARGIN_S,
    DEFAULT_HOLD_S,
    DEFAULT_WAIT_S,
    WORK_RESERVE_S,
    AccountLeases,
    LeaseBusy,
    LeaseExpired,
    LeaseTerms,
    lease_id,
)
from estate_core.store import (
    MAX_ATTEMPTS,
    WRITE_BATCH,
    FindingsStore,
    StoreThrottled,
    from_dynamodb,
)
from tests.support.core_world import CoreWorld, session_in, versioning_finding

ACCOUNT = "111111111111"
EARLY, LATE = "2026-03-01T06:00:00Z", "2026-03-01T06:30:00Z"


def _findings(scan_id: str, status: str, observed: str) -> list[dict[str, Any]]:
    return [
        versioning_finding(index, scan_id=scan_id, status=status, observed=observed)
        for index in range(30)
    ]


@dataclass
class FakeClock:
    """A clock that only moves when told to (or when the code under test sleeps)."""

    now: float = 1_000_000.0
    slept: float = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += seconds


@pytest.fixture
def table(core_world: CoreWorld) -> Iterator[str]:
    """The findings table's name, with the process acting in the stack's account."""
    with core_world.as_account():
        yield str(core_world.outputs["findings_table_name"])


def _lease_item(world: CoreWorld, table: str) -> dict[str, Any] | None:
    response = world.client("dynamodb").get_item(
        TableName=table, Key={layout.KEY: {"S": lease_id(ACCOUNT)}}, ConsistentRead=True
    )
    return from_dynamodb(response["Item"]) if "Item" in response else None


def test_a_second_writer_of_the_account_waits_for_the_lease_and_never_interleaves(
    core_world: CoreWorld, table: str
) -> None:
    # The scan that started later is ingested first and holds the lease; the earlier scan's
    # part arrives meanwhile. Each writer has its own client, so each call is told apart.
    events: list[tuple[str, str]] = []
    b_was_refused, a_holds = threading.Event(), threading.Event()
    clients = {name: session_in(core_world).client("dynamodb") for name in ("A", "B")}

    def label(name: str) -> Any:
        def before(model: Any, **_: Any) -> None:
            events.append((name, model.name))
            if name == "A" and model.name == "BatchGetItem":
                a_holds.set()
            if name == "A" and model.name == "BatchWriteItem":
                assert b_was_refused.wait(timeout=20), "B never tried the lease A held"

        return before

    def refused(http_response: Any, model: Any, **_: Any) -> None:
        if model.name == "PutItem" and http_response.status_code == 400:
            b_was_refused.set()

    for name, client in clients.items():
        client.meta.events.register("before-call.dynamodb", label(name))
    clients["B"].meta.events.register("after-call.dynamodb", refused)
    results: dict[str, Any] = {}

    def write(name: str, findings: list[dict[str, Any]], started: str) -> None:
        store = FindingsStore(clients[name], table, terms=LeaseTerms(wait_s=30))
        results[name] = store.upsert(findings, scan_started=started)

    late = threading.Thread(target=write, args=("A", _findings("late", "PASS", LATE), LATE))
    late.start()
    assert a_holds.wait(timeout=20)
    early = threading.Thread(target=write, args=("B", _findings("early", "FAIL", EARLY), EARLY))
    early.start()
    late.join(timeout=60)
    early.join(timeout=60)

    assert (results["A"].written, results["B"].written, results["B"].skipped) == (30, 0, 30)
    a_took = events.index(("A", "PutItem"))
    a_gave_back = events.index(("A", "DeleteItem"))
    inside = [op for name, op in events[a_took:a_gave_back] if name == "B"]
    assert inside and set(inside) == {"PutItem"}  # B only knocked while A held the lease
    items = core_world.items()
    assert {item["last_scan_id"] for item in items} == {"late"}
    assert all(item[layout.KEY] != lease_id(ACCOUNT) for item in items)


def test_a_lease_that_ran_out_passes_on_and_its_late_holder_leaves_the_new_one(
    core_world: CoreWorld, table: str
) -> None:
    clock = FakeClock()
    client = core_world.client("dynamodb")
    # The first holder's invocation ends in 10 s less the clock margin: its lease, in 10 s.
    ending = LeaseTerms(deadline=clock.now + 10 - CLOCK_MARGIN_S, wait_s=0)
    first = AccountLeases(client, table, ending, clock=clock, sleep=clock.sleep)
    other = AccountLeases(client, table, LeaseTerms(wait_s=0), clock=clock, sleep=clock.sleep)
    with ExitStack() as held:
        lease = held.enter_context(first.held(ACCOUNT))
        clock.now += 5  # still held: the next taker is refused at once (no wait)
        busy = pytest.raises(LeaseBusy, match=f"account {ACCOUNT}'s ingest lease stayed taken")
        with busy, other.held(ACCOUNT):
            pass
        clock.now += 6  # ran out: the next taker gets it while the first still runs
        with pytest.raises(LeaseExpired, match="ran out before the part was written"):
            lease.check()  # and the first holder, if it were still running, stops writing
        second = other.held(ACCOUNT)
        second.__enter__()
        taken = _lease_item(core_world, table)
    # The first holder's give-back (leaving the ExitStack) left the second's lease alone.
    assert _lease_item(core_world, table) == taken and taken is not None
    second.__exit__(None, None, None)
    assert _lease_item(core_world, table) is None


def test_a_retried_take_whose_first_attempt_landed_holds_the_lease_without_waiting(
    core_world: CoreWorld, table: str, inject_faults: Callable[..., Any]
) -> None:
    # The first PutItem is applied (moto's own before-send handler runs too) but its answer
    # is lost: a 500, which botocore retries. The retry meets the lease it just took.
    client, clock = session_in(core_world).client("dynamodb"), FakeClock()
    lost = inject_faults(client, "PutItem", code="InternalServerError", times=1, status=500)
    leases = AccountLeases(client, table, LeaseTerms(wait_s=30), clock=clock, sleep=clock.sleep)

    with leases.held(ACCOUNT):
        held_by = _lease_item(core_world, table)

    assert lost.injected == 1 and clock.slept == 0 and held_by is not None
    assert _lease_item(core_world, table) is None


def test_a_lease_that_stays_busy_sends_the_message_back_and_writes_nothing(
    core_world: CoreWorld, table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Another invocation holds the lease for long: ingest waits until only its work reserve
    # of the invocation is left (2 s here), then hands the message back for later.
    core_world.client("dynamodb").put_item(
        TableName=table,
        Item={
            layout.KEY: {"S": lease_id(ACCOUNT)},
            "holder": {"S": "another-invocation"},
            "expires_at": {"N": "99999999999"},
        },
    )
    bucket = str(core_world.outputs["reports_bucket_name"])
    key = f"findings/scanner=s3/account={ACCOUNT}/dt=2026-03-01/busy-0000-00000.jsonl.gz"
    body = gzip.compress(
        b"".join(json.dumps(f).encode() + b"\n" for f in _findings("busy", "FAIL", EARLY))
    )
    s3 = session_in(core_world).client("s3")
    # No notification: only the built event below delivers the part.
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    event = {
        "Records": [
            {
                "messageId": "busy",
                "body": json.dumps(
                    {
                        "Records": [
                            {
                                "eventName": "ObjectCreated:Put",
                                "s3": {"bucket": {"name": bucket}, "object": {"key": key}},
                            }
                        ]
                    }
                ),
            }
        ]
    }

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FINDINGS_TABLE", table)
        started = time.monotonic()
        result = ingest_handler(event, Remaining((WORK_RESERVE_S + 2) * 1000))
        waited = time.monotonic() - started
    assert result == {"batchItemFailures": [{"itemIdentifier": "busy"}]}
    assert 1.5 < waited < 10  # the invocation's terms, not the 60 s default wait
    assert [item[layout.KEY] for item in core_world.items()] == [lease_id(ACCOUNT)]
    assert '"MessagesDeferred":[1.0]' in capsys.readouterr().out.replace(" ", "")


@dataclass
class Remaining:
    """A Lambda context with this many milliseconds left."""

    milliseconds: float

    def get_remaining_time_in_millis(self) -> int:
        return int(self.milliseconds)


def test_a_lease_runs_out_with_its_invocation_and_a_taker_keeps_time_for_the_work() -> None:
    now = 1_000_000.0
    terms = LeaseTerms.for_invocation(Remaining(120_000), now=now)
    assert terms.deadline == now + 120
    assert terms.expires_at(now + 50) == now + 120 + CLOCK_MARGIN_S  # whenever taken
    assert terms.give_up_at(now) == now + DEFAULT_WAIT_S
    assert terms.give_up_at(now + 90) == now + 120 - WORK_RESERVE_S
    assert not terms.too_late(now + 120 - WORK_RESERVE_S)
    assert terms.too_late(now + 120 - WORK_RESERVE_S + 1)
    untimed = LeaseTerms.for_invocation(None)
    assert untimed == LeaseTerms() and not untimed.too_late(now)
    assert untimed.expires_at(now) == now + DEFAULT_HOLD_S + CLOCK_MARGIN_S


def test_a_message_is_put_off_unread_when_too_little_of_the_invocation_is_left(
    core_world: CoreWorld, table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Its body is no S3 event at all: had ingest started on it, it would count as failed.
    event = {"Records": [{"messageId": "late", "body": "{}"}]}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FINDINGS_TABLE", table)
        result = ingest_handler(event, Remaining((WORK_RESERVE_S - 1) * 1000))
    assert result == {"batchItemFailures": [{"itemIdentifier": "late"}]}
    assert core_world.items() == []
    assert '"MessagesDeferred":[1.0]' in capsys.readouterr().out.replace(" ", "")


def _leave_unprocessed(client: Any, times: int) -> list[int]:
    """The next ``times`` BatchWriteItem requests write nothing and hand every item back as
    unprocessed, as DynamoDB does when throttled. A before-call hook that answers stops
    the request there (a before-send answer would still let moto's own handler write)."""
    left = [times]

    def respond(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
        if left[0] == 0:
            return None
        left[0] -= 1
        unprocessed = json.loads(params["body"])["RequestItems"]
        return SimpleNamespace(status_code=200), {"UnprocessedItems": unprocessed}

    client.meta.events.register("before-call.dynamodb.BatchWriteItem", respond)
    return left


def test_items_dynamodb_leaves_unprocessed_are_written_on_a_later_attempt(
    core_world: CoreWorld, table: str
) -> None:
    client, clock = session_in(core_world).client("dynamodb"), FakeClock()
    left = _leave_unprocessed(client, times=MAX_ATTEMPTS - 1)
    store = FindingsStore(client, table, threads=1, sleep=clock.sleep)

    written = store.upsert(_findings("throttled", "FAIL", EARLY), scan_started=EARLY)

    assert left == [0] and clock.slept > 0
    assert written.written == 30 and len(core_world.items()) == 30


def test_items_left_unprocessed_on_every_attempt_fail_the_part_and_free_the_lease(
    core_world: CoreWorld, table: str
) -> None:
    client, clock = session_in(core_world).client("dynamodb"), FakeClock()
    _leave_unprocessed(client, times=10 * MAX_ATTEMPTS)
    store = FindingsStore(client, table, threads=1, sleep=clock.sleep)

    with pytest.raises(StoreThrottled, match="stayed unprocessed by BatchWriteItem"):
        store.upsert(_findings("throttled", "FAIL", EARLY), scan_started=EARLY)

    assert core_world.items() == []  # nothing written, and no lease left behind


def test_when_one_batch_write_fails_its_siblings_finish_before_the_lease_is_given_back(
    core_world: CoreWorld, table: str
) -> None:
    # Two batches in flight on two threads: the chunk's first (25 items) fails at once, the
    # second (5) is slow. The part fails, but the slow write still runs under the lease: a
    # write after the lease was given back could undo a newer scan written meanwhile.
    client = session_in(core_world).client("dynamodb")
    reader = session_in(core_world).client("dynamodb")
    lease_held_during_slow_write = []

    def fail_first_slow_second(params: dict[str, Any], **_: Any) -> None:
        (requests,) = json.loads(params["body"])["RequestItems"].values()
        if len(requests) == WRITE_BATCH:
            raise ClientError({"Error": {"Code": "InternalServerError"}}, "BatchWriteItem")
        time.sleep(0.3)
        lease = reader.get_item(
            TableName=table, Key={layout.KEY: {"S": lease_id(ACCOUNT)}}, ConsistentRead=True
        )
        lease_held_during_slow_write.append("Item" in lease)

    client.meta.events.register("before-call.dynamodb.BatchWriteItem", fail_first_slow_second)
    store = FindingsStore(client, table, threads=2)

    with pytest.raises(ClientError, match="InternalServerError"):
        store.upsert(_findings("failing", "FAIL", EARLY), scan_started=EARLY)

    assert lease_held_during_slow_write == [True]
    assert _lease_item(core_world, table) is None  # given back once every write had ended
