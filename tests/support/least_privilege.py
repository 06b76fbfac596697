"""Least privilege, proven: what a handler called (recorded) against what its role grants (planned).

``record_calls`` wraps the one method every botocore client call passes through
(``BaseClient._make_api_call``) for the duration of a ``with`` block. botocore's
``before-call`` event would need registering on every session, and handlers build theirs
inside (some cached for the process), so the recorder sits one level lower and misses none.
Each call is kept with the access key that signed it, so calls made with an assumed role
(the scanned account's ``scanner`` role) are told apart from the execution role's own.

``granted_handler_actions`` reads the function's one inline policy from the recorded plan
(core's ``LambdaFunction`` names it ``<component>-policy``) and keeps the statements the
handler's code needs: sids starting with ``Service`` are the Lambda service's own calls
with the role (logs, event-source polling, failure destinations), never the handler's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient

from estate.iam.operations import ServiceCall, actions_needed
from estate.plan.runner import RecordedResource, StackRun

SERVICE_SID_PREFIX = "Service"
POLICY_TYPE = "aws:iam/rolePolicy:RolePolicy"


@dataclass(frozen=True)
class RecordedCall:
    """One client call: what it was and which access key signed it."""

    call: ServiceCall
    access_key: str | None


@dataclass
class CallLog:
    """Every call made inside ``record_calls``."""

    calls: list[RecordedCall] = field(default_factory=list)

    def service_calls(self, *, access_key: str | None = None) -> list[ServiceCall]:
        """The calls (all, or only those one access key signed)."""
        return [
            recorded.call
            for recorded in self.calls
            if access_key is None or recorded.access_key == access_key
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


def granted_handler_actions(document: dict[str, Any]) -> frozenset[str]:
    """The actions the policy grants to the handler's own code (non-``Service`` statements)."""
    granted: set[str] = set()
    for statement in document["Statement"]:
        if statement.get("Effect") != "Allow" or statement["Sid"].startswith(SERVICE_SID_PREFIX):
            continue
        actions = statement["Action"]
        granted.update([actions] if isinstance(actions, str) else actions)
    return frozenset(granted)


@dataclass(frozen=True)
class Comparison:
    """Granted against used: both differences must be empty."""

    missing: frozenset[str]  # used but not granted: the function would fail in AWS
    unused: frozenset[str]  # granted but never used: more than least privilege

    @property
    def exact(self) -> bool:
        """True when the grant is exactly what was used."""
        return not self.missing and not self.unused


def compare(
    granted: frozenset[str],
    calls: list[ServiceCall],
    encrypted_targets: frozenset[str] = frozenset(),
) -> Comparison:
    """Compare a grant with the actions the recorded calls needed."""
    used = actions_needed(calls, encrypted_targets)
    return Comparison(missing=used - granted, unused=granted - used)
