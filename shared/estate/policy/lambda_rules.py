"""Lambda: an explicit log group with retention, a failure path, memory within bounds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from estate.naming import LAMBDA_LOG_GROUP_PREFIX
from estate.policy.props import decoded, exemption

FUNCTION_TYPES = frozenset({"aws:lambda/function:Function", "aws-native:lambda:Function"})
LOG_GROUP_TYPES = frozenset({"aws:cloudwatch/logGroup:LogGroup", "aws-native:logs:LogGroup"})
INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
EVENT_SOURCE_MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping"
QUEUE = "aws:sqs/queue:Queue"
PERMISSION = "aws:lambda/permission:Permission"
# Services that invoke a function asynchronously (AWS routes their failures to a DLQ or an
# on-failure destination). API Gateway and Step Functions invoke synchronously: the caller
# gets the error and handles it (a 5xx, a state's Retry/Catch), so no DLQ applies there.
ASYNC_PRINCIPALS = frozenset(
    {
        "s3.amazonaws.com",
        "sns.amazonaws.com",
        "events.amazonaws.com",
        "scheduler.amazonaws.com",
        "logs.amazonaws.com",
        "ses.amazonaws.com",
        "iot.amazonaws.com",
    }
)
SCHEDULES = frozenset({"aws-native:scheduler:Schedule", "aws:scheduler/schedule:Schedule"})
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
BUCKET_NOTIFICATION = "aws:s3/bucketNotification:BucketNotification"
MAX_MEMORY_MB = 1024
MEMORY_RULE = "lambda-memory-limit"
FAILURE_RULE = "lambda-failure-destination"


def _function_keys(function: PolicyResource) -> set[str]:
    """What another resource may use to name this function: name, ARN, logical name."""
    props = function.props
    keys = {function.name, str(props.get("name") or props.get("functionName") or "")}
    if props.get("arn"):
        keys.add(str(props["arn"]))
    return {key for key in keys if key}


def _names_function(value: Any, keys: set[str]) -> bool:
    text = str(value or "")
    return text in keys or any(text.endswith(f":function:{key}") for key in keys)


def _names_queue(value: Any, keys: set[str]) -> bool:
    text = str(value or "")
    return text in keys or any(text.endswith(f":{key}") for key in keys)


def _log_groups(resources: Iterable[PolicyResource]) -> dict[str, Mapping[str, Any]]:
    groups: dict[str, Mapping[str, Any]] = {}
    for resource in resources:
        if resource.resource_type in LOG_GROUP_TYPES:
            name = str(resource.props.get("name") or resource.props.get("logGroupName") or "")
            groups[name] = resource.props
            groups[resource.name] = resource.props
    return groups


def _explicit_log_group(args: StackValidationArgs, report: ReportViolation) -> None:
    groups = _log_groups(args.resources)
    for function in args.resources:
        if function.resource_type not in FUNCTION_TYPES:
            continue
        props = function.props
        configured = (props.get("loggingConfig") or {}).get("logGroup")
        name = configured or f"{LAMBDA_LOG_GROUP_PREFIX}{props.get('name') or function.name}"
        group = groups.get(str(name))
        if group is None:
            report(
                f"{function.name}: no log group {name} in the stack; create it (with retention) "
                "so Lambda does not create one that keeps logs forever",
                function.urn,
            )
        elif not group.get("retentionInDays"):
            report(
                f"{function.name}: log group {name} has no retentionInDays; set the account's",
                function.urn,
            )


def invoked_asynchronously(function: PolicyResource, resources: Iterable[PolicyResource]) -> bool:
    """Whether anything in the stack invokes `function` asynchronously or through an event
    source mapping: the invocations whose failures a DLQ or destination can catch."""
    keys = _function_keys(function)
    for other in resources:
        props = other.props
        if other.resource_type == EVENT_SOURCE_MAPPING:
            hit = _names_function(props.get("functionName"), keys)
        elif other.resource_type == PERMISSION:
            hit = props.get("principal") in ASYNC_PRINCIPALS and _names_function(
                props.get("function"), keys
            )
        elif other.resource_type in SCHEDULES:
            hit = _names_function((props.get("target") or {}).get("arn"), keys)
        elif other.resource_type == EVENT_TARGET:
            hit = _names_function(props.get("arn"), keys)
        elif other.resource_type == SUBSCRIPTION:
            hit = props.get("protocol") == "lambda" and _names_function(props.get("endpoint"), keys)
        elif other.resource_type == BUCKET_NOTIFICATION:
            hit = any(
                _names_function(item.get("lambdaFunctionArn"), keys)
                for item in props.get("lambdaFunctions") or []
            )
        else:
            hit = False
        if hit:
            return True
    return False


def _failure_destination(args: StackValidationArgs, report: ReportViolation) -> None:
    queues_with_dlq = {
        key
        for q in args.resources
        if q.resource_type == QUEUE
        and (decoded(q.props.get("redrivePolicy")) or {}).get("deadLetterTargetArn")
        for key in (q.name, str(q.props.get("name") or ""), str(q.props.get("arn") or ""))
        if key
    }
    for function in args.resources:
        if function.resource_type not in FUNCTION_TYPES or exemption(function.props, FAILURE_RULE):
            continue
        if not invoked_asynchronously(function, args.resources):
            continue  # only synchronous callers: they receive the error themselves
        keys = _function_keys(function)
        if (function.props.get("deadLetterConfig") or {}).get("targetArn"):
            continue
        covered = False
        for other in args.resources:
            if not _names_function(other.props.get("functionName"), keys):
                continue
            destination = (other.props.get("destinationConfig") or {}).get("onFailure") or {}
            if other.resource_type == INVOKE_CONFIG and destination.get("destination"):
                covered = True
            if other.resource_type == EVENT_SOURCE_MAPPING and (
                destination.get("destinationArn")
                or _names_queue(other.props.get("eventSourceArn"), queues_with_dlq)
            ):
                covered = True
        if not covered:
            report(
                f"{function.name}: failed events go nowhere; give it a dead-letter queue, an "
                "on-failure destination, or a source queue with a redrive policy (or the tag "
                f"estate:policy-exempt:{FAILURE_RULE} saying why it needs none)",
                function.urn,
            )


def _memory_limit(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in FUNCTION_TYPES:
        return
    memory = args.props.get("memorySize") or 128
    if int(memory) > MAX_MEMORY_MB and not exemption(args.props, MEMORY_RULE):
        report(
            f"{args.name}: {memory} MB is over {MAX_MEMORY_MB} MB; measure and tag it "
            f"estate:policy-exempt:{MEMORY_RULE} with the reason",
            None,
        )


LAMBDA_EXPLICIT_LOG_GROUP = StackValidationPolicy(
    name="lambda-explicit-log-group",
    description="Every Lambda function has an explicit log group with a retention period.",
    validate=_explicit_log_group,
    enforcement_level=EnforcementLevel.MANDATORY,
)
LAMBDA_FAILURE_DESTINATION = StackValidationPolicy(
    name=FAILURE_RULE,
    description=(
        "Every Lambda function invoked asynchronously or by an event source has a dead-letter "
        "queue or an on-failure destination."
    ),
    validate=_failure_destination,
    enforcement_level=EnforcementLevel.MANDATORY,
)
LAMBDA_MEMORY_LIMIT = ResourceValidationPolicy(
    name=MEMORY_RULE,
    description=f"No Lambda function over {MAX_MEMORY_MB} MB without a reviewed override.",
    validate=_memory_limit,
    enforcement_level=EnforcementLevel.MANDATORY,
)
