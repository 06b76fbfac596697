"""Benchmark: the S3 scan under injected transient faults — wall time and ERROR count.

A 100-bucket estate (bench/seed_world.py) in in-process moto is scanned with no fault, then
with 20 % and 50 % of S3 requests answered HTTP 500 InternalError, or HTTP 503 SlowDown.
Faults are injected by a botocore ``before-send`` hook, so they go through botocore's real
parsing, retries, backoff and retry quota, and through the collector's second-chance pass.
Which attempt fails is decided by a hash of (seed, operation, URL, attempt number): the same
attempts fail on every run, however the 64 threads interleave.

Targets (issue 17): no ERROR finding at 20 % of either fault; at 20 % SlowDown the scan takes
at most twice its clean time. The 50 % runs are reported without a target. Usage:
    .venv/bin/python bench/retry_bench.py [--buckets 100] [--seed 17]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import threading
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from measure import measured, use_fake_credentials
from moto import mock_aws
from seed_world import ACCOUNT_ID, HOME_REGION, seed_buckets, tag_rules
from urllib3.response import HTTPResponse

from estate_runtime.aws import TargetSession, client_config
from estate_runtime.report_writer import MemorySink
from estate_scanners.s3.analyzer import scan_buckets

FAULTS = {"500": (500, "InternalError"), "SlowDown": (503, "SlowDown")}
RATES = (0.2, 0.5)
TARGET_RATE = 0.2
MAX_SLOWDOWN_RATIO = 2.0


class FaultInjector:
    """Answers a deterministic share of S3 requests with one transient error."""

    def __init__(self, rate: float, status: int, code: str, seed: int) -> None:
        self.rate, self.status, self.code, self.seed = rate, status, code, seed
        self.attempts: Counter[tuple[str, str]] = Counter()
        self.injected = 0
        self.sent = 0
        self._lock = threading.Lock()

    def __call__(self, request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        operation = event_name.rsplit(".", maxsplit=1)[-1]
        with self._lock:
            self.sent += 1
            self.attempts[(operation, request.url)] += 1
            attempt = self.attempts[(operation, request.url)]
        digest = hashlib.sha256(f"{self.seed}|{operation}|{request.url}|{attempt}".encode())
        if int.from_bytes(digest.digest()[:8], "big") / 2**64 >= self.rate:
            return None
        with self._lock:
            self.injected += 1
        body = f"<Error><Code>{self.code}</Code><Message>injected</Message></Error>".encode()
        return AWSResponse(
            request.url,
            self.status,
            {"Content-Type": "application/xml"},
            HTTPResponse(body=io.BytesIO(body), preload_content=False),
        )


def scan_once(injector: FaultInjector | None) -> tuple[float, int, int, int]:
    """One scan through a fresh session: wall s, ERROR findings, findings, items re-fetched."""
    boto = boto3.Session(region_name=HOME_REGION)
    if injector is not None:
        for service in ("s3", "s3-control"):  # more specific than moto's own hook: first
            boto.events.register(f"before-send.{service}", injector)
    session = TargetSession(boto, HOME_REGION, client_config(max_pool_connections=64))
    sink = MemorySink()
    with measured() as span:
        result = scan_buckets(
            session,
            account_id=ACCOUNT_ID,
            scan_id="retry-bench",
            scan_started=datetime.now(UTC),
            sink=sink,
            tag_rules=tag_rules(),
            concurrency=64,
        )
    errors = result.findings_by_status.get("ERROR", 0)
    return span.wall_s, errors, result.findings, result.refetched


def main() -> int:
    """Run the clean scan and each fault x rate; one PASS/FAIL line per target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--buckets", type=int, default=100)
    parser.add_argument("--seed", type=int, default=17)
    options = parser.parse_args()
    use_fake_credentials()
    failed = 0
    with mock_aws():
        seed_buckets(
            lambda service, region: boto3.client(service, region_name=region), options.buckets
        )
        clean_s, clean_errors, findings, _ = scan_once(None)
        print(f"clean: {clean_s:.1f} s, {findings} findings, {clean_errors} ERROR")
        for name, (status, code) in FAULTS.items():
            for rate in RATES:
                injector = FaultInjector(rate, status, code, options.seed)
                wall, errors, _, refetched = scan_once(injector)
                print(
                    f"{rate:.0%} {name}: {wall:.1f} s ({wall / clean_s:.2f}x clean), "
                    f"{errors} ERROR of {findings}, {injector.injected} of {injector.sent} "
                    f"requests failed, {refetched} item(s) fetched a second time"
                )
                if rate != TARGET_RATE:
                    continue
                verdict = "PASS" if errors == 0 else "FAIL"
                failed += verdict == "FAIL"
                print(f"{verdict} no ERROR at {rate:.0%} {name}: {errors}")
                if name == "SlowDown":
                    ratio = wall / clean_s
                    verdict = "PASS" if ratio <= MAX_SLOWDOWN_RATIO else "FAIL"
                    failed += verdict == "FAIL"
                    print(
                        f"{verdict} {rate:.0%} SlowDown within {MAX_SLOWDOWN_RATIO:.0f}x the clean "
                        f"time: {ratio:.2f}x"
                    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
