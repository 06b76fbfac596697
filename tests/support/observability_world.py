"""The observability project built under Pulumi mocks from a synthetic platform (no contracts
needed: the plain inputs stand in for core's and scanner-fleet's outputs)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pulumi

from estate.naming import ProjectNames
from estate.programs.observability.platform import ObservedPlatform, build

ACCOUNT_ID = "111111111111"
TARGET_ID = "444444444444"
TOPIC = f"arn:aws:sns:eu-west-1:{ACCOUNT_ID}:estate-dev-core-alerts"
NAMES = ProjectNames(account="dev", account_id=ACCOUNT_ID, project="observability")


@dataclass(frozen=True)
class Recorded:
    """One resource the program registered: type token, logical name, resolved inputs."""

    type: str
    name: str
    inputs: dict[str, Any]


class RecordingMocks(pulumi.runtime.Mocks):
    """Records every resource; answers with its inputs plus a name-derived id and ARN."""

    def __init__(self) -> None:
        self.resources: list[Recorded] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resources.append(Recorded(args.typ, args.name, dict(args.inputs)))
        state = dict(args.inputs)
        state.setdefault("arn", f"arn:aws:mock:eu-west-1:{ACCOUNT_ID}:{args.name}")
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        raise NotImplementedError(f"the observability program must not invoke {args.token}")


def platform(**changes: Any) -> ObservedPlatform:
    """A platform with two functions per project, three dead-letter queues, two machines."""
    base = ObservedPlatform(
        account_id=ACCOUNT_ID,
        region="eu-west-1",
        alert_topic_arn=TOPIC,
        functions={
            "ingest": "estate-dev-core-ingest-1",
            "api": "estate-dev-core-api-1",
            "s3-analyzer": "estate-dev-scanner-fleet-s3-1",
        },
        dead_letter_queues={
            "ingest-dlq": "estate-dev-core-ingest-dlq-1",
            "stream-failures": "estate-dev-core-stream-failures-1",
            "schedule-dlq": "estate-dev-scanner-fleet-schedule-dlq-1",
        },
        state_machines={
            "s3-scan": f"arn:aws:states:eu-west-1:{ACCOUNT_ID}:stateMachine:s3",
            "tags-scan": f"arn:aws:states:eu-west-1:{ACCOUNT_ID}:stateMachine:tags",
        },
        scans=(("s3", ACCOUNT_ID), ("tags", ACCOUNT_ID), ("s3", TARGET_ID)),
        ingest_queue_name="estate-dev-core-ingest-1",
        table_name="estate-dev-core-findings-1",
        reports_bucket_name="estate-dev-core-reports-111111111111-1",
        key_arn=f"arn:aws:kms:eu-west-1:{ACCOUNT_ID}:key/1234",
        api_name="estate-dev-core-api-1",
        api_stage="v1",
        api_function_name="estate-dev-core-api-1",
        api_alias="live",
        api_provisioned_concurrency=2,
    )
    return replace(base, **changes)


def record(observed: ObservedPlatform) -> list[Recorded]:
    """Build the project from ``observed`` under mocks; every resource it registered."""
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project="observability", stack="dev", preview=False)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def program() -> pulumi.Output[Any]:
        built = build(observed, NAMES, pulumi.ResourceOptions())
        return pulumi.Output.all(built.alarms.names, built.dashboard.name, built.reports.table_name)

    program()
    return mocks.resources
