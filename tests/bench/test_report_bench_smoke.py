"""The report benchmark still runs end to end at a toy size (its targets are judged only at
full size: see README, Benchmarks)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from estate_scanners.s3.checks import account_checks, bucket_checks

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_the_report_benchmark_writes_its_parts_and_judges_both_targets() -> None:
    completed = subprocess.run(
        [sys.executable, str(BENCH / "report_bench.py"), "--buckets", "20", "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    output = completed.stdout
    # The time verdict depends on the machine's load, so only its presence is checked here.
    assert completed.returncode in {0, 1} and "Traceback" not in completed.stderr, output
    expected = 20 * len(bucket_checks()) + len(account_checks())  # every check, once each
    assert f"wrote {expected} findings of 1 scan(s) of 20 buckets" in output
    assert f"1 account(s), 1 scan(s), {expected} finding(s)" in output
    assert re.search(r"^  (PASS|FAIL)  time: [0-9.]+ s < 10 s$", output, re.M)
    assert re.search(r"^  PASS  size: [0-9.]+ MB < 5 MB$", output, re.M)
