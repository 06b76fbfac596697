"""Benchmark: the scanners' own speed, free of any emulator's cost (issue 3, latency harness).

Two child processes seed moto in process (N buckets; M instances over 4 regions) and record
the HTTP responses of one scan each; this process then replays them from a `before-send`
hook that sleeps L ms per call, running the S3 analyzer at each --concurrency and the tag
checker once. Usage:
    .venv/bin/python bench/scan_latency.py [--buckets 1000] [--instances 10000]
        [--latency-ms 50] [--concurrency 16,32,64] [--tag-concurrency 4]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import measure
import recorded_responses
import seed_world
from recorded_responses import Recorded

from estate_runtime.aws import TargetSession, target_session
from estate_runtime.report_writer import MemorySink
from estate_scanners.s3.analyzer import scan_buckets
from estate_scanners.s3.checks import account_checks, bucket_checks
from estate_scanners.s3.sources import SOURCES
from estate_scanners.tags.checks import all_checks as instance_checks
from estate_scanners.tags.scan import scan_tags

SCAN_STARTED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
# One call per configuration item, plus GetBucketLocation (moto's ListBuckets, unlike AWS's,
# gives no BucketRegion), for every bucket.
BUCKET_OPERATIONS = sorted(
    {f"s3.{s.operation.name}" for s in SOURCES.values() if s.operation.service == "s3"}
    | {"s3.GetBucketLocation"}
)
RECORD_TIMEOUT_S = 900
BUCKETS_TARGET_S, INSTANCES_TARGET_S, MEMORY_TARGET_MB = 30.0, 10.0, 300.0


@dataclass(frozen=True)
class Run:
    """One replayed scan: what it did and what it cost."""

    label: str
    concurrency: int
    items: int
    calls: int
    wall_s: float
    cpu_s: float
    per_operation: Counter[str]
    problems: list[str]  # empty when the scan made exactly the calls and findings it should
    peak_rss_mb: float


def main() -> int:
    """Record (in children), replay at each concurrency, print figures and verdicts."""
    args = _arguments()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    measure.use_fake_credentials()
    if args.record:
        _record(args.record, Path(args.out), args.buckets, args.instances)
        return 0
    with tempfile.TemporaryDirectory(prefix="estate-bench-") as folder:
        paths = {kind: Path(folder, f"{kind}.jsonl.gz") for kind in ("s3", "tags")}
        with measure.measured() as recording:
            _record_in_children(paths, args.buckets, args.instances)
        s3_responses = recorded_responses.load(paths["s3"])
        tag_responses = recorded_responses.load(paths["tags"])
    recorded_mb = sum(len(r.body) for r in (*s3_responses.values(), *tag_responses.values()))
    print(
        f"recorded {len(s3_responses)} S3 + {len(tag_responses)} EC2 responses "
        f"({recorded_mb / 2**20:.0f} MB of bodies) in {recording.wall_s:.0f} s; "
        f"replaying with L = {args.latency_ms:g} ms per call; RSS now {measure.current_rss_mb():.0f} MB"
    )
    latency_s = args.latency_ms / 1000.0
    s3_runs = [_replay("s3", s3_responses, latency_s, c, args.buckets) for c in args.concurrency]
    tag_run = _replay("tags", tag_responses, latency_s, args.tag_concurrency, args.instances)
    for run in (*s3_runs, tag_run):
        _print_run(run, latency_s)
    fastest = min(s3_runs, key=lambda run: run.wall_s)
    # Judged at the fastest concurrency, but a wrong call at any concurrency fails the count.
    best = replace(fastest, problems=[p for run in s3_runs for p in run.problems])
    _print_operations(best, args.buckets)
    return 0 if _judge(best, tag_run, args.buckets, args.instances) else 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--buckets", type=int, default=1000)
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument(
        "--concurrency", type=lambda s: [int(c) for c in s.split(",")], default=[16, 32, 64]
    )
    parser.add_argument("--tag-concurrency", type=int, default=4)
    parser.add_argument("--record", choices=["s3", "tags"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    return parser.parse_args()


def _record_in_children(paths: dict[str, Path], buckets: int, instances: int) -> None:
    """Seed and record each scan in its own process (in parallel: one per core), so moto's
    memory never counts in this process's peak."""
    sizes = ["--buckets", str(buckets), "--instances", str(instances)]
    children = [
        subprocess.Popen([sys.executable, __file__, "--record", kind, "--out", str(path), *sizes])
        for kind, path in paths.items()
    ]
    try:
        for child in children:
            if child.wait(timeout=RECORD_TIMEOUT_S) != 0:
                raise SystemExit(f"recording failed: {child.args!r}")
    finally:
        for child in children:
            if child.poll() is None:  # the other failed or timed out: stop this one too
                child.kill()
                child.wait()


def _record(kind: str, out: Path, buckets: int, instances: int) -> None:
    from moto import mock_aws

    with mock_aws():
        admin = target_session(region=seed_world.HOME_REGION)
        session = target_session(region=seed_world.HOME_REGION)
        recorder = recorded_responses.Recorder()
        recorder.attach(session.boto_session.events)  # before any client exists
        if kind == "s3":
            seed_world.seed_buckets(admin.client, buckets)
            problems = _scan_s3(session, None, buckets)
        else:
            seed_world.seed_instances(admin.client, instances)
            problems = _scan_tags(session, None, instances)
    if problems or recorder.repeated:
        raise SystemExit(f"the recorded {kind} scan went wrong: {problems} {recorder.repeated}")
    recorder.save(out)


def _replay(
    kind: str, responses: dict[str, Recorded], latency_s: float, concurrency: int, items: int
) -> Run:
    session = target_session(region=seed_world.HOME_REGION)
    replayer = recorded_responses.Replayer(responses, latency_s)
    replayer.attach(session.boto_session.events)  # before any client exists
    with measure.measured() as span:
        problems = (_scan_s3 if kind == "s3" else _scan_tags)(session, concurrency, items)
    operations = replayer.per_operation()
    problems += replayer.problems()
    if kind == "s3":
        problems += [
            f"{operation}: {operations[operation]} calls for {items} buckets"
            for operation in BUCKET_OPERATIONS
            if operations[operation] != items
        ]
    calls = sum(replayer.calls.values())
    peak = measure.peak_rss_mb()
    return Run(kind, concurrency, items, calls, span.wall_s, span.cpu_s, operations, problems, peak)


def _scan_s3(session: TargetSession, concurrency: int | None, buckets: int) -> list[str]:
    """Scan every bucket; what is wrong with the result (nothing, normally)."""
    options: dict[str, Any] = {"concurrency": concurrency} if concurrency else {}
    result = scan_buckets(
        session,
        **_scan_identity(),
        sink=MemorySink(),
        tag_rules=seed_world.tag_rules(),
        **options,
    )
    expected = buckets * len(bucket_checks()) + len(account_checks())
    if result.findings != expected or result.continuation is not None:
        return [f"{result.findings} findings of {expected}, continuation {result.continuation}"]
    return []


def _scan_tags(session: TargetSession, concurrency: int | None, instances: int) -> list[str]:
    """Scan every region; what is wrong with the result (nothing, normally)."""
    options: dict[str, Any] = {"concurrency": concurrency} if concurrency else {}
    result = scan_tags(
        session,
        **_scan_identity(),
        sink=MemorySink(),
        regions=seed_world.REGIONS,
        tag_rules=seed_world.tag_rules(),
        page_size=seed_world.INSTANCE_PAGE_SIZE,
        **options,
    )
    expected = instances * len(instance_checks())
    if result.findings != expected or result.continuation is not None:
        return [f"{result.findings} findings of {expected}, {dict(result.units_in_error)}"]
    return []


def _scan_identity() -> dict[str, Any]:
    return {"account_id": seed_world.ACCOUNT_ID, "scan_id": "bench", "scan_started": SCAN_STARTED}


def _print_run(run: Run, latency_s: float) -> None:
    parallel = (
        min(run.concurrency, len(seed_world.REGIONS)) if run.label == "tags" else run.concurrency
    )
    latency_bound = latency_s * run.calls / parallel
    bound = max(latency_bound, run.cpu_s)
    unit = "buckets" if run.label == "s3" else "instances"
    print(
        f"{run.label} concurrency {run.concurrency}: {run.wall_s:.2f} s wall, "
        f"{run.items / run.wall_s:.0f} {unit}/s, {run.calls} calls "
        f"({run.calls / run.items:.3g} per {unit[:-1]}), client CPU {run.cpu_s:.2f} s = "
        f"{run.cpu_s * 1000 / run.items:.2f} ms per {unit[:-1]}, {run.cpu_s * 1000 / run.calls:.2f} ms "
        f"per call | bound: latency {latency_bound:.2f} s vs CPU {run.cpu_s:.2f} s -> "
        f"measured is {run.wall_s / bound:.2f}x the larger | peak RSS so far {run.peak_rss_mb:.0f} MB"
    )


def _print_operations(run: Run, buckets: int) -> None:
    print(f"calls per operation (s3, concurrency {run.concurrency}, {buckets} buckets):")
    for operation, calls in sorted(run.per_operation.items()):
        print(f"  {operation:<45} {calls:>7}  ({calls / buckets:.3g} per bucket)")


def _judge(s3: Run, tags: Run, buckets: int, instances: int) -> bool:
    """PASS/FAIL per target; time targets grow with sizes beyond 1,000 buckets / 10,000
    instances and stay put below them."""
    s3_target = BUCKETS_TARGET_S * max(1.0, buckets / 1000)
    tags_target = INSTANCES_TARGET_S * max(1.0, instances / 10_000)
    peak = measure.peak_rss_mb()
    verdicts = measure.Verdicts()
    print("targets:")
    for what, passed, detail in (
        (f"{buckets} buckets < {s3_target:g} s", s3.wall_s < s3_target,
         f"{s3.wall_s:.2f} s at concurrency {s3.concurrency}, the best"),
        ("one call per configuration item per bucket, none repeated", not s3.problems,
         "; ".join(s3.problems) or "exact"),
        (f"{instances} instances over {len(seed_world.REGIONS)} regions < {tags_target:g} s",
         tags.wall_s < tags_target, f"{tags.wall_s:.2f} s"),
        ("one finding per instance, no call repeated", not tags.problems,
         "; ".join(tags.problems) or "exact"),
        (f"peak memory < {MEMORY_TARGET_MB:g} MB", peak < MEMORY_TARGET_MB,
         f"{peak:.0f} MB (whole process, recordings included)"),
    ):  # fmt: skip
        verdicts.judge(what, passed, detail)
    return verdicts.ok


if __name__ == "__main__":
    sys.exit(main())
