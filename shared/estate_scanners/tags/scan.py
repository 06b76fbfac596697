"""The EC2 tag compliance scan of one account: collect, judge, write — callable without Lambda.

The checks are the tag checker's registry (`estate_scanners.tags.checks`): each judges every
live instance, one finding per instance and check. A region that cannot be read yields one
``ERROR`` finding per check for that region (resource type ``AWS::::Account``, resource id
the region, since the account itself is fine elsewhere) and the other regions go on. The
collector fetches each page once; the judges are pure; every finding is written and counted
through one `Tally`, and the run returns the `ScanResult` both scanners share.

Each region writes its own parts, under shard label ``<shard>_<region without dashes>``
(``0000_euwest1``), numbered from 0 in page order: a rerun of the same scan maps the same
region and pages to the same keys and overwrites them. When the deadline comes first, the
result carries a `RegionContinuation`; running the same scan with it finishes the remaining
regions from their page tokens, each writing from its own ``next_part`` on. A region whose
work ends (complete or failed) removes the parts an earlier, longer run left in its shard,
so a scan id never holds a finding twice. When the whole run completes (no continuation),
the parts of regions the scan id no longer covers (an earlier run of it listed more
regions) go too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from estate_runtime.deadline import Deadline
from estate_runtime.findings import account_arn, partition_for_region
from estate_runtime.report_writer import PartLocation, ReportWriter, Sink, remove_other_shards
from estate_scanners.check_model import ACCOUNT_RESOURCE, FindingContext, Resource
from estate_scanners.scan_result import ScanResult, Tally
from estate_scanners.tags.check_model import InstanceSubject, TagRuleSet
from estate_scanners.tags.checks import all_checks
from estate_scanners.tags.collector import (
    PAGE_SIZE,
    REFETCH_PAUSE_S,
    InstancePage,
    RegionOutcome,
    collect_instances,
)
from estate_scanners.tags.continuation import RegionContinuation
from estate_scanners.tags.judging import judge_instance, unreadable_region

SCANNER: Final = "tags"
# Regions paged at once: each 1,000-instance page in flight costs ~40 MB while botocore
# parses it (bench/README.md), so Lambda memory, not speed, sets this.
DEFAULT_CONCURRENCY: Final = 4


class ClientSource(Protocol):
    """Anything that hands out a client per service and region (``TargetSession`` does)."""

    def client(self, service: str, region: str | None = None) -> Any:
        """The client of ``service`` in ``region``."""


def scan_tags(
    session: ClientSource,
    *,
    account_id: str,
    regions: Sequence[str],
    tag_rules: TagRuleSet,
    scan_id: str,
    scan_started: datetime,
    sink: Sink,
    deadline: Deadline | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    continuation: RegionContinuation | None = None,
    shard: str = "0000",
    part_size: int = 1000,
    page_size: int = PAGE_SIZE,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    refetch_pause_s: float = REFETCH_PAUSE_S,
) -> ScanResult:
    """Check every live instance of ``regions`` (or of the continuation) against ``tag_rules``."""
    started = time.monotonic()
    todo = continuation.regions if continuation else tuple(regions)
    context = FindingContext(SCANNER, scan_id, account_id)
    tally = Tally()
    first_parts = continuation.next_part if continuation else {}
    writers = {
        region: ReportWriter(
            sink,
            scanner=SCANNER,
            account_id=account_id,
            scan_id=scan_id,
            scan_date=scan_started.astimezone(UTC).date(),
            shard=region_shard(shard, region),
            part_size=part_size,
            first_part=first_parts.get(region, 0),
        )
        for region in todo
    }

    def judge_page(page: InstancePage) -> None:
        """Called from the collector's threads: judge and write one page, then drop it."""
        observed_at = clock()
        writer = writers[page.region]
        for instance in page.instances:
            subject = InstanceSubject(instance, tag_rules)
            arn = instance_arn(account_id, instance.instance_id, page.region)
            for check in all_checks():
                resource = Resource(check.resource_type, instance.instance_id, arn, page.region)
                verdict = judge_instance(check, subject)
                tally.write(writer, context.finding(check, verdict, resource, observed_at))
        tally.judged(len(page.instances))

    try:
        outcomes = collect_instances(
            lambda region: session.client("ec2", region),
            todo,
            on_page=judge_page,
            start_tokens=continuation.next_token if continuation else None,
            deadline=deadline,
            concurrency=concurrency,
            page_size=page_size,
            refetch_pause_s=refetch_pause_s,
        )
        for outcome in outcomes:
            if outcome.status == "failed":
                verdict = unreadable_region(outcome)
                region = Resource(
                    ACCOUNT_RESOURCE,
                    outcome.region,
                    account_arn(account_id, outcome.region),
                    outcome.region,
                )
                for check in all_checks():
                    finding = context.finding(check, verdict, region, clock())
                    tally.write(writers[outcome.region], finding)
    finally:
        reports = {region: writer.close() for region, writer in writers.items()}
    for report in reports.values():
        tally.closed(report)
    # A region whose work ended (complete or failed) drops what a longer run left in its shard.
    stale = [
        key
        for outcome in outcomes
        if outcome.status != "stopped"
        for key in writers[outcome.region].remove_stale_parts()
    ]
    next_part = {region: report.next_part for region, report in reports.items()}
    resumed = _continuation(outcomes, next_part)
    if resumed is None:
        location = PartLocation(
            SCANNER, account_id, scan_id, scan_started.astimezone(UTC).date(), shard
        )
        stale += remove_other_shards(
            sink,
            location,
            prefix=f"{shard}_",
            keep={region_shard(shard, region) for region in regions},
        )
    return tally.result(
        scanner=SCANNER,
        account_id=account_id,
        scan_id=scan_id,
        continuation=resumed,
        elapsed_ms=(time.monotonic() - started) * 1000.0,
        fetch_errors=sum(1 for outcome in outcomes if outcome.status == "failed"),
        calls=sum(outcome.pages for outcome in outcomes),
        next_part=next_part,
        stale_parts_removed=len(stale),
    )


def instance_arn(account_id: str, instance_id: str, region: str) -> str:
    """The instance's ARN, in the partition of its region."""
    return f"arn:{partition_for_region(region)}:ec2:{region}:{account_id}:instance/{instance_id}"


def region_shard(shard: str, region: str) -> str:
    """The shard label of one region's parts: ``<shard>_<region without dashes>``.

    Each region writes its own numbered parts, so which instances land in which part depends
    only on the scan, the region and its page order — never on how region threads interleave.
    """
    return f"{shard}_{region.replace('-', '')}"


def _continuation(
    outcomes: Sequence[RegionOutcome], next_part: Mapping[str, int]
) -> RegionContinuation | None:
    stopped = [outcome for outcome in outcomes if outcome.status == "stopped"]
    if not stopped:
        return None
    return RegionContinuation(
        regions=tuple(outcome.region for outcome in stopped),
        next_token={o.region: o.next_token for o in stopped if o.next_token is not None},
        next_part={o.region: next_part[o.region] for o in stopped},
    )
