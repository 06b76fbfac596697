"""The tag scan under moto: one finding per live instance, errors per region, continuations."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest
from botocore.awsrequest import AWSResponse
from urllib3.response import HTTPResponse

from estate_runtime.aws import TargetSession, client_config, target_session
from estate_runtime.deadline import Deadline
from estate_runtime.findings import load_schema
from estate_runtime.report_writer import MemorySink
from estate_scanners.planner import tag_items
from estate_scanners.scan_result import ScanResult
from estate_scanners.tags.continuation import RegionContinuation
from estate_scanners.tags.rules import TagRule, TagRuleSet
from estate_scanners.tags.scan import scan_tags

ACCOUNT = "123456789012"
REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2")
# Started a minute before midnight: every part must stay in the start date's partition.
STARTED = datetime(2025, 1, 31, 23, 59, tzinfo=UTC)
PARTITION = f"findings/scanner=tags/account={ACCOUNT}/dt=2025-01-31/"
REFERENCE = jsonschema.Draft202012Validator(load_schema())


@dataclass
class TagScan:
    """Runs of the tag scan of ACCOUNT under moto, every run writing to one memory sink."""

    session: TargetSession
    rules: tuple[TagRule, ...]
    sink: MemorySink = field(default_factory=MemorySink)

    def ec2(self, region: str = "eu-west-1") -> Any:
        """The EC2 client of ``region``, to launch instances with."""
        return self.session.client("ec2", region)

    def run(self, **options: Any) -> ScanResult:
        """One run over every region (unless ``options`` say otherwise) with the given rules."""
        settings: dict[str, Any] = {
            "account_id": ACCOUNT,
            "regions": REGIONS,
            "tag_rules": TagRuleSet(self.rules),
            "scan_id": "scan-1",
            "scan_started": STARTED,
            "clock": lambda: datetime(2025, 2, 1, 0, 0, 30, tzinfo=UTC),
            "refetch_pause_s": 0.0,
        }
        settings.update(options)
        return scan_tags(self.session, sink=self.sink, **settings)

    def findings(self) -> dict[str, dict[str, Any]]:
        """The sink's findings by resource id, each checked against the schema and partition."""
        findings = self.sink.findings()
        resources = [finding["resource_id"] for finding in findings]
        assert len(resources) == len(set(resources)), "a resource was reported twice"
        for finding in findings:
            assert REFERENCE.is_valid(finding), finding
        for key in self.sink.objects:
            assert key.startswith(PARTITION)
        return {finding["resource_id"]: finding for finding in findings}


@pytest.fixture
def tag_scan(mocked_aws: None, dev_rules: tuple[TagRule, ...]) -> TagScan:
    """The scan with the dev account's rules, through a session homed in eu-west-1."""
    return TagScan(
        target_session(region="eu-west-1", config=client_config(max_attempts=3)), dev_rules
    )


def test_each_instance_gets_one_finding_that_passes_or_names_what_is_wrong(
    tag_scan: TagScan,
    launch: Callable[..., list[str]],
    good_tags: dict[str, str],
) -> None:
    ec2 = tag_scan.ec2()
    (good,) = launch(ec2, tags=good_tags)
    (bad_owner,) = launch(ec2, tags={**good_tags, "Owner": "x"})
    (missing,) = launch(ec2, tags={k: v for k, v in good_tags.items() if k != "Owner"})
    (bad_regex,) = launch(ec2, tags={**good_tags, "CostCenter": "12a4"})
    (bad_value,) = launch(ec2, tags={**good_tags, "Environment": "qa"})
    lower = {k: v for k, v in good_tags.items() if k != "Owner"} | {"owner": "jane@acme.example"}
    (case_hint,) = launch(ec2, tags=lower)
    (untagged,) = launch(ec2)

    result = tag_scan.run(regions=("eu-west-1",))

    findings = tag_scan.findings()
    assert result.resources_scanned == 7
    assert result.findings_by_status == {"PASS": 1, "FAIL": 6}
    assert result.failed_by_severity == {"LOW": 6}
    assert result.continuation is None

    passed = findings[good]
    assert passed["status"] == "PASS"
    assert passed["check_id"] == "ec2.required_tags"
    assert passed["resource_type"] == "AWS::EC2::Instance"
    assert passed["resource_arn"] == f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/{good}"
    assert passed["controls"] == ["SecurityHub:EC2.38"]
    assert passed["severity"] == "LOW"
    assert passed["observed_at"] == "2025-02-01T00:00:30Z"
    assert passed["message"] == (
        f"Instance {good} carries every required tag (Owner, Environment, CostCenter) "
        "with an allowed value."
    )
    assert passed["evidence"] == {
        "required": ["Owner", "Environment", "CostCenter"],
        "missing": [],
        "invalid": {},
        "case_mismatch": {},
    }

    assert findings[bad_owner]["evidence"]["invalid"]["Owner"]["value"] == "x"
    assert findings[missing]["evidence"]["missing"] == ["Owner"]
    assert (
        findings[missing]["message"] == f"Instance {missing} breaks the tag rules: missing Owner."
    )
    regex = findings[bad_regex]["evidence"]["invalid"]["CostCenter"]
    assert regex == {
        "value": "12a4",
        "rule": {"key": "CostCenter", "values": None, "pattern": "^[0-9]{4}$"},
    }
    listed = findings[bad_value]["evidence"]["invalid"]["Environment"]
    assert listed["rule"]["values"] == ["dev", "staging", "prod"]
    assert findings[case_hint]["evidence"]["case_mismatch"] == {"Owner": ["owner"]}
    assert "owner for Owner" in findings[case_hint]["message"]
    assert findings[untagged]["evidence"]["missing"] == ["Owner", "Environment", "CostCenter"]
    assert {f["status"] for k, f in findings.items() if k != good} == {"FAIL"}


def test_terminated_instances_get_no_finding(
    tag_scan: TagScan, launch: Callable[..., list[str]]
) -> None:
    ec2 = tag_scan.ec2()
    live = launch(ec2, count=2)
    gone = launch(ec2, count=3)
    ec2.terminate_instances(InstanceIds=gone)
    result = tag_scan.run(regions=("eu-west-1",))
    assert sorted(tag_scan.findings()) == sorted(live)
    assert result.resources_scanned == 2


def test_every_region_is_scanned_and_its_findings_carry_it(
    tag_scan: TagScan, launch: Callable[..., list[str]]
) -> None:
    launched = {region: launch(tag_scan.ec2(region), count=2) for region in REGIONS}
    result = tag_scan.run(concurrency=3)
    findings = tag_scan.findings()
    for region, instance_ids in launched.items():
        for instance_id in instance_ids:
            assert findings[instance_id]["region"] == region
            assert f":ec2:{region}:" in findings[instance_id]["resource_arn"]
    assert result.resources_scanned == 6


def test_a_denied_region_gives_one_error_finding_and_the_others_complete(
    tag_scan: TagScan,
    launch: Callable[..., list[str]],
    inject_faults: Callable[..., Any],
) -> None:
    for region in REGIONS:
        launch(tag_scan.ec2(region), count=2)
    inject_faults(
        tag_scan.ec2("us-east-1"),
        "DescribeInstances",
        code="UnauthorizedOperation",
        message="You are not authorized to perform this operation.",
        times=None,
        status=403,
    )
    result = tag_scan.run()
    findings = tag_scan.findings()
    error = findings["us-east-1"]
    assert error["status"] == "ERROR"
    assert error["resource_type"] == "AWS::::Account"
    assert error["region"] == "us-east-1"
    assert error["resource_arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert error["evidence"] == {
        "operation": "DescribeInstances",
        "error_code": "UnauthorizedOperation",
        "error_message": "You are not authorized to perform this operation.",
        "pages_read_before_error": 0,
    }
    assert "DescribeInstances failed in us-east-1 (UnauthorizedOperation)" in error["message"]
    regions = Counter(f["region"] for f in findings.values() if f["status"] != "ERROR")
    assert regions == {"eu-west-1": 2, "ap-southeast-2": 2}
    assert result.units_in_error == {"us-east-1": error["message"]}
    assert result.fetch_errors == 1
    assert result.findings_by_status["ERROR"] == 1
    assert result.continuation is None


def test_throttling_on_the_first_attempts_is_retried_and_succeeds(
    tag_scan: TagScan,
    launch: Callable[..., list[str]],
    inject_faults: Callable[..., Any],
) -> None:
    ec2 = tag_scan.ec2()
    launched = launch(ec2, count=3)
    throttled = inject_faults(
        ec2, "DescribeInstances", code="RequestLimitExceeded", times=2, status=503
    )
    result = tag_scan.run(regions=("eu-west-1",))
    assert (throttled.calls, throttled.injected) == (3, 2)
    assert sorted(tag_scan.findings()) == sorted(launched)
    assert len(result.units_in_error) == 0


def test_throttled_beyond_the_attempts_is_an_error_for_that_region(
    tag_scan: TagScan,
    launch: Callable[..., list[str]],
    inject_faults: Callable[..., Any],
) -> None:
    ec2 = tag_scan.ec2()
    launch(ec2)
    throttled = inject_faults(
        ec2, "DescribeInstances", code="RequestLimitExceeded", times=None, status=503
    )
    result = tag_scan.run(regions=("eu-west-1",))
    # The bounded attempt count, twice (the page's second chance), no more.
    assert throttled.calls == 2 * 3
    assert tag_scan.findings()["eu-west-1"]["evidence"]["error_code"] == "RequestLimitExceeded"
    assert result.resources_scanned == 0


def test_a_region_of_more_than_1000_instances_is_read_in_full(
    tag_scan: TagScan,
    launch: Callable[..., list[str]],
    good_tags: dict[str, str],
) -> None:
    ec2 = tag_scan.ec2()
    # moto pages DescribeInstances by reservation, so MaxResults=2 here means two
    # reservations a page: 1,000 instances in the first page, the last one behind a token.
    launched = [i for count in (500, 500, 1) for i in launch(ec2, count=count, tags=good_tags)]
    requests: list[dict[str, Any]] = []
    ec2.meta.events.register(
        "before-parameter-build.ec2.DescribeInstances",
        lambda params, **_: requests.append(dict(params)),
    )

    result = tag_scan.run(regions=("eu-west-1",), page_size=2)

    assert len(requests) >= 2
    assert "NextToken" not in requests[0]
    assert all(request.get("NextToken") for request in requests[1:])
    assert sorted(tag_scan.findings()) == sorted(launched)
    assert result.findings_by_status == {"PASS": 1001}
    assert result.part_keys == (
        f"{PARTITION}scan-1-0000_euwest1-00000.jsonl.gz",
        f"{PARTITION}scan-1-0000_euwest1-00001.jsonl.gz",
    )


@pytest.mark.parametrize("pages_before_deadline", [0, 1, 3, 5])
def test_deadline_then_continuations_complete_the_scan_with_nothing_missing_or_twice(
    tag_scan: TagScan,
    launch: Callable[..., list[str]],
    lambda_context: Callable[..., Any],
    pages_before_deadline: int,
) -> None:
    # 3 regions x 3 reservations of 2: moto pages 2 reservations at a time with page_size=2,
    # so each region takes 2 pages and the scan 6.
    launched = [
        instance_id
        for region in REGIONS
        for _ in range(3)
        for instance_id in launch(tag_scan.ec2(region), count=2)
    ]
    # A first page is estimated at 3,000 ms: exactly `pages_before_deadline` checks pass.
    context = lambda_context(
        remaining_ms=3_000 + pages_before_deadline * 1_000 - 500, ms_per_check=1_000
    )
    first = tag_scan.run(
        page_size=2,
        part_size=3,
        deadline=Deadline.from_context(context, reserve_ms=0),
    )
    assert isinstance(first.continuation, RegionContinuation)
    assert first.resources_scanned < len(launched)
    for region in first.continuation.regions:
        written = [key for key in first.part_keys if f"-0000_{region.replace('-', '')}-" in key]
        assert first.continuation.next_part[region] == first.next_part[region] == len(written)
    runs = [first]
    while runs[-1].continuation is not None:
        assert len(runs) < 10
        runs.append(
            tag_scan.run(
                page_size=2,
                part_size=3,
                continuation=runs[-1].continuation,
                deadline=Deadline.from_context(
                    lambda_context(remaining_ms=5_500, ms_per_check=1_000), reserve_ms=0
                ),
            )
        )
    assert sorted(tag_scan.findings()) == sorted(launched)
    assert sum(run.resources_scanned for run in runs) == len(launched)
    all_keys = [key for run in runs for key in run.part_keys]
    assert len(all_keys) == len(set(all_keys)) == len(tag_scan.sink.objects)


def test_a_shorter_rerun_of_a_scan_replaces_its_findings_and_leaves_no_stale_part(
    tag_scan: TagScan, launch: Callable[..., list[str]]
) -> None:
    ec2 = tag_scan.ec2()
    keep = launch(ec2, count=2)
    gone = launch(ec2, count=5)
    tag_scan.run(regions=("eu-west-1",), part_size=2)
    assert len(tag_scan.sink.objects) == 4
    ec2.terminate_instances(InstanceIds=gone)
    rerun = tag_scan.run(regions=("eu-west-1",), part_size=2)
    assert rerun.stale_parts_removed == 3
    assert sorted(tag_scan.findings()) == sorted(keep)


def test_a_rerun_writes_the_same_findings_under_the_same_keys_however_regions_interleave(
    tag_scan: TagScan, launch: Callable[..., list[str]]
) -> None:
    launched = {
        region: [i for _ in range(3) for i in launch(tag_scan.ec2(region), count=2)]
        for region in REGIONS
    }
    first = tag_scan.run(page_size=2, part_size=3, concurrency=1)
    stored = dict(tag_scan.sink.objects)

    second = tag_scan.run(page_size=2, part_size=3, concurrency=len(REGIONS))

    assert second.part_keys == first.part_keys
    assert tag_scan.sink.objects == stored  # byte for byte: same instances in the same parts
    for region, instances in launched.items():
        shard = f"scan-1-0000_{region.replace('-', '')}-"
        keys = sorted(key for key in stored if shard in key)
        in_parts = [f["resource_id"] for key in keys for f in tag_scan.sink.read(key)]
        assert sorted(in_parts) == sorted(instances)  # a region's parts hold it alone
        assert len(keys) == 2


def test_a_rerun_cut_short_then_continued_leaves_no_stale_duplicate(
    tag_scan: TagScan, launch: Callable[..., list[str]], lambda_context: Callable[..., Any]
) -> None:
    launched = [
        i for region in REGIONS for _ in range(3) for i in launch(tag_scan.ec2(region), count=2)
    ]
    tag_scan.run(page_size=2, part_size=3)
    # One page fits (3,000 ms estimated), then time runs out.
    cut = tag_scan.run(
        page_size=2,
        part_size=3,
        concurrency=1,
        deadline=Deadline.from_context(
            lambda_context(remaining_ms=3_500, ms_per_check=1_000), reserve_ms=0
        ),
    )
    assert cut.continuation is not None

    rest = tag_scan.run(page_size=2, part_size=3, continuation=cut.continuation)

    assert rest.continuation is None
    assert sorted(tag_scan.findings()) == sorted(launched)  # findings() refuses duplicates


def _page_fault(ec2: Any, body: bytes, *, from_call: int) -> list[int]:
    """DescribeInstances answers 200 with ``body`` from the ``from_call``-th request on."""
    calls: list[int] = []

    def respond(request: Any, **_: Any) -> AWSResponse | None:
        calls.append(len(calls) + 1)
        if len(calls) < from_call:
            return None
        headers = {"Content-Type": "text/xml"}
        return AWSResponse(
            request.url, 200, headers, HTTPResponse(body=io.BytesIO(body), preload_content=False)
        )

    ec2.meta.events.register("before-send.ec2.DescribeInstances", respond)
    return calls


@pytest.mark.parametrize(
    "body", [b"", b"<DescribeInstancesResponse><reservationSet><item>", b"\x00not xml"], ids=repr
)
def test_an_unusable_page_is_an_error_for_its_region_naming_the_pages_read_before_it(
    tag_scan: TagScan, launch: Callable[..., list[str]], good_tags: dict[str, str], body: bytes
) -> None:
    broken = tag_scan.ec2("eu-west-1")
    for _ in range(2):  # two reservations: moto pages by reservation
        launch(broken, count=1, tags=good_tags)
    launch(tag_scan.ec2("us-east-1"), count=2, tags=good_tags)
    _page_fault(broken, body, from_call=2)  # page 1 reads; page 2 (and its retry) do not

    result = tag_scan.run(page_size=1)

    findings = tag_scan.findings()
    error = findings["eu-west-1"]
    assert error["status"] == "ERROR"
    assert error["evidence"]["pages_read_before_error"] == 1
    assert "after 1 page(s)" in error["message"]
    assert set(result.units_in_error) == {"eu-west-1"}
    # The other regions finished: every us-east-1 instance has its finding.
    assert sum(f["region"] == "us-east-1" for f in findings.values()) == 2
    assert result.continuation is None


def test_a_rerun_of_the_same_scan_id_on_a_later_day_replaces_its_findings(
    tag_scan: TagScan, launch: Callable[..., list[str]], good_tags: dict[str, str]
) -> None:
    launch(tag_scan.ec2("eu-west-1"), count=3, tags=good_tags)
    tag_scan.run()
    first = sorted(tag_scan.sink.objects)

    tag_scan.run(scan_started=datetime(2025, 2, 2, 3, 0, tzinfo=UTC))

    keys = sorted(tag_scan.sink.objects)
    assert first and all("/dt=2025-01-31/" in key for key in first)
    assert keys and all("/dt=2025-02-02/" in key for key in keys)
    ids = [f["resource_id"] for f in tag_scan.sink.findings()]
    assert len(ids) == len(set(ids)) == 3  # each instance once, under the rerun's date only


def test_a_rerun_with_fewer_regions_removes_the_dropped_regions_findings(
    tag_scan: TagScan, launch: Callable[..., list[str]], good_tags: dict[str, str]
) -> None:
    for region in REGIONS:
        launch(tag_scan.ec2(region), count=2, tags=good_tags)
    tag_scan.run()

    result = tag_scan.run(regions=REGIONS[:1])

    assert {f["region"] for f in tag_scan.findings().values()} == {REGIONS[0]}
    assert result.stale_parts_removed == len(REGIONS) - 1


def test_dropped_regions_stay_until_the_run_completes(
    tag_scan: TagScan, launch: Callable[..., list[str]], good_tags: dict[str, str]
) -> None:
    for region in REGIONS:
        launch(tag_scan.ec2(region), count=1, tags=good_tags)
    tag_scan.run()

    cut = tag_scan.run(regions=REGIONS[:2], deadline=Deadline(lambda: 0.0), concurrency=1)

    assert cut.continuation is not None
    assert REGIONS[2] in {f["region"] for f in tag_scan.findings().values()}


def test_the_planners_region_items_of_one_scan_keep_each_others_parts(
    tag_scan: TagScan, launch: Callable[..., list[str]]
) -> None:
    # The fleet runs one tag checker per region with the same scan id; whichever finishes
    # last must not remove the parts its siblings wrote (each item has its own shard).
    launched = {region: launch(tag_scan.ec2(region), count=1) for region in REGIONS}
    for item in tag_items({}, list(REGIONS)):
        tag_scan.run(regions=item.event["regions"], shard=item.event["shard"])
    assert sorted(tag_scan.findings()) == sorted(i for ids in launched.values() for i in ids)
