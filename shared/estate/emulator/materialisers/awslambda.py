"""Lambda: functions from their recorded code archive, aliases, permissions, mappings.

Layers are AWS-published (Powertools) and absent from moto; the emulator runs handlers in
this process, where Powertools is installed, so functions are created without them.
"""

from __future__ import annotations

from typing import Any

from estate.emulator.registry import Materialised, Resource, World, materialiser
from estate.emulator.world import StreamMapping, stream_filter_states
from estate.packaging import archive_files, zip_bytes_of


@materialiser("aws:lambda/function:Function")
def function(world: World, resource: Resource) -> Materialised:
    """CreateFunction with the zip of the recorded archive and the declared configuration."""
    inputs = resource.inputs
    request: dict[str, Any] = {
        "FunctionName": inputs["name"],
        "Role": inputs["role"],
        "Handler": inputs["handler"],
        "Runtime": inputs.get("runtime", "python3.12"),
        "Code": {"ZipFile": zip_bytes_of(archive_files(resource.inputs["code"]))},
        "MemorySize": int(inputs.get("memorySize", 128)),
        "Timeout": int(inputs.get("timeout", 3)),
        "Publish": bool(inputs.get("publish", False)),
    }
    variables = (inputs.get("environment") or {}).get("variables")
    if variables:
        request["Environment"] = {"Variables": {k: str(v) for k, v in variables.items()}}
    dead_letter = (inputs.get("deadLetterConfig") or {}).get("targetArn")
    if dead_letter:
        request["DeadLetterConfig"] = {"TargetArn": dead_letter}
    created = world.client("lambda", resource.account_id, resource.region).create_function(
        **request
    )
    return {
        "id": created["FunctionName"],
        "arn": created["FunctionArn"],
        "version": created["Version"],
    }


@materialiser("aws:lambda/alias:Alias")
def alias(world: World, resource: Resource) -> Materialised:
    """CreateAlias to the published version."""
    created = world.client("lambda", resource.account_id, resource.region).create_alias(
        FunctionName=resource.inputs["functionName"],
        Name=resource.inputs["name"],
        FunctionVersion=str(resource.inputs["functionVersion"]),
    )
    return {"id": created["Name"], "arn": created["AliasArn"]}


@materialiser("aws:lambda/permission:Permission")
def permission(world: World, resource: Resource) -> Materialised:
    """AddPermission as declared."""
    request: dict[str, Any] = {
        "FunctionName": resource.inputs["function"],
        "StatementId": resource.name,
        "Action": resource.inputs["action"],
        "Principal": resource.inputs["principal"],
    }
    for field, parameter in (("sourceArn", "SourceArn"), ("qualifier", "Qualifier")):
        if resource.inputs.get(field):
            request[parameter] = resource.inputs[field]
    world.client("lambda", resource.account_id, resource.region).add_permission(**request)
    return {}


@materialiser("aws:lambda/eventSourceMapping:EventSourceMapping")
def event_source_mapping(world: World, resource: Resource) -> Materialised:
    """SQS sources become moto mappings (moto fires them); streams the emulator polls."""
    inputs = resource.inputs
    source = str(inputs["eventSourceArn"])
    if ":dynamodb:" in source:
        patterns = [f["pattern"] for f in (inputs.get("filterCriteria") or {}).get("filters", [])]
        world.add_stream_mapping(
            StreamMapping(
                function_name=str(inputs["functionName"]),
                account_id=resource.account_id,
                region=resource.region,
                stream_arn=source,
                batch_size=int(inputs.get("batchSize", 100)),
                states=stream_filter_states(patterns),
            )
        )
        return {"id": f"stream-mapping-{resource.name}"}
    created = world.client(
        "lambda", resource.account_id, resource.region
    ).create_event_source_mapping(
        EventSourceArn=source,
        FunctionName=inputs["functionName"],
        BatchSize=int(inputs.get("batchSize", 10)),
        FunctionResponseTypes=list(inputs.get("functionResponseTypes", [])),
    )
    return {"id": created["UUID"]}
