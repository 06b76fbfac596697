"""The collector against moto: paging, regions, one call per item, faults stay with their bucket."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from moto.s3.models import s3_backends

from estate_scanners.s3.checks import bucket_checks, needed_facts
from estate_scanners.s3.collector import Collector
from estate_scanners.s3.facts import ACCOUNT_FACTS, Fact
from estate_scanners.s3.sources import (
    GET_BUCKET_LOCATION,
    SOURCES,
    required_iam_actions,
)
from tests.support.s3_world import ACCOUNT_ID, S3World, targets_bucket, xml_response

# What the registry's checks need, per bucket: the collector must fetch exactly this.
BUCKET_OPERATIONS = {SOURCES[f].operation.name for f in needed_facts() if not f.is_account_fact}
ACCOUNT_OPERATIONS = len(needed_facts() & ACCOUNT_FACTS)


def list_page(names: list[tuple[str, str | None]], token: str | None) -> str:
    buckets = "".join(
        f"<Bucket><Name>{name}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate>"
        + (f"<BucketRegion>{region}</BucketRegion>" if region else "")
        + "</Bucket>"
        for name, region in names
    )
    continuation = f"<ContinuationToken>{token}</ContinuationToken>" if token else ""
    return (
        '<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        f"<Owner><ID>owner</ID></Owner><Buckets>{buckets}</Buckets>{continuation}"
        "</ListAllMyBucketsResult>"
    )


def serve_pages(
    world: S3World, pages: dict[str | None, tuple[list[tuple[str, str | None]], str | None]]
) -> list[dict[str, list[str]]]:
    """Answer ListBuckets from `pages`, keyed by the request's continuation token."""
    queries: list[dict[str, list[str]]] = []

    def respond(request: Any, **_: Any) -> Any:
        query = parse_qs(urlsplit(request.url).query)
        queries.append(query)
        names, token = pages[query.get("continuation-token", [None])[0]]
        return xml_response(request.url, 200, list_page(names, token))

    world.boto.events.register("before-send.s3.ListBuckets", respond)
    return queries


def test_given_three_listbuckets_pages_when_scanned_then_every_page_is_read(world: S3World) -> None:
    for name in ("alpha", "bravo", "charlie", "delta", "echo"):
        world.bucket(name)
    queries = serve_pages(
        world,
        {
            None: ([("delta", None), ("alpha", None)], "page-2"),
            "page-2": ([("charlie", None)], "page-3"),
            "page-3": ([("bravo", None), ("echo", None)], None),
        },
    )

    result = world.scan()

    assert [q.get("continuation-token") for q in queries] == [None, ["page-2"], ["page-3"]]
    assert all(q["max-buckets"] == ["1000"] for q in queries)
    assert result.resources_scanned == 5
    assert {f["resource_id"] for f in world.findings()} == {
        "alpha",
        "bravo",
        "charlie",
        "delta",
        "echo",
        ACCOUNT_ID,
    }


def test_given_bucket_region_in_the_listing_when_scanned_then_no_location_call_is_made(
    world: S3World,
) -> None:
    world.bucket("listed-in-eu", region="eu-west-1")
    world.bucket("listed-bare")
    serve_pages(world, {None: ([("listed-in-eu", "eu-west-1"), ("listed-bare", None)], None)})

    world.scan()

    locations = [c.bucket for c in world.recorder.calls if c.operation == GET_BUCKET_LOCATION.name]
    assert locations == ["listed-bare"]
    assert {c.region for c in world.recorder.calls if c.bucket == "listed-in-eu"} == {"eu-west-1"}


def test_a_bucket_in_another_region_is_read_through_that_regions_client(world: S3World) -> None:
    world.bucket("home-bucket")
    world.bucket("frankfurt-bucket", region="eu-central-1")

    world.scan()

    calls = [c for c in world.recorder.calls if c.bucket == "frankfurt-bucket"]
    location = [c for c in calls if c.operation == GET_BUCKET_LOCATION.name]
    items = [c for c in calls if c.operation != GET_BUCKET_LOCATION.name]
    assert [c.region for c in location] == ["us-east-1"]
    assert {c.region for c in items} == {"eu-central-1"}
    sent = [s for s in world.recorder.sent if s.host.startswith("frankfurt-bucket.")]
    item_sends = [s for s in sent if s.operation != GET_BUCKET_LOCATION.name]
    assert {s.host for s in item_sends} == {"frankfurt-bucket.s3.eu-central-1.amazonaws.com"}
    assert {s.signing_region for s in item_sends} == {"eu-central-1"}
    assert world.finding("frankfurt-bucket", "s3.versioning")["region"] == "eu-central-1"


def test_each_configuration_item_is_fetched_exactly_once_per_bucket(world: S3World) -> None:
    buckets = [world.bucket(f"bucket-{i}") for i in range(5)]

    result = world.scan()

    per_item = Counter((c.operation, c.bucket) for c in world.recorder.calls if c.bucket)
    assert set(per_item.values()) == {1}
    assert {operation for operation, _ in per_item} == BUCKET_OPERATIONS | {
        GET_BUCKET_LOCATION.name
    }
    # ListBuckets, one call per account fact, and per bucket its location and items (a
    # bucket without access points and an account without trails need no follow-up call).
    expected_calls = 1 + ACCOUNT_OPERATIONS + len(buckets) * (1 + len(BUCKET_OPERATIONS))
    assert len(world.recorder.calls) == result.calls == expected_calls


# Operation -> IAM action, written from the Service Authorization Reference and docs/emulator-facts.md,
# not from the code's SOURCES table: several names differ between the API and IAM.
IAM_ACTION_OF_OPERATION = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketLocation"): "s3:GetBucketLocation",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3-control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
    ("s3", "GetBucketAcl"): "s3:GetBucketAcl",
    ("s3", "GetBucketPolicy"): "s3:GetBucketPolicy",
    ("s3", "GetBucketLogging"): "s3:GetBucketLogging",
    ("s3", "GetBucketVersioning"): "s3:GetBucketVersioning",
    ("s3", "GetBucketLifecycleConfiguration"): "s3:GetLifecycleConfiguration",
    ("s3", "GetBucketOwnershipControls"): "s3:GetBucketOwnershipControls",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetBucketNotificationConfiguration"): "s3:GetBucketNotification",
    ("s3", "GetObjectLockConfiguration"): "s3:GetBucketObjectLockConfiguration",
    ("s3", "GetBucketReplication"): "s3:GetReplicationConfiguration",
    ("s3", "GetBucketTagging"): "s3:GetBucketTagging",
    ("s3-control", "ListAccessPoints"): "s3:ListAccessPoints",
    ("s3-control", "GetAccessPoint"): "s3:GetAccessPoint",
    ("s3-control", "ListMultiRegionAccessPoints"): "s3:ListMultiRegionAccessPoints",
    ("cloudtrail", "DescribeTrails"): "cloudtrail:DescribeTrails",
    ("cloudtrail", "GetEventSelectors"): "cloudtrail:GetEventSelectors",
}


def test_the_calls_made_are_exactly_the_iam_actions_the_registry_derives(world: S3World) -> None:
    world.bucket("bucket-a")
    world.access_point("bucket-a", "bucket-a-ap")  # so the follow-up calls are made too
    world.trail("audit")

    world.scan()

    called = set(world.recorder.operations())
    assert called <= set(IAM_ACTION_OF_OPERATION), "a call the table above does not know"
    used = {IAM_ACTION_OF_OPERATION[key] for key in called}
    assert used == required_iam_actions()


def test_access_denied_on_one_bucket_gives_error_for_that_bucket_only(world: S3World) -> None:
    world.bucket("healthy-bucket")
    world.bucket("locked-bucket")
    world.bucket("zebra-bucket")
    world.fail_bucket("locked-bucket", code="AccessDenied", status=403)

    result = world.scan()

    locked = [f for f in world.findings() if f["resource_id"] == "locked-bucket"]
    assert len(locked) == len(bucket_checks())
    assert {f["status"] for f in locked} == {"ERROR"}
    versioning = world.finding("locked-bucket", "s3.versioning")
    assert (
        versioning["message"] == "Could not evaluate: GetBucketLocation failed with AccessDenied."
    )
    assert versioning["evidence"] == {
        "errors": {
            "versioning": {
                "code": "AccessDenied",
                "message": "AccessDenied injected for locked-bucket",
                "operation": "GetBucketLocation",
            }
        }
    }
    for other in ("healthy-bucket", "zebra-bucket"):
        assert {f["status"] for f in world.findings() if f["resource_id"] == other} <= {
            "PASS",
            "FAIL",
        }
    assert result.fetch_errors == 1
    assert result.resources_scanned == 3


def test_access_denied_on_one_item_errors_only_the_checks_that_need_it(world: S3World) -> None:
    world.bucket("partly-denied", region="eu-west-1")
    world.fail_bucket("partly-denied", code="AccessDenied", operation="GetBucketPolicy")

    world.scan()

    statuses = {
        f["check_id"]: f["status"] for f in world.findings() if f["resource_id"] == "partly-denied"
    }
    errored = {check for check, status in statuses.items() if status == "ERROR"}
    # Exactly the checks that read the policy (public read/write among them: the ACL is
    # private but the policy is unknown and no block settles it).
    assert errored == {check.check_id for check in bucket_checks() if Fact.POLICY in check.needs}
    assert {"s3.tls_only", "s3.public_read", "s3.public_write"} <= errored
    tls = world.finding("partly-denied", "s3.tls_only")
    assert tls["message"] == "Could not evaluate: GetBucketPolicy failed with AccessDenied."
    assert tls["evidence"]["errors"]["policy"]["code"] == "AccessDenied"


def test_a_denied_not_configured_style_call_is_error_never_fail(world: S3World) -> None:
    world.bucket("no-encryption-read")
    world.fail_bucket("no-encryption-read", code="AccessDenied", operation="GetBucketEncryption")

    world.scan()

    for check in ("s3.default_encryption", "s3.kms_encryption"):
        finding = world.finding("no-encryption-read", check)
        assert finding["status"] == "ERROR"
        assert finding["evidence"]["errors"]["encryption"]["operation"] == "GetBucketEncryption"


def test_throttling_on_the_first_attempts_is_retried_and_succeeds(
    world: S3World, inject_faults: Callable[..., Any]
) -> None:
    world.bucket("busy-bucket")
    client = world.session.client("s3", "us-east-1")
    injector = inject_faults(client, "GetBucketVersioning", code="SlowDown", status=503, times=2)
    world.admin().put_bucket_versioning(
        Bucket="busy-bucket", VersioningConfiguration={"Status": "Enabled"}
    )

    result = world.scan()

    assert injector.injected == 2
    assert injector.calls == 3
    assert world.finding("busy-bucket", "s3.versioning")["status"] == "PASS"
    assert result.fetch_errors == 0


def test_throttling_beyond_the_retry_budget_is_an_error_for_that_item(
    world: S3World, inject_faults: Callable[..., Any]
) -> None:
    world.bucket("overloaded-bucket")
    client = world.session.client("s3", "us-east-1")
    injector = inject_faults(client, "GetBucketLogging", code="SlowDown", status=503, times=None)

    result = world.scan()

    finding = world.finding("overloaded-bucket", "s3.access_logging")
    # The world's bounded attempt count, twice: the batch, then the second-chance pass.
    assert injector.calls == 2 * 4
    assert result.fetch_errors == 1
    assert finding["status"] == "ERROR"
    assert finding["evidence"]["errors"]["logging"]["code"] == "SlowDown"
    assert world.finding("overloaded-bucket", "s3.versioning")["status"] == "FAIL"


def test_a_shard_bucket_deleted_before_the_scan_is_error_in_the_home_region(world: S3World) -> None:
    world.bucket("still-here")

    world.scan(buckets=["still-here", "already-gone"], include_account_checks=False)

    gone = [f for f in world.findings() if f["resource_id"] == "already-gone"]
    assert {f["status"] for f in gone} == {"ERROR"}
    assert {f["region"] for f in gone} == {"us-east-1"}
    assert (
        gone[0]["evidence"]["errors"][next(iter(gone[0]["evidence"]["errors"]))]["code"]
        == "NoSuchBucket"
    )
    assert world.finding("still-here", "s3.versioning")["status"] == "FAIL"


def test_an_unexpected_fault_locating_one_bucket_errors_that_bucket_and_the_scan_goes_on(
    world: S3World,
) -> None:
    for name in ("healthy-bucket", "cursed-bucket", "zebra-bucket"):
        world.bucket(name)

    def explode(request: Any, **_: Any) -> None:
        if targets_bucket(request.url, "cursed-bucket"):
            raise RuntimeError("the wire caught fire")

    world.boto.events.register(f"before-send.s3.{GET_BUCKET_LOCATION.name}", explode)

    result = world.scan()

    assert result.resources_scanned == 3
    cursed = [f for f in world.findings() if f["resource_id"] == "cursed-bucket"]
    assert len(cursed) == len(bucket_checks())
    assert {f["status"] for f in cursed} == {"ERROR"}
    versioning = world.finding("cursed-bucket", "s3.versioning")
    assert versioning["message"] == (
        "Could not evaluate: GetBucketLocation failed with UnexpectedError."
    )
    assert versioning["evidence"]["errors"]["versioning"]["message"] == (
        "RuntimeError: the wire caught fire"
    )
    for name in ("healthy-bucket", "zebra-bucket"):
        statuses = {f["status"] for f in world.findings() if f["resource_id"] == name}
        assert "ERROR" not in statuses


def _cut_pages(world: S3World, served: int) -> list[dict[str, list[str]]]:
    """Paged ListBuckets answers the first ``served`` buckets and no token (what moto does
    at 1,000); the unpaged call goes to moto and answers in full."""
    queries: list[dict[str, list[str]]] = []

    def respond(request: Any, **_: Any) -> Any:
        query = parse_qs(urlsplit(request.url).query)
        queries.append(query)
        if "max-buckets" not in query:
            return None
        names = sorted(b["Name"] for b in world.admin().list_buckets()["Buckets"])[:served]
        return xml_response(request.url, 200, list_page([(n, None) for n in names], None))

    world.boto.events.register("before-send.s3.ListBuckets", respond)
    return queries


def test_a_full_page_without_a_token_is_confirmed_by_an_unpaged_listing(world: S3World) -> None:
    names = [world.bucket(f"bucket-{index}") for index in range(5)]
    queries = _cut_pages(world, served=2)

    with Collector(world.session, account_id=ACCOUNT_ID, facts=()) as collector:
        listed = collector.list_buckets(page_size=2)

    assert [ref.name for ref in listed] == sorted(names)
    assert [("max-buckets" in q) for q in queries] == [True, False]


def test_a_page_short_of_full_is_trusted_without_a_second_listing(world: S3World) -> None:
    for index in range(3):
        world.bucket(f"bucket-{index}")
    queries = _cut_pages(world, served=3)

    with Collector(world.session, account_id=ACCOUNT_ID, facts=()) as collector:
        listed = collector.list_buckets(page_size=4)

    assert len(listed) == 3 and len(queries) == 1


def test_an_account_of_2001_buckets_is_listed_in_full_on_moto(world: S3World) -> None:
    """moto answers ListBuckets(MaxBuckets=1000) with 1,000 buckets and no token."""
    backend = s3_backends[ACCOUNT_ID]["aws"]
    names = [f"bulk-{index:05d}" for index in range(2001)]
    for name in names:  # straight into moto's backend: 2,001 CreateBucket calls take ~20 s
        backend.create_bucket(name, "us-east-1")

    with Collector(world.session, account_id=ACCOUNT_ID, facts=()) as collector:
        listed = collector.list_buckets()

    assert [ref.name for ref in listed] == names
