"""The emulator: recorded stacks materialised into moto, in recorded order.

Inputs are recorded as the Pulumi mocks resolved them, so a reference to another resource
holds the mock's value (a made-up KMS key id, a stream label, an API id). Each resource's
mock state is recomputed (``estate.plan.mock_cloud.fake_state``); once the resource exists
in moto, every mock value of it that differs from the real one is remembered, and later
inputs are translated through that table before their materialiser sees them.

DynamoDB stream mappings are not created in moto: moto invokes them inside each write, one
record at a time, and drops failures. The emulator reads the stream itself
(``poll_streams``) and invokes the mapped function with batches of the mapping's size and
filter, through moto's Invoke, as Lambda's poller would.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3

from estate.emulator.registry import Materialised, Resource, registry
from estate.plan.mock_cloud import GENERATED_IDS, PROVIDER_TYPES, fake_state
from estate.plan.runner import RecordedResource, StackRun

EMULATOR_ROLE = "estate-emulator"


@dataclass
class StreamMapping:
    """A stream -> function mapping the emulator polls: its source, target, batch, filter."""

    function_name: str
    account_id: str
    region: str
    stream_arn: str
    batch_size: int
    states: frozenset[str] | None  # NewImage.state values the filter lets through
    positions: dict[str, str] = field(default_factory=dict)  # shard id -> next sequence
    failures: list[Mapping[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Skipped:
    """A recorded resource with no materialiser (not needed to run the pipeline)."""

    type: str
    name: str


class Emulator:
    """Creates recorded stacks' resources in the running moto (mock_aws or a server)."""

    def __init__(self, *, endpoint_url: str | None = None) -> None:
        self.endpoint_url = endpoint_url
        self.stream_mappings: list[StreamMapping] = []
        self.skipped: list[Skipped] = []
        self._created: dict[str, Materialised] = {}
        self._translations: dict[str, str] = {}
        self._credentials: dict[str, dict[str, str]] = {}
        self._clients: dict[tuple[str, str, str], Any] = {}

    # World -------------------------------------------------------------------------------
    def credentials(self, account_id: str) -> dict[str, str]:
        """AWS_* environment of a session in ``account_id`` (moto tells accounts by key)."""
        if account_id not in self._credentials:
            session = boto3.session.Session(region_name="us-east-1")
            sts = session.client("sts", endpoint_url=self.endpoint_url)
            assumed = sts.assume_role(
                RoleArn=f"arn:aws:iam::{account_id}:role/{EMULATOR_ROLE}",
                RoleSessionName="estate-emulator",
            )["Credentials"]
            self._credentials[account_id] = {
                "AWS_ACCESS_KEY_ID": assumed["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": assumed["SecretAccessKey"],
                "AWS_SESSION_TOKEN": assumed["SessionToken"],
            }
        return self._credentials[account_id]

    def client(self, service: str, account_id: str, region: str) -> Any:
        """A client acting in ``account_id`` and ``region`` (cached)."""
        key = (service, account_id, region)
        if key not in self._clients:
            creds = self.credentials(account_id)
            endpoint = self.endpoint_url
            if endpoint is None and service == "dynamodbstreams":
                # botocore 1.44 resolves a streams endpoint in-process moto does not route.
                endpoint = f"https://streams.dynamodb.{region}.amazonaws.com"
            self._clients[key] = boto3.session.Session().client(
                service,
                region_name=region,
                endpoint_url=endpoint,
                aws_access_key_id=creds["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
                aws_session_token=creds["AWS_SESSION_TOKEN"],
            )
        return self._clients[key]

    def created(self, urn: str) -> Materialised:
        """The real attributes of a materialised resource."""
        return self._created[urn]

    def add_stream_mapping(self, mapping: Any) -> None:
        """Remember a stream mapping for ``poll_streams``."""
        self.stream_mappings.append(mapping)

    # Materialising ---------------------------------------------------------------------
    def materialise(self, runs: Iterable[StackRun]) -> None:
        """Create every recorded resource of ``runs`` that has a materialiser."""
        materialisers = registry()
        for run in runs:
            for recorded in run.resources:
                if recorded.type in PROVIDER_TYPES or not recorded.custom:
                    continue
                if recorded.type.startswith("pulumi:"):
                    continue
                function = materialisers.get(recorded.type)
                if function is None:
                    self.skipped.append(Skipped(recorded.type, recorded.name))
                    continue
                resource = self._resource(run, recorded)
                real = function(self, resource)
                self._created[recorded.urn] = real
                self._learn(recorded.type, resource.fake, real)

    def _resource(self, run: StackRun, recorded: RecordedResource) -> Resource:
        region = str(run.provider_input(recorded, "region") or "us-east-1")
        _, fake = fake_state(
            recorded.type, recorded.name, dict(recorded.inputs), run.account_id, region
        )
        return Resource(
            type=recorded.type,
            name=recorded.name,
            urn=recorded.urn,
            account_id=run.account_id,
            region=region,
            inputs=self.translate(dict(recorded.inputs)),
            fake=fake,
        )

    def _learn(self, type_token: str, fake: Mapping[str, Any], real: Mapping[str, Any]) -> None:
        for name, value in real.items():
            if name == "id" and type_token not in GENERATED_IDS:
                continue  # a name the program chose: the same in moto (a queue's id is its URL)
            mock = fake.get(name)
            if isinstance(mock, str) and isinstance(value, str) and mock and mock != value:
                self._translations[mock] = value

    def translate(self, value: Any) -> Any:
        """``value`` with every mock value replaced by the real one (strings within JSON too)."""
        if isinstance(value, str):
            if value in self._translations:
                return self._translations[value]
            for mock, real in self._translations.items():
                # Inside JSON documents: only ARNs are distinctive enough to replace.
                if mock.startswith("arn:") and mock in value:
                    value = value.replace(mock, real)
            return value
        if isinstance(value, Mapping):
            return {key: self.translate(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.translate(item) for item in value]
        return value

    # Streams ---------------------------------------------------------------------------
    def poll_streams(self) -> int:
        """Deliver every new stream record to its mapped functions in batches; return how
        many invocations that made."""
        invocations = 0
        for mapping in self.stream_mappings:
            records = self._new_records(mapping)
            selected = [r for r in records if _passes(r, mapping.states)]
            for start in range(0, len(selected), mapping.batch_size):
                batch = selected[start : start + mapping.batch_size]
                self._invoke(mapping, {"Records": batch})
                invocations += 1
        return invocations

    def _new_records(self, mapping: StreamMapping) -> list[dict[str, Any]]:
        streams = self.client("dynamodbstreams", mapping.account_id, mapping.region)
        shards = streams.describe_stream(StreamArn=mapping.stream_arn)["StreamDescription"][
            "Shards"
        ]
        records: list[dict[str, Any]] = []
        for shard in shards:
            shard_id = shard["ShardId"]
            after = mapping.positions.get(shard_id)
            iterator_args: dict[str, Any] = (
                {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
                if after
                else {"ShardIteratorType": "TRIM_HORIZON"}
            )
            iterator = streams.get_shard_iterator(
                StreamArn=mapping.stream_arn, ShardId=shard_id, **iterator_args
            )["ShardIterator"]
            while iterator:
                response = streams.get_records(ShardIterator=iterator, Limit=1000)
                page = response.get("Records", [])
                for record in page:
                    records.append(_lambda_record(record, mapping))
                    mapping.positions[shard_id] = record["dynamodb"]["SequenceNumber"]
                iterator = response.get("NextShardIterator") if page else None
        return records

    def _invoke(self, mapping: StreamMapping, event: Mapping[str, Any]) -> None:
        lam = self.client("lambda", mapping.account_id, mapping.region)
        response = lam.invoke(FunctionName=mapping.function_name, Payload=json.dumps(event))
        result = json.loads(response["Payload"].read() or b"null")
        if response.get("FunctionError") or (
            isinstance(result, dict) and result.get("batchItemFailures")
        ):
            mapping.failures.append({"event": event, "result": result})


def _lambda_record(record: Mapping[str, Any], mapping: StreamMapping) -> dict[str, Any]:
    data = dict(record["dynamodb"])
    created = data.get("ApproximateCreationDateTime")
    if created is not None and not isinstance(created, int | float):
        data["ApproximateCreationDateTime"] = created.timestamp()
    return {
        "eventID": record.get("eventID"),
        "eventName": record.get("eventName"),
        "eventVersion": record.get("eventVersion"),
        "eventSource": "aws:dynamodb",
        "awsRegion": mapping.region,
        "dynamodb": data,
        "eventSourceARN": mapping.stream_arn,
    }


def _passes(record: Mapping[str, Any], states: frozenset[str] | None) -> bool:
    if states is None:
        return True
    new_image = record.get("dynamodb", {}).get("NewImage") or {}
    return new_image.get("state", {}).get("S") in states


def stream_filter_states(patterns: Sequence[str]) -> frozenset[str] | None:
    """The NewImage.state values a mapping's filter patterns let through (None: all)."""
    states: set[str] = set()
    for pattern in patterns:
        document = json.loads(pattern)
        values = document.get("dynamodb", {}).get("NewImage", {}).get("state", {}).get("S")
        if not isinstance(values, list):
            return None
        states.update(str(value) for value in values)
    return frozenset(states) if patterns else None
