"""The scanner benchmarks still run end to end at toy sizes (their speed targets are judged
only by running them at full size; see bench/README.md)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
A_FAILED_VERDICT = re.compile(r"^\s+FAIL\s", re.M)


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
        *("--buckets", "5", "--instances", "20", "--latency-ms", "1", "--concurrency", "2,8"),
    )

    # 13 calls per bucket (12 items and GetBucketLocation), ListBuckets, the account's block.
    assert re.search(r"^s3 concurrency 2: .* 67 calls \(13\.4 per bucket\)", output, re.M)
    assert re.search(r"^s3 concurrency 8: .* 67 calls", output, re.M)
    assert re.search(r"^\s+s3\.GetBucketPolicy\s+5\s", output, re.M)
    assert re.search(r"^\s+s3\.ListBuckets\s+1\s", output, re.M)
    assert "PASS  one call per configuration item per bucket, none repeated: exact" in output
    assert "PASS  one finding per instance, no call repeated: exact" in output
    assert not A_FAILED_VERDICT.search(output)


def test_given_a_moto_server_when_both_scans_run_then_every_resource_has_its_findings() -> None:
    output = run_bench("scan_emulator.py", "--buckets", "5", "--instances", "20")

    assert "seeded 5 buckets and 20 instances" in output
    assert "PASS  one finding per bucket per S3 check: 5 buckets x 15 checks" in output
    assert "PASS  one ec2.required_tags finding per instance: 20 instances: 0 missing" in output
    assert not A_FAILED_VERDICT.search(output)
