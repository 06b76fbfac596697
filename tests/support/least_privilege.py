"""Least privilege, proven: what a handler called (recorded) against what its role grants (planned).

``record_calls`` wraps the one method every botocore client call passes through
(``BaseClient._make_api_call``) for the duration of a ``with`` block. botocore's
``before-call`` event would need registering on every session, and handlers build theirs
inside (some cached for the process), so the recorder sits one level lower and misses none.
Each call is kept with the access key that signed it (calls made with an assumed role, the
scanned account's ``scanner`` role, are told apart from the execution role's own) and with
the function the emulator was running when it was made (``estate.emulator.running_function``;
None outside any invocation), so one end-to-end flow tells every function's calls apart.

A function's policy is read from the recorded plan: the one inline policy core's
``LambdaFunction`` names ``<component>-policy``. Its statements split in two:

- ``granted_handler_actions``: statements the handler's code needs, compared with the
  recorded calls mapped to IAM actions (``estate.iam.operations``, KMS by rule);
- ``granted_service_actions``: statements whose sid starts with ``Service``, the calls the
  Lambda service makes *with the role* and no handler code ever makes. They are compared
  with ``service_side_actions``, derived from the function's wiring in the same plan:
  its log group, each event source mapping by the source's type, each on-failure
  destination and dead-letter target by its type (``SERVICE_SIDE`` is that table).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient

from estate.emulator import running_function
from estate.iam.operations import ServiceCall, actions_needed
from estate.plan.runner import RecordedResource, StackRun

SERVICE_SID_PREFIX = "Service"
POLICY_TYPE = "aws:iam/rolePolicy:RolePolicy"
FUNCTION_TYPE = "aws:lambda/function:Function"
MAPPING_TYPE = "aws:lambda/eventSourceMapping:EventSourceMapping"
QUEUE_TYPE = "aws:sqs/queue:Queue"

# What the Lambda service does with the function's role, by the kind of resource involved
# (AWS Lambda developer guide, "execution role" of each event source; the managed policies
# AWSLambdaSQSQueueExecutionRole and AWSLambdaDynamoDBExecutionRole):
# - "logs": the function's log group — Lambda writes its logs there;
# - "sqs" as a source — the poller receives, deletes and reads the queue's attributes;
# - "dynamodb-stream" as a source — the poller lists and describes the stream and reads
#   its shards (ListStreams as AWS documents it; the emulator's poller does not list);
# - "sqs" / "sns" as an on-failure destination or a dead-letter target — one send;
# - a source or destination queue encrypted with a KMS key (not SQS-managed SSE) adds the
#   key's use: the poller decrypts what it receives, a sender makes a data key.
SERVICE_SIDE: dict[str, frozenset[str]] = {
    "logs": frozenset({"logs:CreateLogStream", "logs:PutLogEvents"}),
    "source:sqs": frozenset({"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}),
    "source:dynamodb-stream": frozenset(
        {
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
        }
    ),
    "destination:sqs": frozenset({"sqs:SendMessage"}),
    "destination:sns": frozenset({"sns:Publish"}),
    "source:kms-queue": frozenset({"kms:Decrypt"}),
    "destination:kms-queue": frozenset({"kms:GenerateDataKey", "kms:Decrypt"}),
}


@dataclass(frozen=True)
class RecordedCall:
    """One client call: what it was and which access key signed it."""

    call: ServiceCall
    access_key: str | None
    function: str | None = None  # the emulated function running when it was made


@dataclass
class CallLog:
    """Every call made inside ``record_calls``."""

    calls: list[RecordedCall] = field(default_factory=list)

    def service_calls(
        self, *, access_key: str | None = None, function: str | None = None
    ) -> list[ServiceCall]:
        """The calls (all, or only those one access key signed, or one function made)."""
        return [
            recorded.call
            for recorded in self.calls
            if (access_key is None or recorded.access_key == access_key)
            and (function is None or recorded.function == function)
        ]

    def access_keys(self) -> set[str | None]:
        """Every access key that signed a call."""
        return {recorded.access_key for recorded in self.calls}


def _access_key(client: BaseClient) -> str | None:
    credentials = client._request_signer._credentials
    return None if credentials is None else str(credentials.get_frozen_credentials().access_key)


def _target(params: dict[str, Any]) -> str | None:
    value = params.get("TopicArn") or params.get("QueueUrl")
    return None if value is None else str(value)


@contextmanager
def record_calls() -> Iterator[CallLog]:
    """Record every botocore client call made in the block (errors included: a denied call
    still needed its permission)."""
    log = CallLog()
    original = BaseClient._make_api_call

    def recording(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        function = running_function()  # before the call: it may run another function
        response: Any = None
        try:
            response = original(self, operation_name, api_params)
            return response
        finally:
            encryption = (
                response.get("ServerSideEncryption") if isinstance(response, dict) else None
            )
            log.calls.append(
                RecordedCall(
                    ServiceCall(
                        service=self.meta.service_model.service_name,
                        operation=operation_name,
                        server_side_encryption=encryption,
                        target=_target(api_params),
                    ),
                    _access_key(self),
                    function,
                )
            )

    BaseClient._make_api_call = recording
    try:
        yield log
    finally:
        BaseClient._make_api_call = original


def policy_of(run: StackRun, component: str) -> dict[str, Any]:
    """The inline policy document of the function component ``component``."""
    matches = [r for r in run.of_type(POLICY_TYPE) if r.name == f"{component}-policy"]
    if len(matches) != 1:
        raise AssertionError(f"{component}: expected one {component}-policy, got {len(matches)}")
    return _document(matches[0])


def _document(resource: RecordedResource) -> dict[str, Any]:
    policy = resource.inputs["policy"]
    document: dict[str, Any] = json.loads(policy) if isinstance(policy, str) else dict(policy)
    return document


def _actions(document: dict[str, Any], *, service: bool) -> frozenset[str]:
    granted: set[str] = set()
    for statement in document["Statement"]:
        if statement.get("Effect") != "Allow":
            continue
        if statement["Sid"].startswith(SERVICE_SID_PREFIX) != service:
            continue
        actions = statement["Action"]
        granted.update([actions] if isinstance(actions, str) else actions)
    return frozenset(granted)


def granted_handler_actions(document: dict[str, Any]) -> frozenset[str]:
    """The actions the policy grants to the handler's own code (non-``Service`` statements)."""
    return _actions(document, service=False)


def granted_service_actions(document: dict[str, Any]) -> frozenset[str]:
    """The actions the policy grants for the Lambda service's calls (``Service`` statements)."""
    return _actions(document, service=True)


def function_components(run: StackRun) -> dict[str, str]:
    """Physical function name -> the LambdaFunction component that made it."""
    return {
        str(function.inputs["name"]): function.name.removesuffix("-function")
        for function in run.of_type(FUNCTION_TYPE)
    }


def service_side_actions(run: StackRun, component: str) -> frozenset[str]:
    """What the Lambda service does with ``component``'s role, from its wiring in the plan."""
    [function] = [f for f in run.of_type(FUNCTION_TYPE) if f.name == f"{component}-function"]
    kinds: list[str] = []
    if (function.inputs.get("loggingConfig") or {}).get("logGroup"):
        kinds.append("logs")
    dead_letter = (function.inputs.get("deadLetterConfig") or {}).get("targetArn")
    if dead_letter:
        kinds += _destination(run, str(dead_letter))
    for mapping in run.of_type(MAPPING_TYPE):
        if mapping.inputs.get("functionName") != function.inputs["name"]:
            continue
        kinds += _source(run, str(mapping.inputs["eventSourceArn"]))
        on_failure = ((mapping.inputs.get("destinationConfig") or {}).get("onFailure")) or {}
        if on_failure.get("destinationArn"):
            kinds += _destination(run, str(on_failure["destinationArn"]))
    return frozenset(action for kind in kinds for action in SERVICE_SIDE[kind])


def _kms_queue(run: StackRun, queue_arn: str) -> bool:
    name = queue_arn.rsplit(":", 1)[-1]
    [queue] = [q for q in run.of_type(QUEUE_TYPE) if q.inputs.get("name") == name]
    return bool(queue.inputs.get("kmsMasterKeyId"))


def _source(run: StackRun, arn: str) -> list[str]:
    service = arn.split(":")[2]
    if service == "sqs":
        return ["source:sqs", *(["source:kms-queue"] if _kms_queue(run, arn) else [])]
    if service == "dynamodb" and "/stream/" in arn:
        return ["source:dynamodb-stream"]
    raise AssertionError(f"{arn}: an event source type SERVICE_SIDE does not know; add it")


def _destination(run: StackRun, arn: str) -> list[str]:
    service = arn.split(":")[2]
    if service == "sqs":
        return ["destination:sqs", *(["destination:kms-queue"] if _kms_queue(run, arn) else [])]
    if service == "sns":
        return ["destination:sns"]
    raise AssertionError(f"{arn}: a destination type SERVICE_SIDE does not know; add it")


@dataclass(frozen=True)
class Comparison:
    """Granted against used: both differences must be empty."""

    missing: frozenset[str]  # used but not granted: the function would fail in AWS
    unused: frozenset[str]  # granted but never used: more than least privilege

    @property
    def exact(self) -> bool:
        """True when the grant is exactly what was used."""
        return not self.missing and not self.unused


def needed(
    calls: list[ServiceCall], encrypted_targets: frozenset[str] = frozenset()
) -> frozenset[str]:
    """The actions ``calls`` needed; each distinct call mapped once (a flow makes thousands
    of the same few, and mapping one loads its service's model)."""
    return actions_needed(list(dict.fromkeys(calls)), encrypted_targets)


def compare(
    granted: frozenset[str],
    calls: list[ServiceCall],
    encrypted_targets: frozenset[str] = frozenset(),
) -> Comparison:
    """Compare a grant with the actions the recorded calls needed."""
    used = needed(calls, encrypted_targets)
    return Comparison(missing=used - granted, unused=granted - used)
