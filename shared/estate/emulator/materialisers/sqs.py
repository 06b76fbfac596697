"""SQS: queues (visibility, retention, redrive, SSE) and queue policies."""

from __future__ import annotations

from estate.emulator.registry import Materialised, Resource, World, materialiser

_ATTRIBUTES = {
    "visibilityTimeoutSeconds": "VisibilityTimeout",
    "messageRetentionSeconds": "MessageRetentionPeriod",
    "redrivePolicy": "RedrivePolicy",
    "sqsManagedSseEnabled": "SqsManagedSseEnabled",
}


@materialiser("aws:sqs/queue:Queue")
def queue(world: World, resource: Resource) -> Materialised:
    """CreateQueue with the declared attributes."""
    attributes = {}
    for field, attribute in _ATTRIBUTES.items():
        value = resource.inputs.get(field)
        if value is not None:
            attributes[attribute] = (
                str(value).lower()
                if isinstance(value, bool)
                else str(int(value))
                if isinstance(value, float)
                else str(value)
            )
    sqs = world.client("sqs", resource.account_id, resource.region)
    url = sqs.create_queue(QueueName=str(resource.inputs["name"]), Attributes=attributes)[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return {"id": url, "url": url, "arn": arn}


@materialiser("aws:sqs/queuePolicy:QueuePolicy")
def queue_policy(world: World, resource: Resource) -> Materialised:
    """SetQueueAttributes Policy."""
    world.client("sqs", resource.account_id, resource.region).set_queue_attributes(
        QueueUrl=str(resource.inputs["queueUrl"]),
        Attributes={"Policy": str(resource.inputs["policy"])},
    )
    return {}
