"""The scan's Step Functions definition, built in Python: plan → Map over items → complete.

```
Plan (planner, action plan) ── writes the items to S3, returns {bucket, key, items, ...}
  └▶ Items: Distributed Map, ItemReader = that JSON array, MaxConcurrency bounded
        per item: Count ─▶ Scan (worker) ─▶ More? ──continuation──▶ Continue ─▶ Count
                     │          └ Catch States.ALL ─▶ ItemFailed (recorded, item ends)
                     └ runs > MAX_RUNS ─▶ ItemFailed
                                  └ done ─▶ ItemDone
  └▶ Complete (planner, action complete) ── manifest + ScanCompleted metric
```

Why a *Distributed* Map reading its items from S3: an account's ten thousand bucket names
are ~350 KB, beyond the 256 KB a state may carry, and each item runs as a child execution
with its own 25,000-event history instead of spending the parent's. A failed item is caught
inside its child and recorded, so the child succeeds and the other items go on; the Map
itself therefore tolerates no failure (a child that still fails means the definition is
wrong). Each item loops on the worker's ``continuation`` until ``done``: the handlers stop
before their deadline and hand back where to resume, never losing analysed work.

The tag checker's machine is the same shape with the tag checker as the worker and one item
per region. The definition is plain JSON (JSONPath, not JSONata: moto's interpreter, which
the tests run it in, implements JSONPath fully).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

LAMBDA_INVOKE: Final = "arn:aws:states:::lambda:invoke"
S3_GET_OBJECT: Final = "arn:aws:states:::s3:getObject"
DEFAULT_MAX_CONCURRENCY: Final = 20
# A shard of 250 buckets finishes in one 15-minute run at any realistic latency; runs past
# this bound mean a worker that returns a continuation without progress.
MAX_RUNS: Final = 50
# Throttling is the fan-out's own doing (Lambda concurrency): back off longer and more often.
THROTTLING_ERRORS: Final = ("Lambda.TooManyRequestsException",)
# AWS's list of transient Lambda service errors for the lambda:invoke integration.
SERVICE_ERRORS: Final = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
)


@dataclass(frozen=True)
class RetryPolicy:
    """One Retry rule of a Task: exponential backoff with full jitter."""

    errors: tuple[str, ...]
    interval_seconds: int
    max_attempts: int
    backoff_rate: float
    max_delay_seconds: int

    def to_asl(self) -> dict[str, Any]:
        """The rule in Amazon States Language."""
        return {
            "ErrorEquals": list(self.errors),
            "IntervalSeconds": self.interval_seconds,
            "MaxAttempts": self.max_attempts,
            "BackoffRate": self.backoff_rate,
            "MaxDelaySeconds": self.max_delay_seconds,
            "JitterStrategy": "FULL",
        }


RETRIES: Final = (
    RetryPolicy(THROTTLING_ERRORS, 2, 8, 2.0, 60),
    RetryPolicy(SERVICE_ERRORS, 2, 3, 2.0, 30),
)


@dataclass(frozen=True)
class ScanMachineSpec:
    """What one scan machine needs: its scanner, the two functions, the Map's bound."""

    scanner: str  # "s3" or "tags"
    planner_arn: str
    worker_arn: str
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY

    def __post_init__(self) -> None:
        if self.scanner not in ("s3", "tags"):
            raise ValueError(f"scanner {self.scanner!r} is not s3 or tags")
        if not 1 <= self.max_concurrency <= 10_000:
            raise ValueError("max_concurrency must be 1..10000 (a Distributed Map's limit)")


def scan_definition(spec: ScanMachineSpec) -> dict[str, Any]:
    """The whole state machine. Its input is the schedule's payload (the scan request);
    the execution's name is the scan id and its start time the scan's start."""
    return {
        "Comment": f"estate {spec.scanner} scan: plan, fan out, complete",
        "StartAt": "Plan",
        "States": {
            "Plan": _invoke(
                spec.planner_arn,
                {
                    "action": "plan",
                    "scanner": spec.scanner,
                    "scan_id.$": "$$.Execution.Name",
                    "scan_started.$": "$$.Execution.StartTime",
                    "request.$": "$",
                },
                next_state="Items",
            ),
            "Items": _items_map(spec),
            "Complete": _invoke(
                spec.planner_arn,
                {
                    "action": "complete",
                    "scanner.$": "$.scanner",
                    "scan_id.$": "$.scan_id",
                    "scan_started.$": "$.scan_started",
                    "account_id.$": "$.account_id",
                    "shards.$": "$.outcomes",
                },
                next_state=None,
            ),
        },
    }


def scan_definition_json(spec: ScanMachineSpec) -> str:
    """The definition as the JSON string Step Functions takes."""
    return json.dumps(scan_definition(spec), sort_keys=True, separators=(",", ":"))


def _invoke(
    function_arn: str, payload: dict[str, Any], *, next_state: str | None
) -> dict[str, Any]:
    """A lambda:invoke Task whose output is the function's answer, retried as RETRIES say."""
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": LAMBDA_INVOKE,
        "Parameters": {"FunctionName": function_arn, "Payload": payload},
        "OutputPath": "$.Payload",
        "Retry": [policy.to_asl() for policy in RETRIES],
    }
    if next_state is None:
        state["End"] = True
    else:
        state["Next"] = next_state
    return state


def _items_map(spec: ScanMachineSpec) -> dict[str, Any]:
    return {
        "Type": "Map",
        "ItemReader": {
            "Resource": S3_GET_OBJECT,
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket.$": "$.bucket", "Key.$": "$.key"},
        },
        "ItemSelector": {
            "label.$": "$$.Map.Item.Value.label",
            "event.$": "$$.Map.Item.Value.event",
            "count": {"runs": 0},
        },
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Count",
            "States": _item_states(spec.worker_arn),
        },
        "MaxConcurrency": spec.max_concurrency,
        "ResultPath": "$.outcomes",
        "Next": "Complete",
    }


def _item_states(worker_arn: str) -> dict[str, Any]:
    """One item: run the worker until it is done, following its continuation."""
    scan = _invoke(worker_arn, {}, next_state="More?")
    scan["Parameters"] = {"FunctionName": worker_arn, "Payload.$": "$.event"}
    del scan["OutputPath"]
    # Only what the loop needs stays in the state: the answer's counts are in the logs/metrics.
    scan["ResultSelector"] = {
        "done.$": "$.Payload.done",
        "continuation.$": "$.Payload.continuation",
    }
    scan["ResultPath"] = "$.last"
    scan["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "ItemFailed"}]
    return {
        "Count": {
            "Type": "Pass",
            "Parameters": {"runs.$": "States.MathAdd($.count.runs, 1)"},
            "ResultPath": "$.count",
            "Next": "Runaway?",
        },
        "Runaway?": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.count.runs", "NumericGreaterThan": MAX_RUNS, "Next": "Runaway"}
            ],
            "Default": "Scan",
        },
        "Runaway": {
            "Type": "Pass",
            "Parameters": {
                "Error": "Estate.TooManyRuns",
                "Cause": f"the worker returned a continuation {MAX_RUNS} times",
            },
            "ResultPath": "$.error",
            "Next": "ItemFailed",
        },
        "Scan": scan,
        "More?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.last.done", "BooleanEquals": False, "Next": "Continue"}],
            "Default": "ItemDone",
        },
        "Continue": {
            "Type": "Pass",
            "InputPath": "$.last.continuation",
            "ResultPath": "$.event.continuation",
            "Next": "Count",
        },
        "ItemDone": {
            "Type": "Pass",
            "Parameters": {"label.$": "$.label", "status": "done", "runs.$": "$.count.runs"},
            "End": True,
        },
        "ItemFailed": {
            "Type": "Pass",
            "Parameters": {
                "label.$": "$.label",
                "status": "failed",
                "runs.$": "$.count.runs",
                "error.$": "$.error.Error",
                "cause.$": "$.error.Cause",
            },
            "End": True,
        },
    }
