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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import measure
import recorded_responses
import seed_world

from estate_runtime.aws import TargetSession, target_session
from estate_runtime.report_writer import MemorySink
from estate_scanners.s3.analyzer import scan_buckets
from estate_scanners.s3.checks import bucket_checks
from estate_scanners.s3.sources import SOURCES
from estate_scanners.tags.scan import scan_tags

SCAN_STARTED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
# moto pages DescribeInstances by reservation (AWS by instance): asking for 100 reservations
# of 10 instances gives AWS's 1,000-instance pages, so the calls and page sizes are AWS's.
TAG_PAGE_SIZE = 1000 // seed_world.RESERVATION_SIZE
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
    correct: list[str]  # problems found; empty when the scan did exactly what it should


def main() -> int:
    """Record (in children), replay at each concurrency, print figures and verdicts."""
    args = _arguments()
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
    s3_runs = [
        _replay_s3(s3_responses, latency_s, concurrency, args.buckets)
        for concurrency in args.concurrency
    ]
    tag_run = _replay_tags(tag_responses, latency_s, args.tag_concurrency, args.instances)
    for run in (*s3_runs, tag_run):
        _print_run(run, latency_s)
    best = min(s3_runs, key=lambda run: run.wall_s)
    _print_operations(best, args.buckets)
    return 0 if _judge(best, tag_run, args.buckets, args.instances) else 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--buckets", type=int, default=1000)
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=lambda s: [int(c) for c in s.split(",")], default=[16, 32, 64])
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
    for child in children:
        if child.wait(timeout=RECORD_TIMEOUT_S) != 0:
            raise SystemExit(f"recording failed: {child.args}")


def _record(kind: str, out: Path, buckets: int, instances: int) -> None:
    from moto import mock_aws

    with mock_aws():
        session = target_session(region=seed_world.HOME_REGION)
        admin = target_session(region=seed_world.HOME_REGION)
        recorder = recorded_responses.Recorder()
        recorder.attach(session.boto_session.events)
        common = {"account_id": seed_world.ACCOUNT_ID, "scan_id": "bench-record"}
        if kind == "s3":
            seed_world.seed_buckets(admin.client, buckets)
            scan_buckets(
                session, **common, scan_started=SCAN_STARTED, sink=MemorySink(),
                tag_rules=seed_world.bucket_tag_rules(),
            )  # fmt: skip
        else:
            seed_world.seed_instances(admin.client, instances)
            scan_tags(
                session, **common, scan_started=SCAN_STARTED, sink=MemorySink(),
                regions=seed_world.REGIONS, rules=seed_world.tag_rules(), page_size=TAG_PAGE_SIZE,
            )  # fmt: skip
    if recorder.repeated:
        raise SystemExit(f"the recorded scan repeated requests: {dict(recorder.repeated)}")
    recorder.save(out)


def _replayer(
    responses: dict[str, recorded_responses.Recorded], latency_s: float
) -> tuple[recorded_responses.Replayer, TargetSession]:
    session = target_session(region=seed_world.HOME_REGION)
    replayer = recorded_responses.Replayer(responses, latency_s)
    replayer.attach(session.boto_session.events)  # before any client exists
    return replayer, session


def _replay_s3(
    responses: dict[str, recorded_responses.Recorded], latency_s: float, concurrency: int, buckets: int
) -> Run:
    replayer, session = _replayer(responses, latency_s)
    with measure.measured() as span:
        result = scan_buckets(
            session,
            account_id=seed_world.ACCOUNT_ID, scan_id="bench-replay", scan_started=SCAN_STARTED,
            sink=MemorySink(), tag_rules=seed_world.bucket_tag_rules(), concurrency=concurrency,
        )  # fmt: skip
    operations = replayer.per_operation()
    problems = [f"unrecorded request {key}" for key in replayer.misses[:3]]
    problems += [f"repeated {calls}x: {key}" for key, calls in list(replayer.repeated().items())[:3]]
    bucket_operations = {f"s3.{s.operation.name}" for s in SOURCES.values() if s.operation.service == "s3"}
    bucket_operations |= {"s3.GetBucketLocation"}  # moto's ListBuckets gives no BucketRegion
    problems += [f"{op}: {operations[op]} calls" for op in sorted(bucket_operations) if operations[op] != buckets]
    if result.findings != buckets * len(bucket_checks()) + 1 or result.continuation is not None:
        problems.append(f"{result.findings} findings, continuation {result.continuation}")
    calls = sum(replayer.calls.values())
    return Run("s3", concurrency, buckets, calls, span.wall_s, span.cpu_s, operations, problems)


def _replay_tags(
    responses: dict[str, recorded_responses.Recorded], latency_s: float, concurrency: int, instances: int
) -> Run:
    replayer, session = _replayer(responses, latency_s)
    with measure.measured() as span:
        result = scan_tags(
            session,
            account_id=seed_world.ACCOUNT_ID, scan_id="bench-replay", scan_started=SCAN_STARTED,
            sink=MemorySink(), regions=seed_world.REGIONS, rules=seed_world.tag_rules(),
            concurrency=concurrency, page_size=TAG_PAGE_SIZE,
        )  # fmt: skip
    problems = [f"unrecorded request {key}" for key in replayer.misses[:3]]
    problems += [f"repeated {calls}x: {key}" for key, calls in list(replayer.repeated().items())[:3]]
    if result.instances_scanned != instances or result.findings_written != instances:
        problems.append(f"{result.instances_scanned} instances, {result.findings_written} findings")
    calls = sum(replayer.calls.values())
    operations = replayer.per_operation()
    return Run("tags", concurrency, instances, calls, span.wall_s, span.cpu_s, operations, problems)


def _print_run(run: Run, latency_s: float) -> None:
    parallel = min(run.concurrency, len(seed_world.REGIONS)) if run.label == "tags" else run.concurrency
    latency_bound = latency_s * run.calls / parallel
    bound = max(latency_bound, run.cpu_s)
    unit = "buckets" if run.label == "s3" else "instances"
    print(
        f"{run.label} concurrency {run.concurrency}: {run.wall_s:.2f} s wall, "
        f"{run.items / run.wall_s:.0f} {unit}/s, {run.calls} calls "
        f"({run.calls / run.items:.3g} per {unit[:-1]}), client CPU {run.cpu_s:.2f} s = "
        f"{run.cpu_s * 1000 / run.items:.2f} ms per {unit[:-1]}, {run.cpu_s * 1000 / run.calls:.2f} ms "
        f"per call | bound: latency {latency_bound:.2f} s vs CPU {run.cpu_s:.2f} s -> "
        f"measured is {run.wall_s / bound:.2f}x the larger | peak RSS {measure.peak_rss_mb():.0f} MB"
    )


def _print_operations(run: Run, buckets: int) -> None:
    print(f"calls per operation (s3, concurrency {run.concurrency}, {buckets} buckets):")
    for operation, calls in sorted(run.per_operation.items()):
        print(f"  {operation:<45} {calls:>7}  ({calls / buckets:.3g} per bucket)")


def _judge(s3: Run, tags: Run, buckets: int, instances: int) -> bool:
    verdicts = measure.Verdicts()
    print("targets:")
    s3_target = BUCKETS_TARGET_S * max(1.0, buckets / 1000)
    verdicts.judge(f"{buckets} buckets < {s3_target:g} s", s3.wall_s < s3_target, f"{s3.wall_s:.2f} s (concurrency {s3.concurrency}, the best)")
    verdicts.judge("one call per configuration item per bucket, none repeated", not s3.correct, "; ".join(s3.correct) or "exact")
    tags_target = INSTANCES_TARGET_S * max(1.0, instances / 10_000)
    verdicts.judge(f"{instances} instances over {len(seed_world.REGIONS)} regions < {tags_target:g} s", tags.wall_s < tags_target, f"{tags.wall_s:.2f} s")
    verdicts.judge("every instance judged once, no call repeated", not tags.correct, "; ".join(tags.correct) or "exact")
    peak = measure.peak_rss_mb()
    verdicts.judge(f"peak memory < {MEMORY_TARGET_MB:g} MB", peak < MEMORY_TARGET_MB, f"{peak:.0f} MB (whole process, recording included)")
    return verdicts.ok


if __name__ == "__main__":
    sys.exit(main())
