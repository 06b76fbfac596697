"""CloudWatch Logs: log groups with their retention."""

from __future__ import annotations

from estate.emulator.registry import Materialised, Resource, World, materialiser


@materialiser("aws:cloudwatch/logGroup:LogGroup")
def log_group(world: World, resource: Resource) -> Materialised:
    """CreateLogGroup and PutRetentionPolicy."""
    logs = world.client("logs", resource.account_id, resource.region)
    name = str(resource.inputs["name"])
    logs.create_log_group(logGroupName=name)
    if resource.inputs.get("retentionInDays"):
        logs.put_retention_policy(
            logGroupName=name, retentionInDays=int(resource.inputs["retentionInDays"])
        )
    arn = f"arn:aws:logs:{resource.region}:{resource.account_id}:log-group:{name}"
    return {"id": name, "arn": arn}
