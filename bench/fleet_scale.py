"""Benchmark: how far the scanner fleet's fan-out scales — one shard measured, the account modelled.

One shard of `--shard-size` buckets is recorded in a child process (in-process moto, the
latency harness's recorder, see scan_latency.py) and replayed here at L ms per call with the
analyzer's default thread count: that is the time one Lambda invocation takes for one
shard. The state machine (estate.programs.scanner_fleet.state_machine) runs shards
`--max-concurrency` at a time, so an account of `--buckets` buckets takes

    plan + ceil(shards / max_concurrency) x (shard + per-item overhead) + complete

with plan = ListBuckets pages + one PutObject + a cold start, and complete = one
ListObjectsV2 page per 1,000 parts + one PutObject. Overheads that only AWS can show are
stated as assumptions and printed. Usage:
    .venv/bin/python bench/fleet_scale.py [--buckets 10000] [--shard-size 250]
        [--max-concurrency 20] [--latency-ms 50] [--threads 64]
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import measure
import recorded_responses
import scan_latency

from estate.programs.scanner_fleet.state_machine import DEFAULT_MAX_CONCURRENCY
from estate_scanners.planner import DEFAULT_SHARD_SIZE
from estate_scanners.s3.collector import LIST_BUCKETS_PAGE_SIZE

TARGET_S = 60.0
# Assumptions (AWS only can show them): a Python 3.12 cold start with boto3 and Powertools;
# Step Functions' own time per child execution (start, ~8 state transitions, end).
COLD_START_S = 1.5
ITEM_OVERHEAD_S = 0.3
# Lambda's default regional concurrency quota; the analyzer's memory gives one full vCPU.
ACCOUNT_CONCURRENCY = 1000
DISTRIBUTED_MAP_CHILDREN = 10_000
PARTS_PER_LIST_PAGE = 1000
STATE_LIMIT_BYTES = 256 * 1024
OUTCOME_BYTES = 120  # one done item's outcome in the Map's result
FAILED_OUTCOME_BYTES = 4 * 1024  # a failed one: Lambda's error payload (message and trace)


@dataclass(frozen=True)
class Model:
    """The modelled account scan."""

    shards: int
    waves: int
    plan_s: float
    shard_s: float
    complete_s: float

    @property
    def wall_s(self) -> float:
        """Plan, the waves of shards, completion."""
        return self.plan_s + self.waves * (self.shard_s + ITEM_OVERHEAD_S) + self.complete_s


def main() -> int:
    """Record one shard, replay it, print the model and the verdict."""
    args = _arguments()
    measure.use_fake_credentials()
    latency_s = args.latency_ms / 1000.0
    with tempfile.TemporaryDirectory(prefix="estate-fleet-") as folder:
        path = Path(folder, "s3.jsonl.gz")
        recorder = [sys.executable, scan_latency.__file__, "--record", "s3", "--out", str(path)]
        sizes = ["--buckets", str(args.shard_size), "--instances", "0"]
        subprocess.run([*recorder, *sizes], check=True, timeout=scan_latency.RECORD_TIMEOUT_S)
        responses = recorded_responses.load(path)
    run = scan_latency._replay("s3", responses, latency_s, args.threads, args.shard_size)
    if run.problems:
        print(f"the replayed shard went wrong: {run.problems}")
        return 1
    model = _model(args, latency_s, run.wall_s)
    _print(args, run, model)
    verdicts = measure.Verdicts()
    print("targets:")
    verdicts.judge(
        f"{args.buckets} buckets at MaxConcurrency {args.max_concurrency}, L = {args.latency_ms:g} ms "
        f"< {TARGET_S:g} s",
        model.wall_s < TARGET_S,
        f"modelled {model.wall_s:.1f} s",
    )
    return 0 if verdicts.ok else 1


def _model(args: argparse.Namespace, latency_s: float, shard_s: float) -> Model:
    shards = max(1, math.ceil(args.buckets / args.shard_size))
    list_pages = max(1, math.ceil(args.buckets / LIST_BUCKETS_PAGE_SIZE))
    parts = args.buckets / 32 + 1  # the analyzer's part size is 32 buckets
    return Model(
        shards=shards,
        waves=math.ceil(shards / args.max_concurrency),
        plan_s=COLD_START_S + (list_pages + 2) * latency_s,  # + AssumeRole, PutObject
        # The first wave's invocations start cold; later waves reuse warm ones.
        shard_s=shard_s + COLD_START_S / math.ceil(shards / args.max_concurrency),
        complete_s=(math.ceil(parts / PARTS_PER_LIST_PAGE) + 1) * latency_s,
    )


def _print(args: argparse.Namespace, run: scan_latency.Run, model: Model) -> None:
    per_bucket_ms = run.wall_s * 1000 / args.shard_size
    calls_per_s = run.calls / run.wall_s
    print(
        f"one shard of {args.shard_size} buckets replayed at L = {args.latency_ms:g} ms, "
        f"{args.threads} threads: {run.wall_s:.2f} s ({per_bucket_ms:.1f} ms per bucket, "
        f"{run.calls} calls, client CPU {run.cpu_s:.2f} s)"
    )
    print(
        f"model for {args.buckets} buckets: {model.shards} shards of {args.shard_size}, "
        f"MaxConcurrency {args.max_concurrency} -> {model.waves} wave(s)\n"
        f"  plan {model.plan_s:.2f} s (cold start {COLD_START_S:g} s assumed) + "
        f"{model.waves} x (shard {model.shard_s:.2f} s + Step Functions {ITEM_OVERHEAD_S:g} s "
        f"assumed) + complete {model.complete_s:.2f} s = {model.wall_s:.1f} s"
    )
    concurrent = min(args.max_concurrency, model.shards)
    failed_room = (STATE_LIMIT_BYTES - model.shards * OUTCOME_BYTES) // FAILED_OUTCOME_BYTES
    print(
        "where it stops:\n"
        f"  Lambda concurrency: {concurrent} analyzers per account scan; the default quota of "
        f"{ACCOUNT_CONCURRENCY} per region allows ~{ACCOUNT_CONCURRENCY // max(concurrent, 1)} "
        "account scans at once in one hub (throttled invokes are retried with backoff)\n"
        f"  S3 request rate: {concurrent} x {calls_per_s:.0f} calls/s = "
        f"{concurrent * calls_per_s:.0f} bucket-configuration calls/s against the scanned "
        "account, spread over its buckets; S3 answers SlowDown past its partition rates and "
        "the clients' adaptive retries slow down\n"
        f"  Distributed Map: {model.shards} child executions of at most "
        f"{DISTRIBUTED_MAP_CHILDREN} at once; each child's history holds ~8 events per run "
        "(25,000-event cap, runs capped at 50)\n"
        f"  256 KB state: the items live in S3 (plan object ~{args.buckets * 35 // 1024} KB); the "
        f"Map's outcomes are ~{model.shards * OUTCOME_BYTES // 1024} KB, with room for "
        f"~{failed_room} failed shards' error payloads before the state overflows\n"
        f"  wall time grows by one shard time per {args.max_concurrency * args.shard_size} "
        f"buckets: {TARGET_S:g} s holds up to ~"
        f"{_buckets_within(args, model, TARGET_S):,} buckets at these settings"
    )


def _buckets_within(args: argparse.Namespace, model: Model, limit_s: float) -> int:
    fixed = model.plan_s + model.complete_s
    waves = int((limit_s - fixed) // (model.shard_s + ITEM_OVERHEAD_S))
    return int(max(0, waves) * args.max_concurrency * args.shard_size)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--buckets", type=int, default=10_000)
    parser.add_argument("--shard-size", type=int, default=DEFAULT_SHARD_SIZE)
    parser.add_argument("--max-concurrency", type=int, default=DEFAULT_MAX_CONCURRENCY)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--threads", type=int, default=64)
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
