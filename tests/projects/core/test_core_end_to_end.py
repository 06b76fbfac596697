"""core end to end in moto, wired as the plan declares it: parts land -> S3 event -> queue
-> ingest -> table -> stream -> alerts and Security Hub; the API answers over the table.

moto's own triggers drive S3 -> SQS -> ingest (moto invokes one record per message). The
table's stream is delivered by the emulator in batches of the mapping's size and filter,
because moto would invoke the stream functions inside every write, one record at a time,
and drop their failures (estate.emulator.world says more).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from estate_core import layout
from estate_runtime.asff import finding_id
from tests.support.core_world import CoreWorld, session_in

START = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
APP_BUCKETS = ("app-data-acme", "app-logs-acme")


def _seed(world: CoreWorld) -> None:
    s3 = session_in(world).client("s3")
    for name in APP_BUCKETS:
        s3.create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": world.region}
        )


def _by_key(items: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(item["resource_id"], item["check_id"]): item for item in items}


def _first_scan(world: CoreWorld) -> Counter[str]:
    """Scan 1: every finding lands in the table; one alert; Security Hub holds the new ones."""
    first = world.scan("scan-1", START)
    items = world.items()
    assert len(items) == first["findings"]
    assert {i["last_scan_id"] for i in items} == {"scan-1"}
    states = Counter(i["state"] for i in items)
    assert states[layout.NEW] == first["findings_by_status"]["FAIL"]
    assert states[layout.PASSING] == first["findings_by_status"].get("PASS", 0)
    assert {i["account_name"] for i in items} == {"dev"}
    assert {i["stage"] for i in items} == {"dev"}
    ingest_runs = [
        r for r in world.invokes if r.function_name == world.outputs["ingest_function_name"]
    ]
    assert ingest_runs and not any(r.errored for r in ingest_runs)

    # The stream: one alert for the scan, about its HIGH-and-up new findings.
    world.emulator.poll_streams()
    alerts = world.alerts()
    assert len(alerts) == 1
    severe = [
        i for i in items if i["state"] == layout.NEW and i["severity"] in ("CRITICAL", "HIGH")
    ]
    assert f"{len(severe)} new finding(s) in dev" in alerts[0]["Subject"]
    hub = world.client("securityhub")
    imported = hub.get_findings(MaxResults=100)["Findings"]
    assert len(imported) == states[layout.NEW]
    assert {f["Workflow"]["Status"] for f in imported} == {"NEW"}
    return states


def _identical_rescan(world: CoreWorld, states: Counter[str]) -> None:
    """Scan 2, identical: new -> open, nothing alerts, nothing new in Security Hub."""
    hub = world.client("securityhub")
    world.scan("scan-2", START + timedelta(days=1))
    second = _by_key(world.items())
    assert Counter(i["state"] for i in second.values())[layout.OPEN] == states[layout.NEW]
    world.emulator.poll_streams()
    assert len(world.alerts()) == 1
    assert len(hub.get_findings(MaxResults=100)["Findings"]) == states[layout.NEW]


def _rescan_with_one_fix(world: CoreWorld) -> dict[tuple[str, str], dict[str, Any]]:
    """Scan 3 with versioning switched on for one bucket: exactly that finding resolves."""
    hub = world.client("securityhub")
    session_in(world).client("s3").put_bucket_versioning(
        Bucket=APP_BUCKETS[0], VersioningConfiguration={"Status": "Enabled"}
    )
    world.scan("scan-3", START + timedelta(days=2))
    third = _by_key(world.items())
    resolved = [key for key, item in third.items() if item["state"] == layout.RESOLVED]
    assert resolved == [(APP_BUCKETS[0], "s3.versioning")]
    world.emulator.poll_streams()
    assert len(world.alerts()) == 1
    item = third[resolved[0]]
    (fixed,) = [
        f for f in hub.get_findings(MaxResults=100)["Findings"] if f["Id"] == finding_id(item)
    ]
    assert fixed["Workflow"]["Status"] == "RESOLVED"
    assert fixed["Compliance"]["Status"] == "PASSED"
    assert fixed["Compliance"]["RelatedRequirements"] == item["controls"]
    return third


def _api(world: CoreWorld, third: dict[tuple[str, str], dict[str, Any]]) -> None:
    """Open findings of the account, HIGH and up, paged; bad input is a 400 naming it."""
    fixed_id = next(item["id"] for item in third.values() if item["state"] == layout.RESOLVED)
    wanted = sorted(
        key
        for key, item in third.items()
        if item["state"] == layout.OPEN and item["severity"] in ("CRITICAL", "HIGH")
    )
    query = {"account": world.account_id, "state": "open", "severity": "HIGH", "limit": "2"}
    status, page = world.api("/findings", query)
    assert status == 200 and page["count"] == 2 and page["next"]
    seen = [(i["resource_id"], i["check_id"]) for i in page["items"]]
    while page["next"]:
        status, page = world.api("/findings", {**query, "next": page["next"]})
        assert status == 200
        seen += [(i["resource_id"], i["check_id"]) for i in page["items"]]
    assert sorted(seen) == wanted and len(set(seen)) == len(seen)

    status, body = world.api("/findings", {"account": world.account_id, "limit": "0"})
    assert status == 400 and body["parameter"] == "limit"
    status, body = world.api("/findings", {"account": world.account_id, "severity": "urgent"})
    assert status == 400 and body["parameter"] == "severity"
    _, first_page = world.api("/findings", query)
    status, body = world.api("/findings", {**query, "state": "new", "next": first_page["next"]})
    assert status == 400 and body["parameter"] == "next"

    status, body = world.api("/findings/{id}", finding_id=fixed_id)
    assert status == 200 and body["state"] == layout.RESOLVED
    status, body = world.api("/findings/{id}", finding_id="0" * 32)
    assert status == 404
    status, body = world.api("/summary", {"account": world.account_id})
    assert status == 200 and body["total"] == len(third)
    assert body["by_state"][layout.RESOLVED] == {"MEDIUM": 1}


def test_scans_flow_through_ingest_alerts_security_hub_and_the_api(core_world: CoreWorld) -> None:
    _seed(core_world)
    states = _first_scan(core_world)
    _identical_rescan(core_world, states)
    third = _rescan_with_one_fix(core_world)
    _api(core_world, third)
