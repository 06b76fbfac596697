"""Ingest benchmark: a 1,000-bucket scan (17,000 findings: the S3 analyzer's 17 checks per
bucket) through core's ingest handler against moto, then an unchanged rescan.

The core stack is materialised from the recorded plan (table with its indexes and stream,
functions, topic), without the bucket's notification: the handler is called with the SQS
batches Lambda would deliver, so the time measured is the handler's. Prints findings/s,
DynamoDB requests per 1,000 findings, items written, alerts published and peak memory,
and PASS/FAIL against the targets:

- first scan: >= 2,000 findings/s; one alert for the (scan, account) — the alerts
  function sends one per stream batch, so a scan with over 1,000 new findings sends
  several (docs/core.md, limits);
- unchanged rescan: <= 1 item written per finding, no alert.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from measure import Span, Verdicts, current_rss_mb, measured, peak_rss_mb, use_fake_credentials

ITEMS_WRITTEN = "items written"  # counted beside the requests, under a name no operation has


def checks_per_bucket() -> int:
    """Findings per bucket, as the S3 analyzer's registry makes them."""
    from estate_scanners.s3.checks import bucket_checks

    return len(bucket_checks())


def findings(
    buckets: int, scan_id: str, observed: datetime, account_id: str
) -> list[dict[str, Any]]:
    """A scan's findings: every bucket judged by every check, about a third failing."""
    from estate_runtime.findings import SEVERITIES, make_finding

    return [
        make_finding(
            scan_id=scan_id,
            scanner="s3",
            account_id=account_id,
            region="eu-west-1",
            resource_type="AWS::S3::Bucket",
            resource_id=f"bucket-{b:05d}",
            resource_arn=f"arn:aws:s3:::bucket-{b:05d}",
            check_id=f"s3.check_{c:02d}",
            status="FAIL" if (b + c) % 3 == 0 else "PASS",
            severity=SEVERITIES[c % len(SEVERITIES)],
            message="benchmark finding",
            evidence={"bucket": b, "check": c, "detail": "x" * 40},
            controls=[f"SecurityHub:S3.{c}"],
            observed_at=observed,
        )
        for b in range(buckets)
        for c in range(checks_per_bucket())
    ]


def write_parts(
    s3: Any, bucket: str, found: list[dict[str, Any]], scan_id: str, day: date
) -> list[str]:
    """Write the findings as the scanners do (1,000 per part) with the real report writer."""
    from estate_runtime.report_writer import ReportWriter, S3Sink

    writer = ReportWriter(
        S3Sink(s3, bucket),
        scanner="s3",
        account_id=found[0]["account_id"],
        scan_id=scan_id,
        scan_date=day,
    )
    for finding in found:
        writer.add(finding)
    return list(writer.close().keys)


def sqs_batches(bucket: str, keys: list[str], size: int = 10) -> list[dict[str, Any]]:
    """The SQS events Lambda would deliver for these parts (the mapping's batch size)."""
    records = [
        {
            "messageId": f"m-{index}",
            "body": json.dumps(
                {
                    "Records": [
                        {
                            "eventName": "ObjectCreated:Put",
                            "s3": {"bucket": {"name": bucket}, "object": {"key": key}},
                        }
                    ]
                }
            ),
        }
        for index, key in enumerate(keys)
    ]
    return [{"Records": records[i : i + size]} for i in range(0, len(records), size)]


def part_working_set_mb(account_id: str) -> float:
    """Peak Python allocation of reading one 1,000-finding part and deciding its items:
    what ingest holds beyond boto3 at any time (tracemalloc, no moto in the way)."""
    import gzip
    import tracemalloc

    from estate_core.config import AccountInfo
    from estate_core.lifecycle import apply_change, observe
    from estate_core.parts import read_part
    from estate_core.store import to_dynamodb

    found = findings(
        1000 // checks_per_bucket() + 1, "memory", datetime(2026, 3, 1, tzinfo=UTC), account_id
    )[:1000]
    body = gzip.compress(b"".join(json.dumps(f).encode() + b"\n" for f in found))
    key = f"findings/scanner=s3/account={account_id}/dt=2026-03-01/memory-0000-00000.jsonl.gz"
    info = AccountInfo(account_id, "bench", "dev")
    tracemalloc.start()
    content = read_part(body, key=key)
    items = [to_dynamodb(apply_change(None, observe(None, f, info))) for f in content.findings]  # type: ignore[arg-type]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(items) == 1000
    return peak / 2**20


def handler_process_mb() -> float:
    """Resident memory of a fresh process with the ingest handler and its clients loaded."""
    import subprocess

    probe = (
        "import estate_core.ingest_handler\n"
        "from estate_core.clients import client\n"
        "client('s3'); client('dynamodb')\n"
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return int(done.stdout.strip()) / 1024


def reset_peak_memory() -> None:
    """Start VmHWM afresh (Linux: writing 5 to clear_refs resets the peak)."""
    clear_refs = Path("/proc/self/clear_refs")
    if clear_refs.exists():
        clear_refs.write_text("5")


def count_dynamodb_requests(calls: Counter[str]) -> None:
    """Count every DynamoDB request of this process by operation, and the finding items
    BatchWriteItem puts, whichever client the handler builds (the write pool's threads
    included, hence the lock)."""
    import threading

    from botocore.client import BaseClient

    lock, original = threading.Lock(), BaseClient._make_api_call

    def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            items = (
                sum(len(r) for r in params["RequestItems"].values())
                if operation == "BatchWriteItem"
                else 0
            )
            with lock:
                calls.update({operation: 1, ITEMS_WRITTEN: items})
        return original(client, operation, params)

    BaseClient._make_api_call = counted  # for the rest of the process


class MotoTime:
    """CPU seconds spent inside moto (its request dispatch, per calling thread) while on:
    the part of the handler's time that AWS, not this process, would spend."""

    def __init__(self) -> None:
        import threading
        import time

        from moto.core.botocore_stubber import BotocoreStubber

        self.cpu_s, self.on = 0.0, False
        lock, original = threading.Lock(), BotocoreStubber.__call__

        def timed(stubber: Any, *args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return original(stubber, *args, **kwargs)
            finally:
                if self.on:
                    with lock:
                        self.cpu_s += time.thread_time() - started

        BotocoreStubber.__call__ = timed  # type: ignore[method-assign,assignment]  # for the rest of the process


@dataclass
class Bench:
    """The materialised core stack and what the benchmark watches in it."""

    emulator: Any
    account: Any
    outputs: dict[str, Any]
    calls: Counter[str] = field(default_factory=Counter)
    moto: MotoTime = field(default_factory=MotoTime)
    capture_url: str = ""

    def client(self, service: str) -> Any:
        """A client in the stack's account and region."""
        return self.emulator.client(service, self.account.account_id, self.account.primary_region)

    def prepare(self) -> None:
        """Handler environment, a DynamoDB call counter, a queue that captures alerts."""
        from estate_core import clients

        account = self.account
        os.environ.update(
            {
                **self.emulator.credentials(account.account_id),
                "AWS_REGION": account.primary_region,
                "FINDINGS_TABLE": str(self.outputs["findings_table_name"]),
                "ESTATE_ACCOUNTS": json.dumps(
                    {account.account_id: {"name": account.name, "stage": account.stage.value}}
                ),
            }
        )
        clients.reset_clients()
        count_dynamodb_requests(self.calls)
        sqs = self.client("sqs")
        self.capture_url = sqs.create_queue(QueueName="bench-alerts")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=self.capture_url, AttributeNames=["QueueArn"])
        self.client("sns").subscribe(
            TopicArn=str(self.outputs["alert_topic_arn"]),
            Protocol="sqs",
            Endpoint=arn["Attributes"]["QueueArn"],
        )

    def scan(
        self, buckets: int, scan_id: str, moment: datetime
    ) -> tuple[int, Span, Counter[str], int, float]:
        """Write a scan's parts, ingest them, deliver the stream: the findings, the time,
        the DynamoDB requests, the alerts published, moto's share of the CPU."""
        from estate_core.ingest_handler import handler

        bucket = str(self.outputs["reports_bucket_name"])
        found = findings(buckets, scan_id, moment, self.account.account_id)
        keys = write_parts(self.client("s3"), bucket, found, scan_id, moment.date())
        self.calls.clear()
        self.moto.cpu_s, self.moto.on = 0.0, True
        with measured() as span:
            for event in sqs_batches(bucket, keys):
                assert handler(event, None) == {"batchItemFailures": []}
        self.moto.on = False
        self.emulator.poll_streams()
        return len(found), span, Counter(self.calls), self.drain_alerts(), self.moto.cpu_s

    def drain_alerts(self) -> int:
        """How many alerts arrived since the last look (each read once, then deleted)."""
        sqs, count = self.client("sqs"), 0
        while True:
            messages = sqs.receive_message(QueueUrl=self.capture_url, MaxNumberOfMessages=10)
            if not messages.get("Messages"):
                return count
            for message in messages["Messages"]:
                sqs.delete_message(
                    QueueUrl=self.capture_url, ReceiptHandle=message["ReceiptHandle"]
                )
                count += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buckets", type=int, default=1000)
    parser.add_argument("--account", default="dev")
    arguments = parser.parse_args()
    use_fake_credentials()

    from moto import mock_aws

    from estate.accounts import load_estate
    from estate.contracts import CORE
    from estate.emulator import Emulator, install_invoke_hook
    from estate.plan.runner import run_stack

    estate = load_estate()
    account = estate.account(arguments.account)
    run = run_stack(CORE, account, estate)
    # Everything but the notification: the benchmark delivers the events itself.
    run = replace(
        run, resources=tuple(r for r in run.resources if "bucketNotification" not in r.type)
    )
    verdicts = Verdicts()
    with mock_aws():
        emulator = Emulator()
        restore = install_invoke_hook(emulator.credentials)
        emulator.materialise([run])
        bench = Bench(emulator, account, emulator.translate(dict(run.outputs)))
        bench.prepare()
        start = datetime(2026, 3, 1, 6, tzinfo=UTC)
        reset_peak_memory()  # the plan run above (Pulumi, parliament) is not the handler's
        baseline = current_rss_mb()
        load_before = os.getloadavg()[0]
        count, first, first_calls, first_alerts, first_moto = bench.scan(
            arguments.buckets, "bench-1", start
        )
        again, second, second_calls, second_alerts, second_moto = bench.scan(
            arguments.buckets, "bench-2", start + timedelta(days=1)
        )
        load_after = os.getloadavg()[0]
        restore()
    rate = count / first.wall_s
    print(
        f"machine: {os.cpu_count()} cores, load average {load_before:.1f} before, "
        f"{load_after:.1f} after (the rates below are this process's share of it)"
    )
    for label, found, span, calls, moto_s in (
        ("first scan", count, first, first_calls, first_moto),
        ("unchanged rescan", again, second, second_calls, second_moto),
    ):
        written = calls.pop(ITEMS_WRITTEN, 0)
        requests = sum(calls.values())
        print(
            f"{label}: {found} findings in {span.wall_s:.1f} s = {found / span.wall_s:,.0f} "
            f"findings/s; CPU {span.cpu_s:.1f} s = {found / span.cpu_s:,.0f} findings per CPU-second"
        )
        print(
            f"  DynamoDB requests: {requests} ({requests / found * 1000:.0f} per 1,000 findings) "
            f"{dict(sorted(calls.items()))}; finding items written: {written}"
        )
        own_s = span.cpu_s - moto_s
        print(
            f"  CPU inside moto (AWS's side of each request) {moto_s:.1f} s = "
            f"{moto_s / found * 1000:.2f} ms per finding; the handler's own (ingest and "
            f"botocore) {own_s:.1f} s = {own_s / found * 1000:.2f} ms per finding, "
            f"{found / own_s:,.0f} findings per CPU-second"
        )
        calls[ITEMS_WRITTEN] = written
    print(
        f"alerts published: first scan {first_alerts}, rescan {second_alerts} "
        f"(the alerts function sends one per (scan, account) in each stream batch of <= 1,000 "
        f"alerting records)"
    )
    peak = peak_rss_mb()
    print(
        f"memory: {baseline:.0f} MB resident before ingest (Pulumi, parliament, moto), "
        f"peak {peak:.0f} MB (VmHWM): ingest and moto's table added {peak - baseline:.0f} MB"
    )
    print(
        f"one part's working set (1,000 findings decoded and decided): {part_working_set_mb(account.account_id):.1f} MB"
    )
    writes = second_calls[ITEMS_WRITTEN]
    verdicts.judge("first scan >= 2,000 findings/s", rate >= 2000, f"{rate:,.0f}/s")
    verdicts.judge("first scan alerts once", first_alerts == 1, str(first_alerts))
    verdicts.judge("rescan writes <= 1 item per finding", writes <= again, f"{writes} for {again}")
    verdicts.judge("rescan publishes nothing", second_alerts == 0, str(second_alerts))
    return 0 if verdicts.ok else 1


if __name__ == "__main__":
    sys.exit(main())
