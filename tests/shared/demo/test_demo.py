"""`estate demo` end to end for one account, its printed counts held against the seeded truth.

The expected numbers come from the seed's own declarations (estate.demo.seed), not from the
run: how many failures the seeded buckets, instances and account must show, which two
buckets get fixed and which findings that resolves.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.console import Console

from estate.accounts import Estate
from estate.cli.main import main
from estate.demo import output
from estate.demo.findings import REPORT_FILE
from estate.demo.pipeline import DemoResult, _fixable
from estate.demo.seed import DEFECTS, INSTANCE_CYCLE, SeededBucket, bucket_defects
from estate_core.layout import FAILING_STATES
from estate_runtime.findings import SEVERITIES

BUCKETS, INSTANCES = 3, 3


@dataclass(frozen=True)
class Demo:
    """What one run printed, the result it printed from, and the folder it left."""

    printed: str
    result: DemoResult
    folder: Path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    folder = tmp_path_factory.mktemp("demo") / "out"
    printed = io.StringIO()
    results: list[DemoResult] = []
    print_result = output.print_result

    def keep(result: DemoResult, console: Console) -> None:
        results.append(result)
        print_result(result, console)

    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        patch.setattr(output, "print_result", keep)
        sizes = ["--buckets", str(BUCKETS), "--instances", str(INSTANCES)]
        code = main(["demo", "--account", "dev", *sizes, "--output", str(folder)])
    assert code == 0
    (result,) = results
    return Demo(printed.getvalue(), result, folder)


@pytest.fixture(scope="module")
def printed(demo: Demo) -> str:
    return demo.printed


def _seeded_buckets(estate: Estate) -> list[SeededBucket]:
    account = estate.account("dev")
    return [SeededBucket("dev-access-logs", ("unlogged",))] + [
        SeededBucket(f"dev-data-{i:03d}", bucket_defects(i, account)) for i in range(BUCKETS)
    ]


def test_the_printed_truth_line_matches_the_seed(printed: str, estate: Estate) -> None:
    buckets = _seeded_buckets(estate)
    account_failures = 0 if estate.account("dev").stage.value != "dev" else 1
    instance_failures = sum(
        1 for i in range(INSTANCES) if INSTANCE_CYCLE[i % len(INSTANCE_CYCLE)] != "compliant"
    )
    expected = sum(len(b.failing()) for b in buckets) + instance_failures + account_failures
    assert re.search(
        rf"seeded truth: {expected} failures seeded in {len(buckets)} buckets, {INSTANCES} "
        r"instances and the account; 0 missing, 0 unexpected",
        printed,
    ), printed


def test_the_rescan_resolves_exactly_the_fixed_findings_and_alerts_nothing(
    printed: str, estate: Estate
) -> None:
    fixed = [b for b in _seeded_buckets(estate)[1:] if _fixable(b)][:2]
    resolved = {(b.name, check) for b in fixed for d in b.defects for check in DEFECTS[d]}
    assert f"dev: {len(resolved)} resolved (exactly the fixed findings), 0 alert(s) sent" in printed
    for name, check in resolved:
        assert f"resolved {check} on {name}" in printed


def test_the_first_scan_alerted_once_and_both_scans_completed(printed: str) -> None:
    assert re.search(r"alerts sent: 1\n  estate: \d+ new finding\(s\) in dev", printed), printed
    assert re.search(r"s3 scan succeeded: 1/1 shards done", printed)
    assert re.search(r"tags scan succeeded: 2/2 shards done", printed)


def _printed_rows(printed: str) -> list[tuple[str, str, int]]:
    """The rows of the named query's table: (account id, severity, open findings)."""
    tail = printed.split("open findings by severity per account", 1)[1]
    pattern = rf"(\d{{12}})\s*│\s*({'|'.join(SEVERITIES)})\s*│\s*(\d+)"
    return [(a, s, int(n)) for a, s, n in re.findall(pattern, tail)]


def test_the_demo_ends_with_the_open_findings_query_over_its_own_parts(demo: Demo) -> None:
    """The query's answer equals the truth after the rescan: what the seed declared, less
    what the fix resolved, plus what core's table holds open on the platform's own buckets
    (they are in the scanned account too, and nobody seeded them)."""
    (account,) = demo.result.accounts
    assert account.seeded is not None
    truth = {
        key: severity
        for key, severity in account.seeded.expected_failures().items()
        if key not in account.fixed
    }
    seeded = account.seeded.resources()
    platform = {
        key: severity
        for key, (state, severity) in account.rounds[-1].items.items()
        if state in FAILING_STATES and key[0] not in seeded
    }
    cores_buckets = {r.inputs["bucket"] for r in account.core.of_type("aws:s3/bucket:Bucket")}
    assert {resource for resource, _ in platform} <= cores_buckets
    counts = Counter(truth.values()) + Counter(platform.values())
    expected = [
        (account.account.account_id, severity, counts[severity])
        for severity in SEVERITIES
        if counts[severity]
    ]
    assert expected and _printed_rows(demo.printed) == expected, demo.printed


def test_the_demo_prints_the_path_of_its_html_report(demo: Demo) -> None:
    report = demo.folder / REPORT_FILE
    assert report.is_file() and report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    (account,) = demo.result.accounts
    scans = sum(len(r.executions) for r in account.rounds)
    last = demo.printed.rstrip().splitlines()[-1]  # the demo ends with it
    line = re.fullmatch(r"report: (\S+) \([\d.]+ MB\): 1 account\(s\), (\d+) scan\(s\), .*", last)
    assert line, demo.printed
    assert Path(line[1]) == report and int(line[2]) == scans
