"""Faults injected through botocore's before-send hook into real parsing and retries: an
empty or garbage answer is ERROR (never "nothing configured"), a transient failure gets a
second chance, the retry quota does not starve 64 threads, and a failed listing writes
nothing."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from urllib3.response import HTTPResponse

from estate_scanners.s3.checks import bucket_checks
from estate_scanners.s3.collector import BucketListingFailed
from estate_scanners.s3.facts import BUCKET_FACTS
from estate_scanners.s3.sources import SOURCES
from tests.support.s3_world import S3World, error_response, targets_bucket

BUCKET_OPERATIONS = sorted(SOURCES[fact].operation.name for fact in BUCKET_FACTS)


def answer_200(url: str, body: bytes) -> AWSResponse:
    headers = {"Content-Type": "application/xml"}
    return AWSResponse(
        url, 200, headers, HTTPResponse(body=io.BytesIO(body), preload_content=False)
    )


def answer(
    world: S3World, operation: str, respond: Callable[[Any, int], AWSResponse | None]
) -> None:
    """Every request of ``operation`` goes to ``respond(request, attempt)`` (attempt from 1)."""
    attempts: Counter[str] = Counter()

    def hook(request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        if not event_name.endswith(f".{operation}"):
            return None
        attempts[request.url] += 1
        return respond(request, attempts[request.url])

    for service in ("s3", "s3-control"):  # access points are read through S3 Control
        world.boto.events.register(f"before-send.{service}", hook)


def checks_needing(operation: str, *, partial: bool) -> set[str]:
    """Checks whose `needs` include the operation's fact: those that judge partial facts
    (and may decide without it), or the others."""
    facts = {fact for fact in BUCKET_FACTS if SOURCES[fact].operation.name == operation}
    return {
        check.check_id
        for check in bucket_checks()
        if check.needs & facts and check.judges_partial_facts == partial
    }


def statuses(world: S3World, bucket: str) -> dict[str, str]:
    return {f["check_id"]: f["status"] for f in world.findings() if f["resource_id"] == bucket}


@pytest.mark.parametrize("body", [b"", b"<Trunc"], ids=repr)
def test_an_empty_or_unparseable_answer_is_error_for_exactly_the_checks_that_needed_it(
    world: S3World, body: bytes
) -> None:
    """One bucket per operation; each bucket's answers of its operation are ``body``."""
    targets = {operation: world.bucket(f"t-{operation.lower()}") for operation in BUCKET_OPERATIONS}
    world.scan()
    baseline = {bucket: statuses(world, bucket) for bucket in targets.values()}
    world = rebuilt(world)
    world.sink.objects.clear()
    for operation, bucket in targets.items():
        answer(
            world,
            operation,
            lambda request, _, bucket=bucket: (  # type: ignore[misc]
                answer_200(request.url, body) if targets_bucket(request.url, bucket) else None
            ),
        )

    world.scan()

    for operation, bucket in targets.items():
        now = statuses(world, bucket)
        errored = {check for check, status in now.items() if status == "ERROR"}
        # Every check that cannot judge without the item is ERROR; one that judges partial
        # facts is ERROR or, when the rest decides it, what it was with the item read.
        assert checks_needing(operation, partial=False) <= errored, operation
        assert errored <= checks_needing(operation, partial=False) | checks_needing(
            operation, partial=True
        ), operation
        unchanged = {c: s for c, s in baseline[bucket].items() if c not in errored}
        assert {c: s for c, s in now.items() if c not in errored} == unchanged, operation


def rebuilt(world: S3World) -> S3World:
    """A fresh session over the same moto account (hooks bind when clients are built)."""
    fresh = S3World()
    fresh.sink = world.sink
    return fresh


def test_an_answer_that_fails_transiently_gets_a_second_chance_after_the_batch(
    world: S3World,
) -> None:
    world.bucket("flaky")
    world.admin().put_bucket_versioning(
        Bucket="flaky", VersioningConfiguration={"Status": "Enabled"}
    )
    # Empty on every attempt of the batch (botocore does not retry an unusable answer),
    # then the real answer on the second-chance pass.
    answer(
        world,
        "GetBucketVersioning",
        lambda request, attempt: answer_200(request.url, b"") if attempt == 1 else None,
    )

    result = world.scan()

    assert statuses(world, "flaky")["s3.versioning"] == "PASS"
    assert result.fetch_errors == 0


def test_the_retry_quota_does_not_starve_threads_sharing_a_client(
    world: S3World, no_retry_sleep: list[float]
) -> None:
    """botocore's per-client quota (500, 14 per retry, 14 back per success) runs dry after
    about 18 calls that each needed three retries; the quota sized to the pool does not."""
    names = [world.bucket(f"busy-{index:02d}") for index in range(24)]
    answer(
        world,
        "GetBucketVersioning",
        lambda request, attempt: (
            error_response(request.url, 500, "InternalError", "injected") if attempt < 4 else None
        ),
    )

    result = world.scan(refetch_pause_s=0.0)

    assert {statuses(world, name)["s3.versioning"] for name in names} == {"FAIL"}
    assert result.fetch_errors == 0
    assert len(no_retry_sleep) == 3 * len(names)  # every retry the attempt limit allows


def test_a_failed_bucket_listing_raises_one_line_and_writes_nothing(world: S3World) -> None:
    world.bucket("any")
    answer(
        world,
        "ListBuckets",
        lambda request, _: error_response(request.url, 403, "AccessDenied", "no listing"),
    )

    with pytest.raises(BucketListingFailed) as failed:
        world.scan()

    assert "ListBuckets failed with AccessDenied" in str(failed.value)
    assert len(str(failed.value).splitlines()) == 1
    assert world.sink.objects == {}


def test_an_empty_bucket_listing_answer_is_a_failure_not_an_empty_account(
    world: S3World,
) -> None:
    world.bucket("present")
    answer(world, "ListBuckets", lambda request, _: answer_200(request.url, b""))

    with pytest.raises(BucketListingFailed, match="UnusableResponse"):
        world.scan()
    assert world.sink.objects == {}


def test_a_fault_on_one_bucket_leaves_the_others_judged(world: S3World) -> None:
    world.bucket("fine")
    world.bucket("broken")
    answer(
        world,
        "GetBucketAcl",
        lambda request, _: (
            answer_200(request.url, b"<") if targets_bucket(request.url, "broken") else None
        ),
    )

    world.scan()

    assert "ERROR" not in statuses(world, "fine").values()
    assert statuses(world, "broken")["s3.public_read"] == "ERROR"
