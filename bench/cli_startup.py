"""Benchmark: how fast the `estate` command starts, in a fresh interpreter per run.

Targets (issue 11): `estate --help` and `estate scan s3 --help` under 0.5 s, `estate accounts
check` under 1 s. Each command runs once to warm the bytecode cache (as an installed package
has it; PYTHONDONTWRITEBYTECODE is dropped for these runs), then ``--runs`` times; the
median is compared. Usage:
    .venv/bin/python bench/cli_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ESTATE = Path(sys.executable).with_name("estate")
TARGETS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("--help",), 0.5),
    (("scan", "s3", "--help"), 0.5),
    (("accounts", "check"), 1.0),
)


def timed(command: tuple[str, ...], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([str(ESTATE), *command], check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def main() -> int:
    """Time each command; one PASS/FAIL line per target; exit 1 if any failed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    warm = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    failed = 0
    for command, target in TARGETS:
        timed(command, warm)  # writes the bytecode cache, as an installation has it
        runs = [timed(command, warm) for _ in range(options.runs)]
        median = statistics.median(runs)
        verdict = "PASS" if median < target else "FAIL"
        failed += verdict == "FAIL"
        print(
            f"{verdict} estate {' '.join(command)}: median {median:.3f} s over {options.runs} "
            f"runs (min {min(runs):.3f}, max {max(runs):.3f}); target < {target} s"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
