"""EventBridge Scheduler: schedules as declared (moto stores them and never fires them;
estate.demo starts what a schedule would start, with the schedule's own target and input)."""

from __future__ import annotations

from typing import Any

from estate.emulator.registry import Materialised, Resource, World, materialiser


@materialiser("aws-native:scheduler:Schedule")
def schedule(world: World, resource: Resource) -> Materialised:
    """CreateSchedule with its window, target, input, retry policy and dead-letter queue."""
    inputs = resource.inputs
    target = inputs["target"]
    request_target: dict[str, Any] = {
        "Arn": target["arn"],
        "RoleArn": target["roleArn"],
        "Input": target.get("input", "{}"),
    }
    retry = target.get("retryPolicy")
    if retry:
        request_target["RetryPolicy"] = {
            "MaximumEventAgeInSeconds": int(retry["maximumEventAgeInSeconds"]),
            "MaximumRetryAttempts": int(retry["maximumRetryAttempts"]),
        }
    dead_letter = target.get("deadLetterConfig")
    if dead_letter:
        request_target["DeadLetterConfig"] = {"Arn": dead_letter["arn"]}
    window = inputs["flexibleTimeWindow"]
    flexible: dict[str, Any] = {"Mode": window["mode"]}
    if window.get("maximumWindowInMinutes"):
        flexible["MaximumWindowInMinutes"] = int(window["maximumWindowInMinutes"])
    created = world.client("scheduler", resource.account_id, resource.region).create_schedule(
        Name=inputs["name"],
        ScheduleExpression=inputs["scheduleExpression"],
        ScheduleExpressionTimezone=inputs.get("scheduleExpressionTimezone", "UTC"),
        FlexibleTimeWindow=flexible,
        Target=request_target,
        State=inputs.get("state", "ENABLED"),
        Description=inputs.get("description", ""),
    )
    return {"id": inputs["name"], "arn": created["ScheduleArn"]}
