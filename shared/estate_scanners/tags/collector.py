"""EC2 instances of every region, paged in parallel, handed over page by page.

Each region is paged by one worker (at most ``concurrency`` at once) through
DescribeInstances with ``MaxResults=1000`` and a server-side filter on the live states, so
terminated and shutting-down instances never travel. Every page goes to a callback as soon
as it arrives and is then dropped: memory holds at most one page per worker.

Before each page a worker asks the deadline whether a page still fits; if not it stops and
reports the token to resume from. A page whose call fails transiently (after botocore's
retries: throttled, 5xx, reset, empty or unparseable answer) is asked once more after a
pause (estate_runtime.retries). A region whose call still fails — an unparseable page
included — is reported as failed with the error and the pages read before it, and the
other regions go on. Any other exception is a bug: it stops every worker and is raised.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Final, Literal

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from estate_runtime.deadline import Deadline
from estate_runtime.responses import UNUSABLE_RESPONSE
from estate_runtime.retries import is_transient
from estate_scanners.tags.facts import Instance

PAGE_SIZE: Final = 1000
# pending/running/stopping/stopped: "terminated" and "shutting-down" are left out on purpose.
LIVE_STATES: Final = ("pending", "running", "stopping", "stopped")
# A first guess of one page's cost (call + evaluation + writing) before any is measured.
FIRST_PAGE_ESTIMATE_MS: Final = 3_000.0
# Failures that mean "this region could not be read"; anything else is a bug and is raised.
REGION_FAILURES: Final = (ClientError, BotocoreConnectionError, HTTPClientError, *UNUSABLE_RESPONSE)
# Wait before the second try of a page that failed transiently.
REFETCH_PAUSE_S: Final = 1.0


@dataclass(frozen=True)
class InstancePage:
    """One DescribeInstances page of a region, and the token of the page after it."""

    region: str
    instances: tuple[Instance, ...]
    next_token: str | None


@dataclass(frozen=True)
class RegionOutcome:
    """How a region's paging ended: ``complete``, ``stopped`` at ``next_token`` (None: from
    the start) by the deadline, or ``failed`` with ``error``."""

    region: str
    status: Literal["complete", "stopped", "failed"]
    next_token: str | None = None
    pages: int = 0
    error: Exception | None = None


def fetch_instance_page(
    client: Any, region: str, token: str | None, page_size: int = PAGE_SIZE
) -> InstancePage:
    """One page of live instances of the region the client is bound to."""
    request: dict[str, Any] = {
        "MaxResults": page_size,
        "Filters": [{"Name": "instance-state-name", "Values": list(LIVE_STATES)}],
    }
    if token:
        request["NextToken"] = token
    response = client.describe_instances(**request)
    instances = tuple(
        Instance(
            region=region,
            instance_id=str(instance["InstanceId"]),
            owner_id=str(reservation.get("OwnerId", "")),
            tags={str(tag["Key"]): str(tag.get("Value", "")) for tag in instance.get("Tags", [])},
        )
        for reservation in response.get("Reservations", [])
        for instance in reservation.get("Instances", [])
    )
    return InstancePage(region, instances, response.get("NextToken") or None)


def fetch_page_twice(
    client: Any, region: str, token: str | None, page_size: int, pause_s: float
) -> InstancePage:
    """`fetch_instance_page`, asked once more after ``pause_s`` when it failed transiently."""
    try:
        return fetch_instance_page(client, region, token, page_size)
    except REGION_FAILURES as error:
        if not is_transient(error):
            raise
    time.sleep(pause_s)
    return fetch_instance_page(client, region, token, page_size)


class _PageClock:
    """The longest page seen so far (or the first guess): what the next page may cost."""

    def __init__(self) -> None:
        self._longest_ms = FIRST_PAGE_ESTIMATE_MS
        self._lock = threading.Lock()

    def record(self, elapsed_ms: float) -> None:
        with self._lock:
            self._longest_ms = max(self._longest_ms, elapsed_ms)

    @property
    def estimate_ms(self) -> float:
        with self._lock:
            return self._longest_ms


def collect_instances(
    client_for: Callable[[str], Any],
    regions: Sequence[str],
    *,
    on_page: Callable[[InstancePage], None],
    start_tokens: Mapping[str, str] | None = None,
    deadline: Deadline | None = None,
    concurrency: int = 4,
    page_size: int = PAGE_SIZE,
    refetch_pause_s: float = REFETCH_PAUSE_S,
) -> list[RegionOutcome]:
    """Page every region in parallel, calling ``on_page`` (from worker threads) per page;
    return each region's outcome in the order of ``regions``."""
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    if not regions:
        return []
    tokens = dict(start_tokens or {})
    limit = deadline or Deadline.unbounded()
    stop = threading.Event()
    page_clock = _PageClock()

    def page_region(region: str) -> RegionOutcome:
        token = tokens.get(region)
        pages = 0
        client = client_for(region)
        while True:
            if stop.is_set() or limit.should_stop(page_clock.estimate_ms):
                return RegionOutcome(region, "stopped", token, pages)
            started = time.monotonic()
            try:
                page = fetch_page_twice(client, region, token, page_size, refetch_pause_s)
            except REGION_FAILURES as error:
                return RegionOutcome(region, "failed", token, pages, error)
            on_page(page)
            pages += 1
            page_clock.record((time.monotonic() - started) * 1000.0)
            token = page.next_token
            if token is None:
                return RegionOutcome(region, "complete", None, pages)

    with ThreadPoolExecutor(
        max_workers=min(concurrency, len(regions)), thread_name_prefix="estate-tags"
    ) as pool:
        futures: list[Future[RegionOutcome]] = [pool.submit(page_region, r) for r in regions]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        if any(future.exception() is not None for future in done):
            stop.set()  # the others finish their current page and end
    return [future.result() for future in futures]
