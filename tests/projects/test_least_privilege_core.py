"""Least privilege for core, proven by recorded calls: each function's grant is exactly what
it uses, and the rest of its policy is exactly what the Lambda service does for it.

core/dev (Security Hub on, so every function exists) is created in moto from the recorded
plan and driven end to end, once for the module: two scans of real buckets (the second
after a fix, so findings resolve), a part with a bad line and a damaged part (quarantine),
the stream delivered to alerts and the Security Hub export, and the API paged, by id and
summarised. Every AWS call is recorded with the function the emulator was running when it
was made (``estate.emulator.running_function``); each function's calls, mapped to IAM
actions (``estate.iam.operations``, KMS by rule), are compared with its handler grant in
the recorded plan, and its ``Service`` statements with what its wiring in the same plan
makes the Lambda service do (``tests.support.least_privilege.SERVICE_SIDE``). Nothing here
lists an action: both sides are derived, so a grant change (a new DynamoDB call, say)
needs no edit here. A missing and an unused action both fail, shown on altered grants.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from moto import mock_aws

from estate.accounts import Estate
from estate.contracts import CORE
from estate.plan.runner import StackRun, run_stack
from estate.programs.core import functions as fn
from estate_core import layout
from estate_runtime.report_writer import decode_part
from tests.support.core_world import CoreWorld, materialised_core, session_in
from tests.support.least_privilege import (
    CallLog,
    compare,
    function_components,
    granted_handler_actions,
    granted_service_actions,
    needed,
    policy_of,
    record_calls,
    service_side_actions,
)

ACCOUNT = "dev"  # Security Hub is on in dev: the stack holds every core function
START = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
BUCKETS = ("app-data-acme", "app-logs-acme")
# Every handler core's functions module names, each driven by the flow below.
HANDLERS = {fn.INGEST_HANDLER, fn.ALERTS_HANDLER, fn.API_HANDLER, fn.SECURITY_HUB_HANDLER}
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass(frozen=True)
class CoreFlow:
    """What the flow recorded, and the plan it ran."""

    run: StackRun
    log: CallLog
    encrypted_targets: frozenset[str]  # topics and queues whose messages a KMS key encrypts

    def calls_of(self, component: str) -> CallLog:
        """The calls one function component made."""
        names = [n for n, c in function_components(self.run).items() if c == component]
        return CallLog([c for c in self.log.calls if c.function in names])


def _bad_parts(world: CoreWorld) -> None:
    """A part with one unreadable line and a damaged part, as a broken writer might leave."""
    s3 = session_in(world).client("s3")
    bucket = str(world.outputs["reports_bucket_name"])
    folder = f"findings/scanner=s3/account={world.account_id}/dt=2026-03-05/"
    s3.put_object(
        Bucket=bucket, Key=f"{folder}scan-9-0000-00000.jsonl.gz", Body=gzip.compress(b"{no\n")
    )
    s3.put_object(Bucket=bucket, Key=f"{folder}scan-9-0000-00001.jsonl.gz", Body=b"\x1f\x8bxx")


def _an_error_on_a_known_finding(world: CoreWorld) -> None:
    """A later scan's part with one known finding now ERROR: ingest re-reads the whole item
    (an ERROR keeps the attributes the decision did not read)."""
    s3 = session_in(world).client("s3")
    bucket = str(world.outputs["reports_bucket_name"])
    [first] = s3.list_objects_v2(Bucket=bucket, Prefix="findings/", MaxKeys=1)["Contents"]
    finding = next(decode_part(s3.get_object(Bucket=bucket, Key=first["Key"])["Body"].read()))
    seen = datetime.fromisoformat(finding["observed_at"].replace("Z", "+00:00"))
    later = (seen + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")  # newer: not skipped
    errored = {**finding, "status": "ERROR", "scan_id": "scan-3", "observed_at": later}
    folder = f"findings/scanner=s3/account={world.account_id}/dt=2026-03-04/"
    s3.put_object(
        Bucket=bucket,
        Key=f"{folder}scan-3-0000-00000.jsonl.gz",
        Body=gzip.compress(json.dumps(errored).encode() + b"\n"),
    )


def _api(world: CoreWorld) -> None:
    query = {"account": world.account_id, "limit": "2"}
    status, page = world.api("/findings", query)
    assert status == 200 and page["next"]
    status, _ = world.api("/findings", {**query, "next": page["next"]})
    assert status == 200
    status, _ = world.api("/findings/{id}", finding_id=page["items"][0]["id"])
    assert status == 200
    status, _ = world.api("/summary", {"account": world.account_id})
    assert status == 200


def _encrypted_targets(world: CoreWorld) -> frozenset[str]:
    """The topics and queues the emulator created with a KMS key (from the plan's inputs)."""
    sns, sqs = world.client("sns"), world.client("sqs")
    topics = [
        t["TopicArn"]
        for t in sns.list_topics()["Topics"]
        if sns.get_topic_attributes(TopicArn=t["TopicArn"])["Attributes"].get("KmsMasterKeyId")
    ]
    queues = [
        url
        for url in sqs.list_queues().get("QueueUrls", [])
        if sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["KmsMasterKeyId"])
        .get("Attributes", {})
        .get("KmsMasterKeyId")
    ]
    return frozenset(topics + queues)


def _drive(world: CoreWorld) -> None:
    s3 = session_in(world).client("s3")
    for name in BUCKETS:
        s3.create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": world.region}
        )
    world.scan("scan-1", START)
    world.emulator.poll_streams()
    s3.put_bucket_versioning(Bucket=BUCKETS[0], VersioningConfiguration={"Status": "Enabled"})
    world.scan("scan-2", START + timedelta(days=1))
    world.emulator.poll_streams()
    assert any(item["state"] == layout.RESOLVED for item in world.items())
    _an_error_on_a_known_finding(world)
    _bad_parts(world)
    _api(world)


@pytest.fixture(scope="module")
def flow(estate: Estate, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CoreFlow]:
    """The flow, run once for the module in its own moto and fake credentials."""
    run = run_stack(CORE, estate.account(ACCOUNT), estate)
    folder = Path(tmp_path_factory.mktemp("aws"))
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
            patch.delenv(name, raising=False)
        for name, value in FAKE_AWS.items():
            patch.setenv(name, value)
        patch.setenv("AWS_CONFIG_FILE", os.fspath(folder / "config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.fspath(folder / "credentials"))
        with mock_aws(), materialised_core(run) as world:
            with record_calls() as log:
                _drive(world)
            errored = [r.function_name for r in world.invokes if r.errored]
            assert errored == [], errored
            yield CoreFlow(run, log, _encrypted_targets(world))


def test_the_flow_drives_every_core_function(
    flow: CoreFlow, estate: Estate, run_program: Callable[[str, str], StackRun]
) -> None:
    # Every account's core runs only these handlers, and each made calls in the flow.
    for account in estate:
        run = run_program("core", account.name)
        handlers = {f.inputs["handler"] for f in run.of_type("aws:lambda/function:Function")}
        assert handlers <= HANDLERS
    planned = {f.inputs["handler"] for f in flow.run.of_type("aws:lambda/function:Function")}
    assert planned == HANDLERS
    for component in function_components(flow.run).values():
        assert flow.calls_of(component).calls, f"{component} made no call"


def test_each_function_is_granted_exactly_what_its_handler_called(flow: CoreFlow) -> None:
    differences: dict[str, dict[str, frozenset[str]]] = {}
    for component in sorted(function_components(flow.run).values()):
        granted = granted_handler_actions(policy_of(flow.run, component))
        calls = flow.calls_of(component).service_calls()
        comparison = compare(granted, calls, flow.encrypted_targets)
        differences[component] = {"missing": comparison.missing, "unused": comparison.unused}
    empty: dict[str, frozenset[str]] = {"missing": frozenset(), "unused": frozenset()}
    assert differences == dict.fromkeys(differences, empty)


def test_the_rest_of_each_policy_is_what_the_lambda_service_does_for_it(flow: CoreFlow) -> None:
    for component in function_components(flow.run).values():
        document = policy_of(flow.run, component)
        assert granted_service_actions(document) == service_side_actions(flow.run, component)


def test_a_missing_permission_fails_the_proof(flow: CoreFlow) -> None:
    calls = flow.calls_of("ingest").service_calls()
    used = needed(calls, flow.encrypted_targets)
    dropped = sorted(used)[0]
    altered = granted_handler_actions(policy_of(flow.run, "ingest")) - {dropped}

    comparison = compare(altered, calls, flow.encrypted_targets)

    assert not comparison.exact
    assert comparison.missing == {dropped}
    assert comparison.unused == frozenset()


def test_an_unused_permission_fails_the_proof(flow: CoreFlow) -> None:
    calls = flow.calls_of("api").service_calls()
    granted = granted_handler_actions(policy_of(flow.run, "api"))
    # A grant another core function needs, which the API does not.
    others = {
        action
        for component in function_components(flow.run).values()
        for action in granted_handler_actions(policy_of(flow.run, component))
    }
    extra = sorted(others - granted)[0]
    altered = granted | {extra}

    comparison = compare(altered, calls, flow.encrypted_targets)

    assert not comparison.exact
    assert comparison.missing == frozenset()
    assert comparison.unused == {extra}
