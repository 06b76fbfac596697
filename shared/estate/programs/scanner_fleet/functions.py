"""The fleet's three functions: handlers, the code they ship, and how each is sized.

Sizes come from measurement (bench/scan_latency.py, bench/fleet_scale.py; README
"Benchmarks"): the analyzer's wall time is bound by botocore's client CPU, which holds the
GIL, so it gets exactly one full vCPU (1,769 MB: Lambda's one-vCPU point; more memory adds
a second vCPU the GIL cannot use). The tag checker pages up to four regions at once and a
1,000-instance page costs ~40 MB while botocore parses it. The planner lists bucket names
and writes one JSON array.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# The zips carry the scanner code and its runtime library only (Powertools is a layer).
CODE_PACKAGES: Final = ("estate_scanners", "estate_runtime")


@dataclass(frozen=True)
class FleetFunction:
    """One function of the fleet: its purpose (names, estate.scanning), handler and size."""

    purpose: str
    handler: str
    description: str
    memory_mb: int
    timeout_seconds: int
    environment: tuple[tuple[str, str], ...] = ()
    policy_exemptions: tuple[tuple[str, str], ...] = ()


PLANNER: Final = FleetFunction(
    "planner",
    "estate_scanners.planner_handler.handler",
    "Cuts each scan into shards or regions and records its completion",
    memory_mb=512,
    timeout_seconds=300,
)
S3_ANALYZER: Final = FleetFunction(
    "s3-analyzer",
    "estate_scanners.s3_analyzer_handler.handler",
    "Judges one shard of an account's S3 buckets",
    memory_mb=1769,
    timeout_seconds=900,
    # 64 threads: measured where botocore's CPU becomes the bound (README, Benchmarks).
    environment=(("SCAN_CONCURRENCY", "64"), ("SCAN_RESERVE_MS", "30000")),
    # 1,769 MB is one full vCPU: the analyzer's 64 threads are bound by botocore's client CPU
    # (about 12 ms per bucket measured in bench/scan_latency.py), not by memory.
    policy_exemptions=(
        (
            "lambda-memory-limit",
            "1769 MB buys one full vCPU; the scan is bound by client CPU (bench/scan_latency.py)",
        ),
    ),
)
TAG_CHECKER: Final = FleetFunction(
    "tag-checker",
    "estate_scanners.tag_checker_handler.handler",
    "Checks one region's EC2 instances for the account's required tags",
    memory_mb=1024,
    timeout_seconds=900,
    environment=(("SCAN_CONCURRENCY", "4"), ("SCAN_RESERVE_MS", "30000")),
)
FUNCTIONS: Final = (PLANNER, S3_ANALYZER, TAG_CHECKER)
WORKERS: Final = {"s3": S3_ANALYZER, "tags": TAG_CHECKER}
