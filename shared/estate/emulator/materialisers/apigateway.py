"""API Gateway (REST): the API, its resources, methods, proxy integrations and stage.

moto stores them but does not route requests to Lambda; tests call the api function with
the proxy events API Gateway would send, for the routes created here.
"""

from __future__ import annotations

from typing import Any

from estate.emulator.registry import Materialised, Resource, World, materialiser


def _apigw(world: World, resource: Resource) -> Any:
    return world.client("apigateway", resource.account_id, resource.region)


@materialiser("aws:apigateway/restApi:RestApi")
def rest_api(world: World, resource: Resource) -> Materialised:
    """CreateRestApi."""
    api = _apigw(world, resource).create_rest_api(
        name=resource.inputs["name"], description=resource.inputs.get("description", "")
    )
    executes = f"arn:aws:execute-api:{resource.region}:{resource.account_id}:{api['id']}"
    return {"id": api["id"], "rootResourceId": api["rootResourceId"], "executionArn": executes}


@materialiser("aws:apigateway/resource:Resource")
def api_resource(world: World, resource: Resource) -> Materialised:
    """CreateResource under its parent."""
    created = _apigw(world, resource).create_resource(
        restApiId=resource.inputs["restApi"],
        parentId=resource.inputs["parentId"],
        pathPart=resource.inputs["pathPart"],
    )
    return {"id": created["id"], "path": created["path"]}


@materialiser("aws:apigateway/method:Method")
def method(world: World, resource: Resource) -> Materialised:
    """PutMethod with its authorization."""
    _apigw(world, resource).put_method(
        restApiId=resource.inputs["restApi"],
        resourceId=resource.inputs["resourceId"],
        httpMethod=resource.inputs["httpMethod"],
        authorizationType=resource.inputs["authorization"],
    )
    return {}


@materialiser("aws:apigateway/integration:Integration")
def integration(world: World, resource: Resource) -> Materialised:
    """PutIntegration (AWS_PROXY to the function's alias)."""
    _apigw(world, resource).put_integration(
        restApiId=resource.inputs["restApi"],
        resourceId=resource.inputs["resourceId"],
        httpMethod=resource.inputs["httpMethod"],
        type=resource.inputs["type"],
        integrationHttpMethod=resource.inputs.get("integrationHttpMethod", "POST"),
        uri=resource.inputs["uri"],
    )
    return {}


@materialiser("aws:apigateway/deployment:Deployment")
def deployment(world: World, resource: Resource) -> Materialised:
    """CreateDeployment (no stage: the Stage resource makes it)."""
    created = _apigw(world, resource).create_deployment(restApiId=resource.inputs["restApi"])
    return {"id": created["id"]}


@materialiser("aws:apigateway/stage:Stage")
def stage(world: World, resource: Resource) -> Materialised:
    """CreateStage pointing at the deployment."""
    name = str(resource.inputs["stageName"])
    _apigw(world, resource).create_stage(
        restApiId=resource.inputs["restApi"],
        stageName=name,
        deploymentId=resource.inputs["deployment"],
    )
    url = f"https://{resource.inputs['restApi']}.execute-api.{resource.region}.amazonaws.com/{name}"
    return {"id": name, "invokeUrl": url}
