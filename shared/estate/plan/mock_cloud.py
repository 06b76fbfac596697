"""The Pulumi mocks of `estate plan`: fake but well-formed resource state, recorded calls."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks
from pulumi.runtime.mocks import MockMonitor

from estate.contracts import OutputKind, ProjectContract

PROVIDER_TYPES = frozenset({"pulumi:providers:aws", "pulumi:providers:aws-native"})
STACK_REFERENCE = "pulumi:pulumi:StackReference"

# ARN shapes of the resource types our programs create, so that policies built from
# `resource.arn` are linted against real-looking ARNs. {a} account, {r} region, {n} name.
ARN_FORMATS: Mapping[str, str] = {
    "aws:iam/role:Role": "arn:aws:iam::{a}:role/{n}",
    "aws:iam/policy:Policy": "arn:aws:iam::{a}:policy/{n}",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "arn:aws:iam::{a}:oidc-provider/{n}",
    "aws:s3/bucketV2:BucketV2": "arn:aws:s3:::{n}",
    "aws:s3/bucket:Bucket": "arn:aws:s3:::{n}",
    "aws:lambda/function:Function": "arn:aws:lambda:{r}:{a}:function:{n}",
    "aws:sqs/queue:Queue": "arn:aws:sqs:{r}:{a}:{n}",
    "aws:sns/topic:Topic": "arn:aws:sns:{r}:{a}:{n}",
    "aws:dynamodb/table:Table": "arn:aws:dynamodb:{r}:{a}:table/{n}",
    "aws:kms/key:Key": "arn:aws:kms:{r}:{a}:key/{n}",
    "aws:cloudwatch/logGroup:LogGroup": "arn:aws:logs:{r}:{a}:log-group:{n}",
    "aws:sfn/stateMachine:StateMachine": "arn:aws:states:{r}:{a}:stateMachine:{n}",
    "aws:kms/alias:Alias": "arn:aws:kms:{r}:{a}:{n}",
    "aws-native:sns:Topic": "arn:aws:sns:{r}:{a}:{n}",
}
# The input that holds a type's physical name, where it is not `name`.
NAME_INPUTS: Mapping[str, str] = {
    "aws:s3/bucket:Bucket": "bucket",
    "aws-native:sns:Topic": "topicName",
    "aws:apigateway/stage:Stage": "stageName",
}
# Where a type's physical id is not its name (AWS assigns it).
GENERATED_IDS = frozenset(
    {
        "aws:kms/key:Key",
        "aws:apigateway/restApi:RestApi",
        "aws:apigateway/resource:Resource",
        "aws:apigateway/deployment:Deployment",
    }
)


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


_LAMBDA_PATH = "arn:aws:apigateway:{r}:lambda:path/2015-03-31/functions"
_State = Mapping[str, Any]


def _function_attributes(state: _State, _a: str, r: str) -> dict[str, Any]:
    version = "1" if state.get("publish") else "$LATEST"
    return {
        "invokeArn": f"{_LAMBDA_PATH.format(r=r)}/{state['arn']}/invocations",
        "version": version,
        "qualifiedArn": f"{state['arn']}:{version}",
    }


def _alias_attributes(state: _State, a: str, r: str) -> dict[str, Any]:
    alias_arn = f"arn:aws:lambda:{r}:{a}:function:{state['functionName']}:{state['id']}"
    return {"arn": alias_arn, "invokeArn": f"{_LAMBDA_PATH.format(r=r)}/{alias_arn}/invocations"}


def _key_attributes(state: _State, a: str, r: str) -> dict[str, Any]:
    key_id = str(uuid.UUID(_digest(a, r, str(state["id"]))[:32]))
    return {"keyId": key_id, "arn": f"arn:aws:kms:{r}:{a}:key/{key_id}"}


# Attributes AWS computes that programs read (URLs, stream and invoke ARNs, versions), per type.
COMPUTED: Mapping[str, Callable[[_State, str, str], dict[str, Any]]] = {
    "aws:sqs/queue:Queue": lambda s, a, r: {"url": f"https://sqs.{r}.amazonaws.com/{a}/{s['id']}"},
    "aws:dynamodb/table:Table": lambda s, _a, _r: {
        "streamArn": f"{s['arn']}/stream/1970-01-01T00:00:00.000"
    },
    "aws:kms/key:Key": _key_attributes,
    "aws:lambda/function:Function": _function_attributes,
    "aws:lambda/alias:Alias": _alias_attributes,
    "aws-native:sns:Topic": lambda s, _a, _r: {"topicArn": s["arn"]},
    "aws:apigateway/restApi:RestApi": lambda s, a, r: {
        "rootResourceId": _digest(str(s["id"]), "root")[:10],
        "executionArn": f"arn:aws:execute-api:{r}:{a}:{s['id']}",
    },
    "aws:apigateway/stage:Stage": lambda s, _a, r: {
        "invokeUrl": f"https://{s['restApi']}.execute-api.{r}.amazonaws.com/{s['id']}"
    },
}


def fake_state(
    typ: str, logical_name: str, inputs: Mapping[str, Any], account_id: str, region: str
) -> tuple[str, dict[str, Any]]:
    """The id and state the mocks give a resource: its inputs plus well-formed computed
    attributes (names, ARNs, URLs). Pure, so the emulator can tell mock values from real."""
    physical = str(
        inputs.get(NAME_INPUTS.get(typ, "name"))
        or str(inputs.get("url", "")).removeprefix("https://")
        or logical_name
    )
    if typ in GENERATED_IDS:
        physical = _digest(account_id, typ, logical_name)[:10]
    state = {**inputs, "name": inputs.get("name", physical), "id": physical}
    arn_format = ARN_FORMATS.get(typ)
    if arn_format is not None:
        state["arn"] = arn_format.format(a=account_id, r=region, n=physical)
    computed = COMPUTED.get(typ)
    if computed is not None:
        state.update(computed(state, account_id, region))
    return physical, state


@dataclass(frozen=True)
class Registration:
    """What the engine was asked to register, beyond what Mocks.new_resource sees."""

    urn: str
    type: str
    name: str
    parent: str
    depends_on: tuple[str, ...]
    protect: bool
    custom: bool
    provider: str


class RecordingMonitor(MockMonitor):
    """A MockMonitor that also records parent, dependencies, protect and provider."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        """Register as the mock monitor does, and record what the engine was asked."""
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            self._record(
                request, response.urn, protect=bool(request.protect), custom=bool(request.custom)
            )
        return response

    def ReadResource(self, request: Any) -> Any:
        """Record reads too: a StackReference is read, not registered."""
        response = super().ReadResource(request)  # type: ignore[no-untyped-call]
        self._record(request, response.urn, protect=False, custom=True)
        return response

    def _record(self, request: Any, urn: str, *, protect: bool, custom: bool) -> None:
        self.registrations.append(
            Registration(
                urn=urn,
                type=request.type,
                name=request.name,
                parent=request.parent,
                depends_on=tuple(request.dependencies),
                protect=protect,
                custom=custom,
                provider=request.provider,
            )
        )


@dataclass
class MockCloud(Mocks):
    """Answers resource registrations and invokes as AWS would, for one account."""

    account_id: str
    default_region: str
    stack_outputs: Callable[[str], Mapping[str, Any]]
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    _provider_regions: dict[str, str] = field(default_factory=dict)

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        """Return an id and a state: the inputs plus the computed attributes we read."""
        self.inputs[f"{args.typ}::{args.name}"] = dict(args.inputs)
        if args.typ == STACK_REFERENCE:
            referenced = str(args.inputs.get("name", args.name))  # org/project/stack
            return referenced, {"name": referenced, "outputs": dict(self.stack_outputs(referenced))}
        if args.typ in PROVIDER_TYPES:
            self._provider_regions[args.name] = str(args.inputs.get("region", self.default_region))
            return f"{args.name}-id", dict(args.inputs)
        region = self._region_of(args.provider)
        return fake_state(args.typ, args.name, dict(args.inputs), self.account_id, region)

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        """Answer the invokes our programs may make; refuse any other loudly. (The failures
        list must be a list: the mock monitor iterates it, and None breaks every invoke.)"""
        if args.token in {
            "aws:index/getCallerIdentity:getCallerIdentity",
            "aws-native:index:getAccountId",
        }:
            return {
                "accountId": self.account_id,
                "arn": f"arn:aws:iam::{self.account_id}:root",
            }, []
        if args.token in {"aws:index/getRegion:getRegion", "aws-native:index:getRegion"}:
            return {"name": self.default_region, "region": self.default_region}, []
        if args.token == "aws:index/getPartition:getPartition":  # noqa: S105 - an invoke token
            return {"partition": "aws", "dnsSuffix": "amazonaws.com"}, []
        if args.token == "github:index/getTeam:getTeam":  # noqa: S105 - an invoke token
            # The root project looks up its reviewer team; a numeric id, as GitHub's.
            return {
                "id": "4242",
                "slug": args.args.get("slug"),
                "name": args.args.get("slug"),
            }, []
        raise NotImplementedError(
            f"estate plan has no mock for invoke {args.token}; add one to MockCloud.call"
        )

    def _region_of(self, provider_reference: str | None) -> str:
        if not provider_reference:
            return self.default_region
        provider_name = provider_reference.split("::")[-2] if "::" in provider_reference else ""
        return self._provider_regions.get(provider_name, self.default_region)


def fake_outputs(contract: ProjectContract, *, account_id: str, region: str) -> dict[str, Any]:
    """Contract-shaped stand-ins for a producer's outputs when the producer did not run."""
    values: dict[str, Any] = {}
    for spec in contract.exports:
        if spec.kind is OutputKind.ARN:
            values[spec.name] = f"arn:aws:iam::{account_id}:role/{contract.project}-{spec.name}"
        elif spec.kind is OutputKind.URL:
            values[spec.name] = f"https://{contract.project}.{region}.example.invalid/{spec.name}"
        elif spec.kind is OutputKind.NAMES:
            values[spec.name] = [f"{contract.project}-{spec.name}"]
        else:
            values[spec.name] = f"{contract.project}-{spec.name}"
    return values


def decode_provider_input(value: Any) -> Any:
    """Provider inputs arrive JSON-encoded under mocks (docs/emulator-facts.md); decode when they are."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
