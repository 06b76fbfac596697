"""The findings REST API: IAM-authorised GET routes proxied to the api function's live alias."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

# Path -> (parent path or None for the root, path part). The api handler routes the same
# paths (estate_core.api.ROUTES); a test holds the two equal.
ROUTES: Final[dict[str, tuple[str | None, str]]] = {
    "/findings": (None, "findings"),
    "/findings/{id}": ("/findings", "{id}"),
    "/summary": (None, "summary"),
}
STAGE_NAME: Final = "v1"


@dataclass(frozen=True, kw_only=True)
class FindingsApiArgs:
    """The API's name and the function (its live alias) behind every route."""

    api_name: str
    function_name: pulumi.Input[str]
    invoke_arn: pulumi.Input[str]
    qualifier: pulumi.Input[str] | None


class FindingsApi(pulumi.ComponentResource):
    """RestApi, one resource + GET method (AWS_IAM) + proxy integration per route, a stage."""

    api_id: pulumi.Output[str]
    stage_name: pulumi.Output[str]
    url: pulumi.Output[str]

    def __init__(
        self, name: str, args: FindingsApiArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("estate:core:FindingsApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        api = aws.apigateway.RestApi(
            f"{name}-rest-api",
            name=args.api_name,
            description="Findings of the estate: query by account, state, severity",
            endpoint_configuration={"types": "REGIONAL"},
            opts=child,
        )
        resources: dict[str, aws.apigateway.Resource] = {}
        integrations: list[pulumi.Resource] = []
        for path, (parent_path, part) in ROUTES.items():
            slug = path.strip("/").replace("/", "-").replace("{", "").replace("}", "")
            resource = aws.apigateway.Resource(
                f"{name}-{slug}",
                rest_api=api.id,
                parent_id=(
                    api.root_resource_id if parent_path is None else resources[parent_path].id
                ),
                path_part=part,
                opts=child,
            )
            resources[path] = resource
            method = aws.apigateway.Method(
                f"{name}-{slug}-get",
                rest_api=api.id,
                resource_id=resource.id,
                http_method="GET",
                authorization="AWS_IAM",
                opts=child,
            )
            integrations.append(
                aws.apigateway.Integration(
                    f"{name}-{slug}-integration",
                    rest_api=api.id,
                    resource_id=resource.id,
                    http_method=method.http_method,
                    type="AWS_PROXY",
                    integration_http_method="POST",
                    uri=args.invoke_arn,
                    opts=child,
                )
            )
        # A new deployment whenever the routes change; the stage points at it.
        routes_digest = hashlib.sha256(json.dumps(ROUTES, sort_keys=True).encode()).hexdigest()
        deployment = aws.apigateway.Deployment(
            f"{name}-deployment",
            rest_api=api.id,
            triggers={"routes": routes_digest},
            opts=pulumi.ResourceOptions(parent=self, depends_on=integrations),
        )
        stage = aws.apigateway.Stage(
            f"{name}-stage",
            rest_api=api.id,
            deployment=deployment.id,
            stage_name=STAGE_NAME,
            opts=child,
        )
        aws.lambda_.Permission(
            f"{name}-invoke",
            action="lambda:InvokeFunction",
            function=args.function_name,
            qualifier=args.qualifier,
            principal="apigateway.amazonaws.com",
            source_arn=api.execution_arn.apply(lambda arn: f"{arn}/{STAGE_NAME}/GET/*"),
            opts=child,
        )
        self.api_id = api.id
        self.api_name = api.name  # API Gateway's REST metrics are keyed by ApiName
        self.stage_name = stage.stage_name
        self.url = stage.invoke_url
        self.register_outputs(
            {
                "api_id": self.api_id,
                "api_name": self.api_name,
                "stage": self.stage_name,
                "url": self.url,
            }
        )
