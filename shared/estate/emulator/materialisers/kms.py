"""KMS: keys (rotation as declared), their policies and aliases."""

from __future__ import annotations

from estate.emulator.registry import Materialised, Resource, World, materialiser


@materialiser("aws:kms/key:Key")
def key(world: World, resource: Resource) -> Materialised:
    """CreateKey, then rotation as declared."""
    kms = world.client("kms", resource.account_id, resource.region)
    metadata = kms.create_key(Description=str(resource.inputs.get("description", "")))[
        "KeyMetadata"
    ]
    if resource.inputs.get("enableKeyRotation"):
        kms.enable_key_rotation(KeyId=metadata["KeyId"])
    return {"id": metadata["KeyId"], "keyId": metadata["KeyId"], "arn": metadata["Arn"]}


@materialiser("aws:kms/keyPolicy:KeyPolicy")
def key_policy(world: World, resource: Resource) -> Materialised:
    """PutKeyPolicy (a key has one policy, named default)."""
    kms = world.client("kms", resource.account_id, resource.region)
    key_id = str(resource.inputs["keyId"])
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=str(resource.inputs["policy"]))
    return {"id": key_id}


@materialiser("aws:kms/alias:Alias")
def alias(world: World, resource: Resource) -> Materialised:
    """CreateAlias to the key."""
    kms = world.client("kms", resource.account_id, resource.region)
    name = str(resource.inputs["name"])
    kms.create_alias(AliasName=name, TargetKeyId=str(resource.inputs["targetKeyId"]))
    return {"id": name}
