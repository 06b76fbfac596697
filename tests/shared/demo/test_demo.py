"""`estate demo` end to end for one account, its printed counts held against the seeded truth.

The expected numbers come from the seed's own declarations (estate.demo.seed), not from the
run: how many failures the seeded buckets, instances and account must show, which two
buckets get fixed and which findings that resolves.
"""

from __future__ import annotations

import re

import pytest

from estate.accounts import Estate
from estate.cli.main import main
from estate.demo.pipeline import _fixable
from estate.demo.seed import DEFECTS, INSTANCE_CYCLE, SeededBucket, bucket_defects

BUCKETS, INSTANCES = 3, 3


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            ["demo", "--account", "dev", "--buckets", str(BUCKETS), "--instances", str(INSTANCES)]
        )
    assert code == 0
    return out.getvalue()


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
