"""The scanner benchmarks still run end to end at toy sizes (their speed targets are judged
only by running them at full size; see bench/README.md)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from estate_scanners.s3.checks import bucket_checks, needed_facts
from estate_scanners.s3.facts import ACCOUNT_FACTS

BENCH = Path(__file__).resolve().parents[2] / "bench"
A_FAILED_VERDICT = re.compile(r"^\s+FAIL\s", re.M)
BUCKETS = 5
# Expected figures derive from the check registry: adding a check changes them by itself.
BUCKET_ITEMS = len(needed_facts() - ACCOUNT_FACTS)
ACCOUNT_ITEMS = len(needed_facts() & ACCOUNT_FACTS)
# ListBuckets, one call per account item, and per bucket its location and its items (the
# recorded estate has no access points and no trails, so no follow-up calls).
S3_CALLS = 1 + ACCOUNT_ITEMS + BUCKETS * (1 + BUCKET_ITEMS)


def run_bench(script: str, *arguments: str) -> str:
    """Run one bench script; its output, after checking it exited 0 (every verdict PASS)."""
    completed = subprocess.run(
        [sys.executable, str(BENCH / script), *arguments],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def test_given_recorded_responses_when_replayed_then_each_item_is_fetched_once_per_bucket() -> None:
    output = run_bench(
        "scan_latency.py",
        *("--buckets", str(BUCKETS), "--instances", "20", "--latency-ms", "1"),
        *("--concurrency", "2,8"),
    )

    per_bucket = f"{S3_CALLS / BUCKETS:.1f}".replace(".", r"\.")
    assert re.search(
        rf"^s3 concurrency 2: .* {S3_CALLS} calls \({per_bucket} per bucket\)", output, re.M
    )
    assert re.search(rf"^s3 concurrency 8: .* {S3_CALLS} calls", output, re.M)
    assert re.search(r"^\s+s3\.GetBucketPolicy\s+5\s", output, re.M)
    assert re.search(r"^\s+s3\.ListBuckets\s+1\s", output, re.M)
    assert "PASS  one call per configuration item per bucket, none repeated: exact" in output
    assert "PASS  one finding per instance, no call repeated: exact" in output
    assert not A_FAILED_VERDICT.search(output)


def test_given_a_moto_server_when_both_scans_run_then_every_resource_has_its_findings() -> None:
    output = run_bench("scan_emulator.py", "--buckets", str(BUCKETS), "--instances", "20")

    assert f"seeded {BUCKETS} buckets and 20 instances" in output
    checks = len(bucket_checks())
    assert (
        f"PASS  one finding per bucket per S3 check: {BUCKETS} buckets x {checks} checks" in output
    )
    assert "PASS  one finding per instance per tag check: 20 instances: 0 missing" in output
    assert not A_FAILED_VERDICT.search(output)
