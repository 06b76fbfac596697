"""What the scanner benchmarks measure (wall, process CPU, peak memory) and how they judge it."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    # moto otherwise searches its ~1,300 images at every RunInstances: seeding is 2x faster.
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}


def use_fake_credentials() -> None:
    """Fake credentials, no profile, no endpoint override: a benchmark can never reach AWS."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ROLE_ARN"):
        os.environ.pop(name, None)
    os.environ.update(FAKE_CREDENTIALS)


@dataclass
class Span:
    """Wall and process CPU seconds of one measured block (CPU of every thread)."""

    wall_s: float = 0.0
    cpu_s: float = 0.0


@contextmanager
def measured() -> Iterator[Span]:
    """Measure the block's wall time and the process CPU time it used."""
    span = Span()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield span
    finally:
        span.wall_s = time.perf_counter() - wall
        span.cpu_s = time.process_time() - cpu


def peak_rss_mb() -> float:
    """The process's peak resident memory so far.

    Linux's VmHWM starts afresh at exec; ru_maxrss does not (it keeps the peak of the
    process that forked us, e.g. a 500 MB test worker), so VmHWM is read when it exists.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mb() -> float:
    """The process's resident memory now."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


@dataclass
class Verdicts:
    """PASS/FAIL lines against the targets; `ok` is whether all passed."""

    ok: bool = True

    def judge(self, what: str, passed: bool, detail: str) -> None:
        """Print one verdict line."""
        self.ok = self.ok and passed
        print(f"  {'PASS' if passed else 'FAIL'}  {what}: {detail}")
