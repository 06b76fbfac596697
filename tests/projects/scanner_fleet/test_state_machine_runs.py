"""The scan state machine, run by moto's Step Functions interpreter with the real handlers.

Given a seeded account, when the machine runs, then every shard is done, the manifest
lists them and the parts, and every bucket has its findings; one shard forced to fail is
recorded while the others complete; a worker stopped by its deadline after every batch is
continued until its shard is done, with nothing missing or twice.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from estate.emulator import InvocationLog
from estate_runtime.deadline import Deadline
from estate_runtime.report_writer import decode_part
from estate_scanners import s3_analyzer_handler
from estate_scanners.planner import plan_key
from estate_scanners.s3 import analyzer
from estate_scanners.s3.checks import bucket_checks
from tests.support.scan_machine import REGION, REPORTS_BUCKET, ScanMachine, deploy_scan_machine

BUCKETS = [f"bucket-{index:02d}" for index in range(7)]
SCAN_ID = "scan-1"
RULES = [{"key": "Owner"}]
# The reports bucket lives in the scanned account too: it is scanned like any other.
SCANNED = sorted([*BUCKETS, REPORTS_BUCKET])


@pytest.fixture
def sfn_aws(aws_credentials: None) -> Iterator[None]:
    """In-process moto whose Step Functions runs the definitions it is given."""
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield


def _seed_buckets() -> None:
    s3 = boto3.client("s3", region_name=REGION)
    for name in BUCKETS:
        s3.create_bucket(Bucket=name)


def _objects(prefix: str) -> dict[str, bytes]:
    s3 = boto3.client("s3", region_name=REGION)
    listed = s3.list_objects_v2(Bucket=REPORTS_BUCKET, Prefix=prefix).get("Contents", [])
    return {
        item["Key"]: s3.get_object(Bucket=REPORTS_BUCKET, Key=item["Key"])["Body"].read()
        for item in listed
    }


def _manifest() -> dict[str, Any]:
    manifests = {k: v for k, v in _objects("scans/").items() if k.endswith(".manifest.json")}
    assert len(manifests) == 1, sorted(manifests)
    document: dict[str, Any] = json.loads(next(iter(manifests.values())))
    return document


def _findings() -> list[dict[str, Any]]:
    return [f for body in _objects("findings/").values() for f in decode_part(body)]


def _s3_machine() -> ScanMachine:
    _seed_buckets()
    return deploy_scan_machine("s3")


@pytest.mark.usefixtures("sfn_aws")
def test_every_shard_is_done_and_recorded(invocations: InvocationLog) -> None:
    machine = _s3_machine()

    execution = machine.run({"required_tags": RULES, "shard_size": 3}, SCAN_ID)

    assert execution["status"] == "SUCCEEDED", execution
    output = json.loads(execution["output"])
    assert output["status"] == "complete"
    assert output["shards"] == {"total": 3, "done": 3, "failed": 0}
    manifest = _manifest()
    assert manifest["failed_shards"] == []
    assert manifest["parts"] == sorted(_objects("findings/"))
    per_bucket = Counter(f["resource_id"] for f in _findings() if f["resource_id"] in SCANNED)
    assert per_bucket == dict.fromkeys(SCANNED, len(bucket_checks()))
    # The account-level checks ran on exactly one shard.
    shard_events = invocations.events("estate-test-s3-worker")
    assert sorted(e["shard"] for e in shard_events if e["include_account_checks"]) == ["0000"]
    assert sorted(name for e in shard_events for name in e["buckets"]) == SCANNED


@pytest.mark.usefixtures("sfn_aws")
def test_a_failed_shard_is_recorded_and_the_others_complete(
    invocations: InvocationLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    machine = _s3_machine()
    scan = analyzer.scan_buckets

    def failing_on_shard_0001(*args: Any, **kwargs: Any) -> Any:
        if kwargs["shard"] == "0001":
            raise RuntimeError("shard 0001 forced to fail")
        return scan(*args, **kwargs)

    monkeypatch.setattr(s3_analyzer_handler, "scan_buckets", failing_on_shard_0001)

    execution = machine.run({"required_tags": RULES, "shard_size": 3}, SCAN_ID)

    assert execution["status"] == "SUCCEEDED", execution
    manifest = _manifest()
    assert manifest["status"] == "partial"
    assert manifest["shards"] == {"total": 3, "done": 2, "failed": 1}
    [failed] = manifest["failed_shards"]
    assert failed["label"] == "0001"
    assert failed["error"] == "RuntimeError"
    assert "shard 0001 forced to fail" in failed["cause"]
    scanned = {f["resource_id"] for f in _findings()}
    assert scanned >= {*SCANNED[:3], *SCANNED[6:]}
    assert scanned.isdisjoint(SCANNED[3:6])


@pytest.mark.usefixtures("sfn_aws")
def test_a_continuation_is_followed_to_the_end(
    invocations: InvocationLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed_buckets()
    machine = deploy_scan_machine("s3", environment={"SCAN_BATCH_SIZE": "1"})

    def one_batch_per_run(context: Any) -> Deadline:
        asked = iter((float("inf"),))  # the first batch fits, the next never does
        return Deadline(lambda: next(asked, float("-inf")))

    monkeypatch.setattr(s3_analyzer_handler, "invocation_deadline", one_batch_per_run)

    execution = machine.run({"required_tags": RULES, "shard_size": 4}, SCAN_ID)

    assert execution["status"] == "SUCCEEDED", execution
    manifest = _manifest()
    assert manifest["shards"] == {"total": 2, "done": 2, "failed": 0}
    # One bucket per run (shard 0000 also writes the account part in its first run).
    events = invocations.events("estate-test-s3-worker")
    assert manifest["runs"] == len(events) == len(SCANNED)
    continued = [e for e in events if e.get("continuation")]
    assert len(continued) == len(SCANNED) - 2
    per_bucket = Counter(f["resource_id"] for f in _findings() if f["resource_id"] in SCANNED)
    assert per_bucket == dict.fromkeys(SCANNED, len(bucket_checks()))
    plan = _objects("scans/")
    assert any(key.endswith(".plan.json") for key in plan)
    assert plan_key("s3", "123456789012", _scan_date(manifest), SCAN_ID) in plan


def _scan_date(manifest: dict[str, Any]) -> date:
    return datetime.fromisoformat(manifest["scan_started"]).date()
