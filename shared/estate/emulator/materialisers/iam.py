"""IAM: roles (trust and boundary as declared) and their inline policies."""

from __future__ import annotations

from typing import Any

from estate.emulator.registry import Materialised, Resource, World, materialiser


@materialiser("aws:iam/role:Role")
def role(world: World, resource: Resource) -> Materialised:
    """CreateRole; the boundary is kept when it names a policy (moto enforces none)."""
    request: dict[str, Any] = {
        "RoleName": resource.inputs["name"],
        "AssumeRolePolicyDocument": resource.inputs["assumeRolePolicy"],
        "Description": resource.inputs.get("description", ""),
    }
    boundary = str(resource.inputs.get("permissionsBoundary") or "")
    if ":policy/" in boundary:
        request["PermissionsBoundary"] = boundary
    created = world.client("iam", resource.account_id, "us-east-1").create_role(**request)
    return {"id": created["Role"]["RoleName"], "arn": created["Role"]["Arn"]}


@materialiser("aws:iam/rolePolicy:RolePolicy")
def role_policy(world: World, resource: Resource) -> Materialised:
    """PutRolePolicy."""
    world.client("iam", resource.account_id, "us-east-1").put_role_policy(
        RoleName=resource.inputs["role"],
        PolicyName=resource.inputs.get("name", resource.name),
        PolicyDocument=resource.inputs["policy"],
    )
    return {}
