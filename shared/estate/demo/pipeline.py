"""The demo's run: the programs' own resources on moto, seeded accounts, two scans each.

1. core and scanner-fleet are recorded for every account under Pulumi mocks (as
   ``estate plan`` does) and their resources created in in-process moto with their real
   names by the emulator (``estate.emulator``; this package adds Step Functions and
   Scheduler materialisers).
2. Each account is seeded (``estate.demo.seed``).
3. Each account's scans start as its schedules would: StartExecution of the schedule's
   target machine with the schedule's own input. The machine runs in moto's interpreter:
   plan → Map over shards → analyzer in process → parts → S3 event → queue → ingest →
   table; the table's stream is then delivered to alerts (the emulator polls it).
4. Two buckets are fixed and every account is scanned again.

moto's Step Functions invokes Lambda as its default account, so each execution runs with
``MOTO_ACCOUNT_ID`` set to the scanned account (every call in between acts there anyway).
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

from estate.accounts import Account, Estate
from estate.contracts import CORE, SCANNER_FLEET
from estate.demo.seed import SeededAccount, SeededBucket, fix_bucket, seed_account
from estate.emulator import Emulator, InvokeRecord, install_invoke_hook
from estate.plan.runner import StackRun, run_stack
from estate_core import layout
from estate_core.layout import FAILING_STATES

EXECUTION_TIMEOUT_S: Final = 300.0
INBOX_QUEUE: Final = "estate-demo-alert-inbox"
Progress = Callable[[str, int], None]  # (step description, steps done) -> None


@dataclass
class AccountRound:
    """What one account's scans left behind, read back from the emulator."""

    states: Counter[tuple[str, str]] = field(default_factory=Counter)  # (state, severity)
    # (resource id, check id) -> (state, severity), for every item
    items: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    alerts: list[dict[str, str]] = field(default_factory=list)  # subject, message
    executions: list[dict[str, Any]] = field(default_factory=list)  # scanner, status, output
    reports: list[str] = field(default_factory=list)  # s3:// prefixes holding the parts


@dataclass
class DemoAccount:
    """One account through the demo."""

    account: Account
    core: StackRun
    fleet: StackRun
    seeded: SeededAccount | None = None
    rounds: list[AccountRound] = field(default_factory=list)
    fixed: set[tuple[str, str]] = field(default_factory=set)  # (bucket, check) fixed

    def truth_check(self) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
        """After the first scan: seeded failures the table lacks, and failing items of
        seeded resources nobody seeded (both empty when the pipeline told the truth)."""
        assert self.seeded is not None
        assert self.rounds
        expected = self.seeded.expected_failures()
        seeded = self.seeded.resources()
        failing = {
            key: severity
            for key, (state, severity) in self.rounds[0].items.items()
            if state in FAILING_STATES and key[0] in seeded
        }
        missing = {key for key, severity in expected.items() if failing.get(key) != severity}
        return missing, set(failing) - set(expected)


@dataclass
class DemoResult:
    """Everything the demo did, for printing and for tests."""

    accounts: list[DemoAccount]
    skipped_types: list[str]
    invocations: int
    seconds: float


def record_plans(estate: Estate, accounts: Sequence[Account]) -> list[DemoAccount]:
    """core then scanner-fleet for each account, under mocks, the fleet reading core's outputs."""
    planned = []
    for account in accounts:
        core = run_stack(CORE, account, estate)
        fleet = run_stack(
            SCANNER_FLEET, account, estate, producer_outputs={("core", account.name): core.outputs}
        )
        planned.append(DemoAccount(account, core, fleet))
    return planned


@contextmanager
def acting_in(account_id: str) -> Iterator[None]:
    """Every moto call of the block acts in ``account_id`` (Step Functions' tasks included)."""
    saved = os.environ.get("MOTO_ACCOUNT_ID")
    os.environ["MOTO_ACCOUNT_ID"] = account_id
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("MOTO_ACCOUNT_ID", None)
        else:
            os.environ["MOTO_ACCOUNT_ID"] = saved


class DemoRun:
    """The demo against an emulator that is already running (``mock_aws`` with Step Functions
    execution on)."""

    def __init__(self, estate: Estate, accounts: Sequence[Account], progress: Progress) -> None:
        self.estate = estate
        self.progress = progress
        self.planned = record_plans(estate, accounts)
        self.emulator = Emulator()
        self.records: list[InvokeRecord] = []

    def run(self, *, buckets: int, instances: int) -> DemoResult:
        """Create, seed, scan, fix two buckets, scan again."""
        started = time.monotonic()
        self.emulator.materialise([run for a in self.planned for run in (a.core, a.fleet)])
        self.progress("resources created from the recorded plan", 1)
        restore = install_invoke_hook(self.emulator.credentials, self.records)
        try:
            for demo in self.planned:
                demo.seeded = seed_account(
                    self._clients(demo.account), demo.account, buckets=buckets, instances=instances
                )
                self._subscribe_inbox(demo)
                self.progress(f"seeded {demo.account.name}", 1)
            self._scan_round(1)
            self._fix_two_buckets()
            self._scan_round(2)
        finally:
            restore()
        return DemoResult(
            accounts=self.planned,
            skipped_types=sorted({s.type for s in self.emulator.skipped}),
            invocations=len(self.records),
            seconds=time.monotonic() - started,
        )

    # Steps ------------------------------------------------------------------------------
    def _scan_round(self, number: int) -> None:
        for demo in self.planned:
            round_ = AccountRound()
            for schedule in self._schedules(demo):
                round_.executions.append(self._start_as_scheduled(demo, schedule, number))
                self.progress(f"scan {number}: {schedule['scanner']} of {demo.account.name}", 1)
            self.emulator.poll_streams()  # the table's stream -> alerts
            self._read_back(demo, round_)
            demo.rounds.append(round_)

    def _fix_two_buckets(self) -> None:
        """Fix the first two fixable buckets of the first account that has them."""
        remaining = 2
        for demo in self.planned:
            assert demo.seeded is not None
            s3 = self._clients(demo.account)("s3", demo.account.primary_region)
            log_bucket = demo.seeded.buckets[0].name
            for bucket in demo.seeded.buckets[1:]:
                if remaining and _fixable(bucket):
                    fixed = fix_bucket(s3, bucket, demo.account, log_bucket)
                    demo.fixed |= {(bucket.name, check) for check in fixed}
                    remaining -= 1
        self.progress("fixed two buckets", 1)

    def _start_as_scheduled(
        self, demo: DemoAccount, schedule: dict[str, Any], number: int
    ) -> dict[str, Any]:
        account_id = demo.account.account_id
        name = f"{schedule['scanner']}-{demo.account.name}-scan-{number}"
        with acting_in(account_id):
            sfn = self.emulator.client("stepfunctions", account_id, schedule["region"])
            execution = sfn.start_execution(
                stateMachineArn=schedule["target"], name=name, input=schedule["input"]
            )["executionArn"]
            deadline = time.monotonic() + EXECUTION_TIMEOUT_S
            while True:
                described = sfn.describe_execution(executionArn=execution)
                if described["status"] != "RUNNING" or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
        output = json.loads(described.get("output") or "null")
        return {"scanner": schedule["scanner"], "status": described["status"], "output": output}

    # Reading the emulator ---------------------------------------------------------------------
    def _clients(self, account: Account) -> Callable[[str, str], Any]:
        return lambda service, region: self.emulator.client(service, account.account_id, region)

    def _schedules(self, demo: DemoAccount) -> list[dict[str, Any]]:
        """The account's schedules as moto holds them: target machine and input."""
        region = demo.account.primary_region
        scheduler = self.emulator.client("scheduler", demo.account.account_id, region)
        machines = {
            self.emulator.translate(demo.fleet.outputs[f"{scanner}_state_machine_arn"]): scanner
            for scanner in ("s3", "tags")
        }
        schedules = []
        for summary in scheduler.list_schedules()["Schedules"]:
            detail = scheduler.get_schedule(Name=summary["Name"])
            target = detail["Target"]
            schedules.append(
                {
                    "name": detail["Name"],
                    "scanner": machines[target["Arn"]],
                    "target": target["Arn"],
                    "input": target["Input"],
                    "region": region,
                }
            )
        return sorted(schedules, key=lambda s: (s["scanner"], s["name"]))

    def _subscribe_inbox(self, demo: DemoAccount) -> None:
        """An SQS queue subscribed to the alert topic: the demo's stand-in for the inbox."""
        account_id, region = demo.account.account_id, demo.account.primary_region
        sqs = self.emulator.client("sqs", account_id, region)
        url = sqs.create_queue(QueueName=INBOX_QUEUE)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        topic = self.emulator.translate(demo.core.outputs["alert_topic_arn"])
        self.emulator.client("sns", account_id, region).subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=arn
        )

    def _read_back(self, demo: DemoAccount, round_: AccountRound) -> None:
        account_id, region = demo.account.account_id, demo.account.primary_region
        table = self.emulator.translate(demo.core.outputs["findings_table_name"])
        dynamodb = self.emulator.client("dynamodb", account_id, region)
        # The account's findings by its index, as the API reads them (a Scan would also
        # see an ingest lease item, which has no finding's attributes).
        pages = dynamodb.get_paginator("query").paginate(
            TableName=table,
            IndexName=layout.INDEX_BY_ACCOUNT,
            KeyConditionExpression="#account = :account",
            ExpressionAttributeNames={"#account": layout.ACCOUNT},
            ExpressionAttributeValues={":account": {"S": account_id}},
        )
        for page in pages:
            for item in page["Items"]:
                state, severity = item["state"]["S"], item["severity"]["S"]
                key = (item["resource_id"]["S"], item["check_id"]["S"])
                round_.items[key] = (state, severity)
                round_.states[(state, severity)] += 1
        sqs = self.emulator.client("sqs", account_id, region)
        url = sqs.get_queue_url(QueueName=INBOX_QUEUE)["QueueUrl"]
        while True:
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                break
            for message in messages:
                body = json.loads(message["Body"])
                round_.alerts.append(
                    {"subject": body.get("Subject") or "", "message": body.get("Message", "")}
                )
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        bucket = self.emulator.translate(demo.core.outputs["reports_bucket_name"])
        round_.reports = [
            f"s3://{bucket}/findings/scanner={scanner}/account={account_id}/"
            for scanner in ("s3", "tags")
        ]


def _fixable(bucket: SeededBucket) -> bool:
    return bool(bucket.defects) and "public" not in bucket.defects
