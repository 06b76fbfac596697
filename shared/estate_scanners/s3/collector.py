"""Fetch every needed configuration item of every bucket once, concurrently, through its own region.

Which items are fetched is derived from the check registry's `needs`. Each bucket is
read through a client of the region it lives in: `BucketRegion` from ListBuckets when
the answer carries it, else one GetBucketLocation call. Every bucket call carries
`ExpectedBucketOwner`, so a shard naming somebody else's bucket gets AccessDenied
(ERROR) instead of reporting a stranger's bucket as ours (moto ignores the header).

Calls run on a bounded thread pool; a bucket's facts are yielded as soon as its last
item arrives, so memory holds only the buckets in flight. An item whose fetch failed
*transiently* (throttled, 5xx, reset, empty or unparseable answer — after botocore's own
retries) gets one more fetch once the rest of the batch is done, before it is recorded as
a FetchError: by then a burst of throttling has usually passed (estate_runtime.retries).

The bucket list must be complete or the scan does not start: a ListBuckets failure raises
``BucketListingFailed`` (one line) before anything is judged or written, and a last page
that came back full with no continuation token (moto does this at 1,000 buckets) is
confirmed by one unpaginated ListBuckets, which S3 answers in full up to
``UNPAGED_LIST_LIMIT`` buckets.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from estate_runtime.aws import TargetSession
from estate_runtime.closing import ClosesOnExit
from estate_runtime.responses import UNUSABLE_RESPONSE, code_and_message
from estate_runtime.retries import is_transient
from estate_scanners.s3.facts import (
    ACCOUNT_FACTS,
    AccountFacts,
    BucketFacts,
    Fact,
    Fetched,
    FetchError,
    NotConfigured,
    bucket_arn,
)
from estate_scanners.s3.policy import MalformedPolicyError
from estate_scanners.s3.sources import GET_BUCKET_LOCATION, LIST_BUCKETS, SOURCES, FactSource

LOGGER = logging.getLogger(__name__)

# Measured (bench/scan_latency.py, 50 ms per call): 16 threads wait on the network (43.5 s for
# 1,000 buckets), 64 make botocore's client CPU the bound (14.9 s); more gains nothing.
DEFAULT_CONCURRENCY = 64
LIST_BUCKETS_PAGE_SIZE = 1000
# S3 answers ListBuckets without MaxBuckets with every bucket up to this many
# (S3 API reference, ListBuckets); beyond it only paging is complete.
UNPAGED_LIST_LIMIT = 10_000
# Wait before the second-chance pass: a throttling burst is given time to pass.
REFETCH_PAUSE_S = 1.0
# GetBucketLocation answers null for us-east-1 and the legacy "EU" for eu-west-1.
LEGACY_LOCATIONS = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}


@dataclass(frozen=True, slots=True)
class BucketRef:
    """A bucket to scan: its name and, when ListBuckets said so, its region and creation date."""

    name: str
    region: str | None = None
    created: datetime | None = None


@dataclass
class CollectorStats:
    """What the collector did: AWS calls made, how many items were fetched a second time,
    and how many ended in a FetchError."""

    calls: int = 0
    fetch_errors: int = 0
    refetched: int = 0


class BucketListingFailed(RuntimeError):
    """The account's bucket list could not be read, or not confirmed complete."""


Outcome = tuple[Any, bool]  # (what a call gave, whether its failure was transient)


def list_bucket_pages(
    client: Any, *, page_size: int | None = LIST_BUCKETS_PAGE_SIZE
) -> Iterator[list[BucketRef]]:
    """ListBuckets page by page, following ContinuationToken until there is none
    (``page_size`` None: one unpaginated call)."""
    token: str | None = None
    while True:
        request: dict[str, Any] = {} if page_size is None else {"MaxBuckets": page_size}
        if token:
            request["ContinuationToken"] = token
        page = client.list_buckets(**request)
        yield [
            BucketRef(
                name=str(bucket["Name"]),
                region=bucket.get("BucketRegion") or None,
                created=bucket.get("CreationDate"),
            )
            for bucket in page.get("Buckets", [])
        ]
        token = page.get("ContinuationToken")
        if not token:
            return


def describe_error(error: BaseException) -> str:
    """``Code: message`` of a failed call, for one line."""
    code, message = code_and_message(error)
    return f"{code}: {message}" if message else code


def fetch(client: Any, source: FactSource, **params: str) -> Fetched[Any]:
    """One configuration item: parsed value, NotConfigured for its own codes, else FetchError."""
    return fetch_outcome(client, source, **params)[0]


def fetch_outcome(client: Any, source: FactSource, **params: str) -> Outcome:
    """`fetch`, and whether a failure was transient (worth one more try later)."""
    operation = source.operation.name
    try:
        response = getattr(client, source.operation.method)(**params)
    except (ClientError, BotoCoreError, *UNUSABLE_RESPONSE) as error:
        code, message = code_and_message(error)
        if isinstance(error, ClientError) and code in source.not_configured_codes:
            return NotConfigured(code), False
        return FetchError(code, message, operation), is_transient(error)
    try:
        return source.parse(response), False
    except MalformedPolicyError as error:
        return FetchError("MalformedPolicy", str(error), operation), False
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        failure = FetchError("UnexpectedResponse", f"{type(error).__name__}: {error}", operation)
        return failure, False


def locate(client: Any, bucket: str, account_id: str) -> str | FetchError:
    """The bucket's region from GetBucketLocation, or the error that prevented it."""
    region: str | FetchError = locate_outcome(client, bucket, account_id)[0]
    return region


def locate_outcome(client: Any, bucket: str, account_id: str) -> Outcome:
    """`locate`, and whether a failure was transient."""
    try:
        answer = client.get_bucket_location(Bucket=bucket, ExpectedBucketOwner=account_id)
    except (ClientError, BotoCoreError, *UNUSABLE_RESPONSE) as error:
        code, message = code_and_message(error)
        return FetchError(code, message, GET_BUCKET_LOCATION.name), is_transient(error)
    constraint = answer.get("LocationConstraint")
    return str(LEGACY_LOCATIONS.get(constraint, constraint)), False


@dataclass
class _Assembly:
    """One bucket's facts as they arrive."""

    ref: BucketRef
    expected: int
    region: str | None = None
    facts: dict[Fact, Fetched[Any]] = field(default_factory=dict)

    def done(self) -> bool:
        return len(self.facts) == self.expected

    def build(self, fallback_region: str) -> BucketFacts:
        region = self.region or fallback_region
        base = BucketFacts(
            name=self.ref.name,
            region=region,
            arn=bucket_arn(self.ref.name, region),
            created=self.ref.created,
        )
        return base.with_facts(self.facts)


_Item = tuple[_Assembly, FactSource | None]  # a bucket's item (None: its location)


class Collector(ClosesOnExit):
    """Fetches facts for buckets of one account on a bounded pool; use as a context manager."""

    def __init__(
        self,
        session: TargetSession,
        *,
        account_id: str,
        facts: Iterable[Fact],
        concurrency: int = DEFAULT_CONCURRENCY,
        refetch_pause_s: float = REFETCH_PAUSE_S,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        wanted = frozenset(facts)
        self.refetch_pause_s = refetch_pause_s
        self.session = session
        self.account_id = account_id
        self.home_region = session.default_region
        self.bucket_sources = tuple(SOURCES[f] for f in sorted(wanted - ACCOUNT_FACTS))
        self.account_sources = tuple(SOURCES[f] for f in sorted(wanted & ACCOUNT_FACTS))
        self.stats = CollectorStats()
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="s3-facts")

    def close(self) -> None:
        """Stop the pool (pending calls are cancelled)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def list_buckets(self, page_size: int = LIST_BUCKETS_PAGE_SIZE) -> list[BucketRef]:
        """Every bucket of the account, sorted by name; ``BucketListingFailed`` if the list
        cannot be read or confirmed complete."""
        client = self.session.client("s3", self.home_region)
        refs: dict[str, BucketRef] = {}
        try:
            last_page_full = False
            for page in list_bucket_pages(client, page_size=page_size):
                self.stats.calls += 1
                refs.update((ref.name, ref) for ref in page)
                last_page_full = len(page) >= page_size
            if last_page_full:
                # Full, yet no token: the listing may have been cut. Confirm it.
                self.stats.calls += 1
                unpaged = next(list_bucket_pages(client, page_size=None))
                if len(unpaged) >= UNPAGED_LIST_LIMIT and not {r.name for r in unpaged} <= set(
                    refs
                ):
                    raise BucketListingFailed(
                        f"{LIST_BUCKETS.name} returned a full page without a continuation "
                        f"token and the unpaged listing stops at {len(unpaged)}: the bucket "
                        "list cannot be confirmed complete"
                    )
                for ref in unpaged:
                    refs.setdefault(ref.name, ref)
        except (ClientError, BotoCoreError, *UNUSABLE_RESPONSE) as error:
            raise BucketListingFailed(
                f"cannot list the account's buckets: {LIST_BUCKETS.name} failed with "
                f"{describe_error(error)}"
            ) from None
        return sorted(refs.values(), key=lambda ref: ref.name)

    def account_facts(self) -> AccountFacts:
        """The account-level facts, one call each."""
        facts = AccountFacts(account_id=self.account_id, region=self.home_region)
        for source in self.account_sources:
            client = self.session.client(source.operation.service, self.home_region)
            outcome = fetch_outcome(client, source, AccountId=self.account_id)
            if outcome[1]:  # transient: one more chance, as for bucket items
                self.stats.refetched += 1
                self.stats.calls += 1
                time.sleep(self.refetch_pause_s)
                outcome = fetch_outcome(client, source, AccountId=self.account_id)
            value = self._record(outcome[0])
            if source.fact is Fact.ACCOUNT_PUBLIC_ACCESS_BLOCK:
                facts = AccountFacts(self.account_id, self.home_region, public_access_block=value)
        return facts

    def collect(self, refs: Sequence[BucketRef]) -> Iterator[BucketFacts]:
        """Each bucket's facts, yielded as soon as all of its items have arrived; items that
        failed transiently are fetched once more after the others (their buckets last)."""
        pending: dict[Future[Outcome], _Item] = {}
        for ref in refs:
            assembly = _Assembly(ref, expected=len(self.bucket_sources), region=ref.region)
            if assembly.region is None:
                self._submit_locate(assembly, pending)
            elif assembly.done():
                yield assembly.build(self.home_region)
            else:
                self._submit_items(assembly, self.bucket_sources, pending)
        second_chance: list[_Item] = []
        yield from self._drain(pending, second_chance)
        if not second_chance:
            return
        self.stats.refetched += len(second_chance)
        time.sleep(self.refetch_pause_s)
        for assembly, source in second_chance:
            if source is None:
                self._submit_locate(assembly, pending)
            else:
                self._submit_items(assembly, (source,), pending)
        yield from self._drain(pending, None)

    def _drain(
        self, pending: dict[Future[Outcome], _Item], second_chance: list[_Item] | None
    ) -> Iterator[BucketFacts]:
        """Record finished calls until none is pending; a transient failure goes to
        ``second_chance`` when one is given, else it is recorded as it is."""
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                assembly, source = pending.pop(future)
                result, transient = future.result()
                if transient and second_chance is not None:
                    self.stats.calls += 1
                    second_chance.append((assembly, source))
                    continue
                outcome = self._record(result)
                if source is not None:
                    assembly.facts[source.fact] = outcome
                elif isinstance(outcome, FetchError):
                    # Without a region no item can be read: each carries the location error.
                    assembly.facts = {source.fact: outcome for source in self.bucket_sources}
                else:
                    assembly.region = outcome
                    self._submit_items(assembly, self.bucket_sources, pending)
                if assembly.done():
                    yield assembly.build(self.home_region)

    def _submit_locate(self, assembly: _Assembly, pending: dict[Future[Outcome], _Item]) -> None:
        home = self.session.client("s3", self.home_region)
        future = self._pool.submit(_guarded_locate, home, assembly.ref.name, self.account_id)
        pending[future] = (assembly, None)

    def _submit_items(
        self,
        assembly: _Assembly,
        sources: Sequence[FactSource],
        pending: dict[Future[Outcome], _Item],
    ) -> None:
        client = self.session.client("s3", assembly.region)
        for source in sources:
            future = self._pool.submit(
                _guarded_fetch,
                client,
                source,
                Bucket=assembly.ref.name,
                ExpectedBucketOwner=self.account_id,
            )
            pending[future] = (assembly, source)

    def _record(self, outcome: Any) -> Any:
        """Count one finished call (on the consuming thread, so no lock is needed)."""
        self.stats.calls += 1
        if isinstance(outcome, FetchError):
            self.stats.fetch_errors += 1
        return outcome


def _guarded_fetch(client: Any, source: FactSource, **params: str) -> Outcome:
    """`fetch_outcome`, with any unforeseen exception turned into a FetchError for this item
    alone. The traceback goes to the debug log; the ERROR finding names the exception."""
    try:
        return fetch_outcome(client, source, **params)
    except Exception as error:  # one item's surprise must not stop the scan of every bucket
        LOGGER.debug("fetching %s failed unexpectedly", source.operation.name, exc_info=True)
        message = f"{type(error).__name__}: {error}"
        return FetchError("UnexpectedError", message, source.operation.name), False


def _guarded_locate(client: Any, bucket: str, account_id: str) -> Outcome:
    """`locate_outcome`, with any unforeseen exception turned into a FetchError for this
    bucket alone (traceback in the debug log)."""
    try:
        return locate_outcome(client, bucket, account_id)
    except Exception as error:  # one bucket's surprise must not stop the scan of every bucket
        LOGGER.debug("locating bucket %s failed unexpectedly", bucket, exc_info=True)
        message = f"{type(error).__name__}: {error}"
        return FetchError("UnexpectedError", message, GET_BUCKET_LOCATION.name), False
