"""SNS: the aws-native topic with its KMS key and inline e-mail subscriptions."""

from __future__ import annotations

from estate.emulator.registry import Materialised, Resource, World, materialiser


@materialiser("aws-native:sns:Topic")
def topic(world: World, resource: Resource) -> Materialised:
    """CreateTopic (encrypted as declared), then Subscribe each inline subscription."""
    sns = world.client("sns", resource.account_id, resource.region)
    attributes = {}
    if resource.inputs.get("kmsMasterKeyId"):
        attributes["KmsMasterKeyId"] = str(resource.inputs["kmsMasterKeyId"])
    if resource.inputs.get("displayName"):
        attributes["DisplayName"] = str(resource.inputs["displayName"])
    arn = sns.create_topic(Name=str(resource.inputs["topicName"]), Attributes=attributes)[
        "TopicArn"
    ]
    for subscription in resource.inputs.get("subscription") or []:
        sns.subscribe(
            TopicArn=arn, Protocol=subscription["protocol"], Endpoint=subscription["endpoint"]
        )
    return {"id": arn, "arn": arn, "topicArn": arn}
