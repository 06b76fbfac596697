"""Benchmark: both scans end to end through a moto_server on loopback (issue 3, emulator run).

Starts `ThreadedMotoServer` on 127.0.0.1 (port 0) in a child process, so its CPU is not
counted as the client's; seeds N buckets and M instances over 4 regions; runs the S3
analyzer and the tag checker through `endpoint_url` into a DirectorySink in a temporary
folder; reads every part back and checks each bucket has exactly one finding per S3 check
(plus the account-level ones) and each instance exactly one finding per tag check.
The server (one process, one GIL), not the scanner, sets the wall time. Instances are read
in 1,000-instance pages as from AWS (see seed_world.INSTANCE_PAGE_SIZE).
Usage:
    .venv/bin/python bench/scan_emulator.py [--buckets 1000] [--instances 10000]
        [--concurrency N] [--tag-concurrency N] [--time-limit 1800]
"""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import measure
import seed_world

from estate_runtime.aws import TargetSession, target_session
from estate_runtime.report_writer import DirectorySink, decode_part
from estate_scanners.s3.analyzer import scan_buckets
from estate_scanners.s3.checks import account_checks, bucket_checks
from estate_scanners.tags.checks import all_checks as instance_checks
from estate_scanners.tags.scan import scan_tags

SCAN_STARTED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SEED_THREADS = 8  # the server is threaded: overlap its work with the client's


def main() -> int:
    """Serve (as the child), or seed, scan, verify and report (as the parent)."""
    args = _arguments()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    measure.use_fake_credentials()
    if args.serve:
        _serve()
        return 0
    signal.signal(signal.SIGALRM, _out_of_time)
    signal.alarm(args.time_limit)
    verdicts = measure.Verdicts()
    with _moto_server() as endpoint, tempfile.TemporaryDirectory(prefix="estate-bench-") as out:
        print(f"moto_server at {endpoint}; parts under {out}")
        admin = target_session(region=seed_world.HOME_REGION, endpoint_url=endpoint)
        with measure.measured() as seeding:
            names = seed_world.seed_buckets(admin.client, args.buckets, threads=SEED_THREADS)
            ids = seed_world.seed_instances(admin.client, args.instances, threads=SEED_THREADS)
        print(f"seeded {len(names)} buckets and {len(ids)} instances in {seeding.wall_s:.1f} s")
        sink = DirectorySink(out)
        _scan_s3(_session(endpoint), sink, args.concurrency, len(names))
        _scan_tags(_session(endpoint), sink, args.tag_concurrency, len(ids))
        findings = _read_back(Path(out))
    print("correctness at scale:")
    _verify_s3(findings, names, verdicts)
    _verify_tags(findings, ids, verdicts)
    peak = measure.peak_rss_mb()
    verdicts.judge("peak memory < 300 MB", peak < 300.0, f"{peak:.0f} MB (client process)")
    return 0 if verdicts.ok else 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--buckets", type=int, default=1000)
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, help="S3 analyzer (default: its own)")
    parser.add_argument("--tag-concurrency", type=int, help="tag checker (default: its own)")
    parser.add_argument("--time-limit", type=int, default=1800, help="seconds, then abort")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def _out_of_time(*_: object) -> None:
    raise TimeoutError("the benchmark ran past --time-limit")


def _serve() -> None:
    """Run moto_server on loopback until stdin closes (the parent ended or went away)."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    print(f"http://{host}:{port}", flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()


@contextmanager
def _moto_server() -> Iterator[str]:
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None
    assert child.stdout is not None
    try:
        endpoint = child.stdout.readline().strip()
        if not endpoint.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"moto_server did not start (said {endpoint!r})")
        yield endpoint
    finally:
        child.stdin.close()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _session(endpoint: str) -> TargetSession:
    return target_session(region=seed_world.HOME_REGION, endpoint_url=endpoint)


def _common(scan_id: str, sink: DirectorySink) -> dict[str, Any]:
    return {
        "account_id": seed_world.ACCOUNT_ID,
        "scan_id": scan_id,
        "scan_started": SCAN_STARTED,
        "sink": sink,
    }


def _scan_s3(session: TargetSession, sink: DirectorySink, concurrency: int | None, n: int) -> None:
    options: dict[str, Any] = {"concurrency": concurrency} if concurrency else {}
    with measure.measured() as span:
        result = scan_buckets(
            session, **_common("bench-s3", sink), tag_rules=seed_world.tag_rules(), **options
        )
    print(
        f"s3 scan: {span.wall_s:.1f} s wall, {n / span.wall_s:.1f} buckets/s, {result.calls} calls "
        f"({result.calls / n:.3g} per bucket, {span.wall_s * 1000 / result.calls:.1f} ms wall per "
        f"call), client CPU {span.cpu_s * 1000 / n:.1f} ms per bucket, "
        f"{result.findings} findings {dict(sorted(result.findings_by_status.items()))}, "
        f"peak RSS {measure.peak_rss_mb():.0f} MB"
    )


def _scan_tags(
    session: TargetSession, sink: DirectorySink, concurrency: int | None, n: int
) -> None:
    options: dict[str, Any] = {"concurrency": concurrency} if concurrency else {}
    with measure.measured() as span:
        result = scan_tags(
            session,
            **_common("bench-tags", sink),
            regions=seed_world.REGIONS,
            tag_rules=seed_world.tag_rules(),
            page_size=seed_world.INSTANCE_PAGE_SIZE,
            **options,
        )
    print(
        f"tags scan: {span.wall_s:.1f} s wall, {n / span.wall_s:.0f} instances/s, "
        f"client CPU {span.cpu_s * 1000 / n:.2f} ms per instance, {result.findings} "
        f"findings {dict(sorted(result.findings_by_status.items()))}, "
        f"units in error {dict(result.units_in_error)}, peak RSS {measure.peak_rss_mb():.0f} MB"
    )


def _read_back(root: Path) -> list[dict[str, Any]]:
    sink = DirectorySink(root)
    return [
        f for key in sink.list_keys("findings/") for f in decode_part((root / key).read_bytes())
    ]


def _verify_s3(
    findings: list[dict[str, Any]], names: list[str], verdicts: measure.Verdicts
) -> None:
    s3 = [f for f in findings if f["scanner"] == "s3"]
    per_bucket = Counter(
        (f["resource_id"], f["check_id"]) for f in s3 if f["resource_type"] == "AWS::S3::Bucket"
    )
    account = Counter(f["check_id"] for f in s3 if f["resource_type"] == "AWS::::Account")
    checks = [check.check_id for check in bucket_checks()]
    missing = sum(1 for name in names for check in checks if (name, check) not in per_bucket)
    twice = sum(1 for count in per_bucket.values() if count > 1)
    stray = len(per_bucket.keys() - {(name, check) for name in names for check in checks})
    expected_account = {check.check_id: 1 for check in account_checks()}
    detail = (
        f"{len(names)} buckets x {len(checks)} checks + {sum(account.values())} account-level: "
        f"{missing} missing, {twice} twice, {stray} stray; account {dict(account)}"
    )
    verdicts.judge(
        "one finding per bucket per S3 check",
        not (missing or twice or stray) and dict(account) == expected_account,
        detail,
    )
    errors = Counter(f["check_id"] for f in s3 if f["status"] == "ERROR")
    verdicts.judge("no S3 ERROR finding", not errors, str(dict(errors)) if errors else "none")


def _verify_tags(
    findings: list[dict[str, Any]], ids: list[str], verdicts: measure.Verdicts
) -> None:
    tags = [f for f in findings if f["scanner"] == "tags"]
    check_ids = {check.check_id for check in instance_checks()}
    per_instance = Counter((f["resource_id"], f["check_id"]) for f in tags)
    missing = len({(i, c) for i in ids for c in check_ids} - per_instance.keys())
    twice = sum(1 for count in per_instance.values() if count > 1)
    stray = sum(1 for i, c in per_instance if i not in ids or c not in check_ids)
    detail = f"{len(ids)} instances: {missing} missing, {twice} twice, {stray} stray; " + str(
        dict(sorted(Counter(f["status"] for f in tags).items()))
    )
    verdicts.judge(
        "one finding per instance per tag check", not (missing or twice or stray), detail
    )


if __name__ == "__main__":
    sys.exit(main())
