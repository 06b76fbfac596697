"""Benchmark: `estate plan` over every project and account, in a fresh interpreter.

Prints wall seconds (median of N runs) against the 15 s target of issue 2. Usage:
    .venv/bin/python bench/plan_bench.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 15.0
ESTATE = Path(sys.executable).with_name("estate")


def main() -> int:
    """Time `estate plan` end to end (process start, imports, every stack) and compare."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(ESTATE), "plan"], check=True, capture_output=True)
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    print(
        f"estate plan, all projects x accounts: median {median:.2f} s over {runs} runs "
        f"(min {min(timings):.2f}, max {max(timings):.2f}); target < {TARGET_SECONDS:.0f} s"
    )
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
