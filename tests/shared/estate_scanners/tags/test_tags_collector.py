"""The collector: every live instance of every region, page by page, in parallel."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from estate_runtime.aws import client_config
from estate_runtime.deadline import Deadline
from estate_scanners.tags.collector import LIVE_STATES, InstancePage, collect_instances

REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2")


def clients(max_attempts: int = 2) -> dict[str, Any]:
    config = client_config(max_attempts=max_attempts)
    return {region: boto3.client("ec2", region_name=region, config=config) for region in REGIONS}


def ids(prefix: str, count: int) -> list[tuple[str, dict[str, str]]]:
    return [(f"i-{prefix}{number:08x}", {"Name": f"n{number}"}) for number in range(count)]


def test_every_page_is_followed_by_its_token_with_max_results_and_live_states_only(
    aws_credentials: None, crafted_pages: Callable[..., Any]
) -> None:
    ec2 = clients()
    pages = [ids("a", 1000), ids("b", 1000), ids("c", 5)]
    crafted = crafted_pages(ec2["eu-west-1"], pages)
    seen: list[InstancePage] = []
    (outcome,) = collect_instances(lambda region: ec2[region], ["eu-west-1"], on_page=seen.append)
    assert (outcome.status, outcome.pages, outcome.next_token) == ("complete", 3, None)
    assert [len(page.instances) for page in seen] == [1000, 1000, 5]
    assert len({i.instance_id for page in seen for i in page.instances}) == 2005
    assert seen[2].instances[4].tags == {"Name": "n4"}
    assert [request.get("NextToken") for request in crafted.requests] == [
        None,
        ["page-1"],
        ["page-2"],
    ]
    for request in crafted.requests:
        assert request["MaxResults"] == ["1000"]
        assert request["Filter.1.Name"] == ["instance-state-name"]
        states = [value for name, value in request.items() if name.startswith("Filter.1.Value.")]
        assert sorted(v for (v,) in states) == sorted(LIVE_STATES)
        assert "terminated" not in LIVE_STATES
        assert "shutting-down" not in LIVE_STATES


def test_a_start_token_resumes_the_region_where_it_stopped(
    aws_credentials: None, crafted_pages: Callable[..., Any]
) -> None:
    ec2 = clients()
    crafted = crafted_pages(ec2["eu-west-1"], [ids("a", 2), ids("b", 2), ids("c", 2)])
    seen: list[InstancePage] = []
    collect_instances(
        lambda region: ec2[region],
        ["eu-west-1"],
        on_page=seen.append,
        start_tokens={"eu-west-1": "page-1"},
    )
    assert [request.get("NextToken") for request in crafted.requests] == [["page-1"], ["page-2"]]
    assert [page.instances[0].instance_id for page in seen] == ["i-b00000000", "i-c00000000"]


def test_moto_tokens_round_trip_across_reservations(
    mocked_aws: None, launch: Callable[..., list[str]]
) -> None:
    ec2 = clients()
    launched = [i for _ in range(5) for i in launch(ec2["eu-west-1"], count=2)]
    seen: list[InstancePage] = []
    (outcome,) = collect_instances(
        lambda region: ec2[region], ["eu-west-1"], on_page=seen.append, page_size=2
    )
    # moto pages by reservation: 2 reservations (4 instances) per page, 3 pages.
    assert outcome.pages == 3
    assert sorted(i.instance_id for page in seen for i in page.instances) == sorted(launched)


def test_terminated_instances_are_not_collected(
    mocked_aws: None, launch: Callable[..., list[str]]
) -> None:
    ec2 = clients()
    live = launch(ec2["eu-west-1"], count=2)
    gone = launch(ec2["eu-west-1"], count=2)
    ec2["eu-west-1"].terminate_instances(InstanceIds=gone)
    stopped = launch(ec2["eu-west-1"], count=1)
    ec2["eu-west-1"].stop_instances(InstanceIds=stopped)
    seen: list[InstancePage] = []
    collect_instances(lambda region: ec2[region], ["eu-west-1"], on_page=seen.append)
    assert sorted(i.instance_id for page in seen for i in page.instances) == sorted(live + stopped)


def test_regions_are_paged_at_the_same_time(
    mocked_aws: None, launch: Callable[..., list[str]]
) -> None:
    ec2 = clients()
    barrier = threading.Barrier(len(REGIONS), timeout=10)
    met: list[str] = []

    def wait_for_the_others(request: Any, **_: Any) -> None:
        barrier.wait()  # breaks (and the test fails) unless every region is in flight at once
        met.append(request.url)

    for client in ec2.values():
        launch(client)
        client.meta.events.register("before-send.ec2.DescribeInstances", wait_for_the_others)
    outcomes = collect_instances(
        lambda region: ec2[region], REGIONS, on_page=lambda _: None, concurrency=3
    )
    assert [outcome.status for outcome in outcomes] == ["complete"] * 3
    assert len(met) == 3


def test_a_failing_region_is_reported_and_the_others_complete(
    mocked_aws: None, launch: Callable[..., list[str]], inject_faults: Callable[..., Any]
) -> None:
    ec2 = clients()
    for client in ec2.values():
        launch(client)
    inject_faults(
        ec2["us-east-1"], "DescribeInstances", code="UnauthorizedOperation", times=None, status=403
    )
    seen: list[InstancePage] = []
    outcomes = collect_instances(lambda region: ec2[region], REGIONS, on_page=seen.append)
    assert [outcome.status for outcome in outcomes] == ["complete", "failed", "complete"]
    error = outcomes[1].error
    assert error is not None
    assert "UnauthorizedOperation" in str(error)
    assert sorted(page.region for page in seen) == ["ap-southeast-2", "eu-west-1"]


def test_the_deadline_stops_before_a_page_and_keeps_the_token(
    aws_credentials: None, crafted_pages: Callable[..., Any], lambda_context: Callable[..., Any]
) -> None:
    ec2 = clients()
    crafted_pages(ec2["eu-west-1"], [ids("a", 3), ids("b", 3), ids("c", 3)])
    # 3,000 ms is the first estimate of a page: two checks pass, the third does not.
    context = lambda_context(remaining_ms=3_900, ms_per_check=500)
    seen: list[InstancePage] = []
    (outcome,) = collect_instances(
        lambda region: ec2[region],
        ["eu-west-1"],
        on_page=seen.append,
        deadline=Deadline.from_context(context, reserve_ms=0),
    )
    assert (outcome.status, outcome.next_token, outcome.pages) == ("stopped", "page-2", 2)
    assert len(seen) == 2


def test_a_bug_in_the_page_handler_is_raised_not_reported(
    mocked_aws: None, launch: Callable[..., list[str]]
) -> None:
    ec2 = clients()
    for client in ec2.values():
        launch(client)

    def broken(page: InstancePage) -> None:
        raise KeyError("a bug")

    with pytest.raises(KeyError, match="a bug"):
        collect_instances(lambda region: ec2[region], REGIONS, on_page=broken)


def test_no_regions_means_nothing_to_do() -> None:
    assert collect_instances(lambda _: None, [], on_page=lambda _: None) == []
    with pytest.raises(ValueError, match="concurrency"):
        collect_instances(lambda _: None, ["eu-west-1"], on_page=lambda _: None, concurrency=0)
