"""Fetch every needed configuration item of every bucket once, concurrently, through its own region.

Which items are fetched is derived from the check registry's `needs`. Each bucket is
read through a client of the region it lives in: `BucketRegion` from ListBuckets when
the answer carries it, else one GetBucketLocation call. Every bucket call carries
`ExpectedBucketOwner`, so a shard naming somebody else's bucket gets AccessDenied
(ERROR) instead of reporting a stranger's bucket as ours (moto ignores the header).

Calls run on a bounded thread pool; a bucket's facts are yielded as soon as its last
item arrives, so memory holds only the buckets in flight.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from estate_runtime.aws import TargetSession
from estate_runtime.closing import ClosesOnExit
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
from estate_scanners.s3.sources import GET_BUCKET_LOCATION, SOURCES, FactSource

LOGGER = logging.getLogger(__name__)

# Measured (bench/scan_latency.py, 50 ms per call): 16 threads wait on the network (43.5 s for
# 1,000 buckets), 64 make botocore's client CPU the bound (14.9 s); more gains nothing.
DEFAULT_CONCURRENCY = 64
LIST_BUCKETS_PAGE_SIZE = 1000
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
    """What the collector did: AWS calls made and how many ended in a FetchError."""

    calls: int = 0
    fetch_errors: int = 0


def list_bucket_pages(
    client: Any, *, page_size: int = LIST_BUCKETS_PAGE_SIZE
) -> Iterator[list[BucketRef]]:
    """ListBuckets page by page, following ContinuationToken until there is none."""
    token: str | None = None
    while True:
        request: dict[str, Any] = {"MaxBuckets": page_size}
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


def fetch(client: Any, source: FactSource, **params: str) -> Fetched[Any]:
    """One configuration item: parsed value, NotConfigured for its own codes, else FetchError."""
    operation = source.operation.name
    try:
        response = getattr(client, source.operation.method)(**params)
    except ClientError as error:
        details = error.response.get("Error", {})
        code = str(details.get("Code") or "Unknown")
        if code in source.not_configured_codes:
            return NotConfigured(code)
        return FetchError(code, str(details.get("Message") or error), operation)
    except BotoCoreError as error:
        return FetchError(type(error).__name__, str(error), operation)
    try:
        return source.parse(response)
    except MalformedPolicyError as error:
        return FetchError("MalformedPolicy", str(error), operation)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        return FetchError("UnexpectedResponse", f"{type(error).__name__}: {error}", operation)


def locate(client: Any, bucket: str, account_id: str) -> str | FetchError:
    """The bucket's region from GetBucketLocation, or the error that prevented it."""
    try:
        answer = client.get_bucket_location(Bucket=bucket, ExpectedBucketOwner=account_id)
    except ClientError as error:
        details = error.response.get("Error", {})
        return FetchError(
            str(details.get("Code") or "Unknown"),
            str(details.get("Message") or error),
            GET_BUCKET_LOCATION.name,
        )
    except BotoCoreError as error:
        return FetchError(type(error).__name__, str(error), GET_BUCKET_LOCATION.name)
    constraint = answer.get("LocationConstraint")
    return str(LEGACY_LOCATIONS.get(constraint, constraint))


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


class Collector(ClosesOnExit):
    """Fetches facts for buckets of one account on a bounded pool; use as a context manager."""

    def __init__(
        self,
        session: TargetSession,
        *,
        account_id: str,
        facts: Iterable[Fact],
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        wanted = frozenset(facts)
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

    def list_buckets(self) -> list[BucketRef]:
        """Every bucket of the account, sorted by name."""
        client = self.session.client("s3", self.home_region)
        refs: list[BucketRef] = []
        for page in list_bucket_pages(client):
            self.stats.calls += 1
            refs.extend(page)
        return sorted(refs, key=lambda ref: ref.name)

    def account_facts(self) -> AccountFacts:
        """The account-level facts, one call each."""
        facts = AccountFacts(account_id=self.account_id, region=self.home_region)
        for source in self.account_sources:
            client = self.session.client(source.operation.service, self.home_region)
            value = self._record(fetch(client, source, AccountId=self.account_id))
            if source.fact is Fact.ACCOUNT_PUBLIC_ACCESS_BLOCK:
                facts = AccountFacts(self.account_id, self.home_region, public_access_block=value)
        return facts

    def collect(self, refs: Sequence[BucketRef]) -> Iterator[BucketFacts]:
        """Each bucket's facts, yielded as soon as all of its items have arrived."""
        pending: dict[Future[Any], tuple[_Assembly, FactSource | None]] = {}
        for ref in refs:
            assembly = _Assembly(ref, expected=len(self.bucket_sources), region=ref.region)
            if assembly.region is None:
                home = self.session.client("s3", self.home_region)
                future = self._pool.submit(_guarded_locate, home, ref.name, self.account_id)
                pending[future] = (assembly, None)
            elif assembly.done():
                yield assembly.build(self.home_region)
            else:
                self._submit_items(assembly, pending)
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                assembly, source = pending.pop(future)
                outcome = self._record(future.result())
                if source is not None:
                    assembly.facts[source.fact] = outcome
                elif isinstance(outcome, FetchError):
                    # Without a region no item can be read: each carries the location error.
                    assembly.facts = {source.fact: outcome for source in self.bucket_sources}
                else:
                    assembly.region = outcome
                    self._submit_items(assembly, pending)
                if assembly.done():
                    yield assembly.build(self.home_region)

    def _submit_items(
        self, assembly: _Assembly, pending: dict[Future[Any], tuple[_Assembly, FactSource | None]]
    ) -> None:
        client = self.session.client("s3", assembly.region)
        for source in self.bucket_sources:
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


def _guarded_fetch(client: Any, source: FactSource, **params: str) -> Fetched[Any]:
    """`fetch`, with any unforeseen exception turned into a FetchError for this item alone."""
    try:
        return fetch(client, source, **params)
    except Exception as error:  # one item's surprise must not stop the scan of every bucket
        LOGGER.exception("fetching %s failed unexpectedly", source.operation.name)
        return FetchError(
            "UnexpectedError", f"{type(error).__name__}: {error}", source.operation.name
        )


def _guarded_locate(client: Any, bucket: str, account_id: str) -> str | FetchError:
    """`locate`, with any unforeseen exception turned into a FetchError for this bucket alone."""
    try:
        return locate(client, bucket, account_id)
    except Exception as error:  # one bucket's surprise must not stop the scan of every bucket
        LOGGER.exception("locating bucket %s failed unexpectedly", bucket)
        return FetchError(
            "UnexpectedError", f"{type(error).__name__}: {error}", GET_BUCKET_LOCATION.name
        )
