"""Benchmark: `estate report` over one 10,000-bucket scan's parts (about 150,000 findings).

The parts are written first (not timed) by the report writer, from the synthetic estate the
report tests use: every S3 check of the registry on every bucket, about a third failing.
Then `estate report` runs in a fresh process, imports and all, and its wall time, peak memory
and output size are judged against the targets. Usage:

    .venv/bin/python bench/report_bench.py [--buckets 10000] [--scans 1] [--runs 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import Verdicts

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the synthetic estate lives with the tests' helpers

from tests.support.synthetic_findings import Estate, write_history  # noqa: E402

TARGET_SECONDS = 10.0
TARGET_MB = 5.0
ESTATE = Path(sys.executable).with_name("estate")


def main() -> int:
    """Write the parts, time the report, print PASS/FAIL per target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--buckets", type=int, default=10_000)
    parser.add_argument("--scans", type=int, default=1, help="scans of the account (history)")
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="report-bench-") as folder:
        parts, output = Path(folder) / "parts", Path(folder) / "report.html"
        estate = Estate(
            accounts=("111111111111",),
            buckets=arguments.buckets,
            instances=0,
            scans=arguments.scans,
        )
        started = time.perf_counter()
        findings = write_history(parts, estate)
        print(
            f"wrote {len(findings)} findings of {arguments.scans} scan(s) of "
            f"{arguments.buckets} buckets in {len(list(parts.rglob('*.jsonl.gz')))} parts "
            f"({sum(p.stat().st_size for p in parts.rglob('*.jsonl.gz')) / 1e6:.1f} MB gzip) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        timings, cpu = [], []
        for _ in range(arguments.runs):
            before = _children_cpu()
            started = time.perf_counter()
            completed = subprocess.run(
                [str(ESTATE), "report", "--from", str(parts), "--output", str(output)],
                check=True,
                capture_output=True,
                text=True,
            )
            timings.append(time.perf_counter() - started)
            cpu.append(_children_cpu() - before)
        print(completed.stdout.strip())
        # The largest child so far: every child here is one `estate report`.
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size_mb = output.stat().st_size / 1e6
    median = statistics.median(timings)
    print(
        f"estate report: median {median:.2f} s over {arguments.runs} runs "
        f"(min {min(timings):.2f}, max {max(timings):.2f}), CPU {statistics.median(cpu):.2f} s "
        f"(the machine's other load shows as wall above CPU), peak memory {peak_mb:.0f} MB, "
        f"{size_mb:.2f} MB file"
    )
    verdicts = Verdicts()
    verdicts.judge("time", median < TARGET_SECONDS, f"{median:.2f} s < {TARGET_SECONDS:.0f} s")
    verdicts.judge("size", size_mb < TARGET_MB, f"{size_mb:.2f} MB < {TARGET_MB:.0f} MB")
    return 0 if verdicts.ok else 1


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    sys.exit(main())
