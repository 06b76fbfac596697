"""The multi-call sources (access points, multi-Region access points, trails) against moto.

Each source's own `read` is called with the parameters the collector passes, through real
boto3 clients on moto, and its parser and check judge the answer: this holds whether or
not the collector already calls `FactSource.call`. Where moto lacks a shape AWS sends
(GetEventSelectors refused for one trail), the answer is crafted through a botocore
before-send hook so it still goes through botocore's parsing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from estate_scanners.s3.check_model import BucketSubject
from estate_scanners.s3.checks import (
    access_point_public_access_block,
    data_events_read,
    data_events_write,
    multi_region_access_point_public_access_block,
)
from estate_scanners.s3.facts import AccountFacts, BucketFacts, Fact
from estate_scanners.s3.reads import MULTI_REGION_CONTROL_REGION, pages
from estate_scanners.s3.sources import SOURCES
from tests.support.s3_world import ACCOUNT_ID, HOME_REGION, S3World, block_flags

ALL_ON = dict.fromkeys(
    ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"),
    True,
)


def read_fact(fact: Fact, service: str, region: str = HOME_REGION, **params: str) -> Any:
    source = SOURCES[fact]
    client = boto3.client(service, region_name=source.region or region)
    return source.parse(source.call(client, **params))


def account_with(**facts: Any) -> AccountFacts:
    return AccountFacts(ACCOUNT_ID, HOME_REGION).with_facts(
        {Fact(name): value for name, value in facts.items()}
    )


# --- S3.19 access points ---------------------------------------------------------------


def test_access_points_of_the_bucket_are_read_with_their_flags(world: S3World) -> None:
    world.bucket("data")
    world.bucket("other")
    world.access_point("data", "data-open", block_public_acls=True)
    world.access_point("data", "data-closed", **ALL_ON)
    world.access_point("other", "other-ap", **ALL_ON)

    points = read_fact(
        Fact.ACCESS_POINTS, "s3control", Bucket="data", ExpectedBucketOwner=ACCOUNT_ID
    )

    assert {p.name for p in points.points} == {"data-open", "data-closed"}
    subject = BucketSubject(
        BucketFacts("data", HOME_REGION, "arn:aws:s3:::data", access_points=points),
        account_with(),
    )
    verdict = access_point_public_access_block.CHECK.judge(subject)
    assert verdict.status == "FAIL"
    assert verdict.evidence["open_access_points"] == ["data-open"]


def test_a_bucket_without_access_points_passes(world: S3World) -> None:
    world.bucket("plain")
    points = read_fact(
        Fact.ACCESS_POINTS, "s3control", Bucket="plain", ExpectedBucketOwner=ACCOUNT_ID
    )
    subject = BucketSubject(
        BucketFacts("plain", HOME_REGION, "arn:aws:s3:::plain", access_points=points),
        account_with(),
    )
    verdict = access_point_public_access_block.CHECK.judge(subject)
    assert (verdict.status, verdict.message) == ("PASS", "Bucket plain has no access points.")


# --- S3.24 multi-Region access points ----------------------------------------------------


def create_mrap(name: str, bucket: str, **flags: bool) -> None:
    boto3.client("s3control", region_name=MULTI_REGION_CONTROL_REGION).create_multi_region_access_point(
        AccountId=ACCOUNT_ID,
        ClientToken=name,
        Details={
            "Name": name,
            "PublicAccessBlock": block_flags(**flags),
            "Regions": [{"Bucket": bucket}],
        },
    )  # fmt: skip


def test_multi_region_access_points_are_read_from_us_west_2(world: S3World) -> None:
    world.bucket("replica")
    create_mrap("open-mrap", "replica", block_public_acls=True)
    create_mrap("closed-mrap", "replica", **ALL_ON)

    assert SOURCES[Fact.MULTI_REGION_ACCESS_POINTS].region == "us-west-2"
    points = read_fact(Fact.MULTI_REGION_ACCESS_POINTS, "s3control", AccountId=ACCOUNT_ID)

    assert {p.name for p in points.points} == {"open-mrap", "closed-mrap"}
    verdict = multi_region_access_point_public_access_block.CHECK.judge(
        account_with(multi_region_access_points=points)
    )
    assert verdict.status == "FAIL"
    assert verdict.evidence["open_access_points"] == ["open-mrap"]


# --- S3.22 / S3.23 data events -------------------------------------------------------------

ALL_S3_WRITES = [
    {"FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Data"]},
        {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
        {"Field": "readOnly", "Equals": ["false"]},
    ]}
]  # fmt: skip


def trails_verdicts() -> tuple[str, str]:
    trails = read_fact(Fact.TRAILS, "cloudtrail", AccountId=ACCOUNT_ID)
    account = account_with(trails=trails)
    return (
        data_events_write.CHECK.judge(account).status,
        data_events_read.CHECK.judge(account).status,
    )


def test_an_account_without_trails_fails_both(world: S3World) -> None:
    assert trails_verdicts() == ("FAIL", "FAIL")


def test_advanced_selectors_for_all_writes_pass_writes_only(world: S3World) -> None:
    world.trail("audit", AdvancedEventSelectors=ALL_S3_WRITES)
    assert trails_verdicts() == ("PASS", "FAIL")


def test_basic_selectors_for_all_buckets_and_all_events_pass_both(world: S3World) -> None:
    world.trail(
        "audit",
        EventSelectors=[
            {
                "ReadWriteType": "All",
                "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
            }
        ],
    )
    assert trails_verdicts() == ("PASS", "PASS")


def test_a_single_region_trail_is_not_credited(world: S3World) -> None:
    world.trail("local", multi_region=False, AdvancedEventSelectors=ALL_S3_WRITES)
    assert trails_verdicts() == ("FAIL", "FAIL")


def test_selectors_refused_for_the_only_trail_give_error_not_fail(
    world: S3World, inject_faults: Callable[..., Any]
) -> None:
    """moto answers every GetEventSelectors; AWS may refuse an organization trail's to a
    member account. The refusal is crafted and goes through botocore's parsing."""
    world.trail("org-trail", AdvancedEventSelectors=ALL_S3_WRITES)
    client = boto3.client("cloudtrail", region_name=HOME_REGION)
    inject_faults(
        client, "GetEventSelectors", code="AccessDeniedException", times=None, message="not yours"
    )
    source = SOURCES[Fact.TRAILS]
    trails = source.parse(source.call(client, AccountId=ACCOUNT_ID))

    verdict = data_events_write.CHECK.judge(account_with(trails=trails))
    assert verdict.status == "ERROR"
    assert trails.trails[0].selectors_error == "AccessDeniedException"
    assert "GetEventSelectors failed" in verdict.message


def test_pages_follow_next_token_and_refuse_a_repeating_one() -> None:
    answers: dict[str | None, dict[str, Any]] = {
        None: {"Items": [1], "NextToken": "a"},
        "a": {"Items": [2]},
    }
    seen = list(pages(lambda **p: answers[p.get("NextToken")]))
    assert [page["Items"] for page in seen] == [[1], [2]]

    looping: dict[str | None, dict[str, Any]] = {None: {"NextToken": "a"}, "a": {"NextToken": "a"}}
    with pytest.raises(ValueError, match="repeated"):
        list(pages(lambda **p: looping[p.get("NextToken")]))
