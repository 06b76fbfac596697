"""s3.event_notifications: object events reach at least one target."""

from __future__ import annotations

from estate_scanners.s3.check_model import (
    BucketCheck,
    BucketSubject,
    Remediation,
    Verdict,
    failed,
    passed,
    present,
)
from estate_scanners.s3.facts import Fact, Notifications


def event_notifications(subject: BucketSubject) -> Verdict:
    """FAIL when no topic, queue, function or EventBridge receives the bucket's events."""
    bucket = subject.bucket
    notifications = present(bucket.notifications) or Notifications()
    evidence = {
        "topics": notifications.topics,
        "queues": notifications.queues,
        "lambda_functions": notifications.lambda_functions,
        "eventbridge": notifications.eventbridge,
    }
    if not notifications.configured:
        return failed(f"Bucket {bucket.name} sends no event notifications.", **evidence)
    return passed(f"Bucket {bucket.name} sends event notifications.", **evidence)


CHECK = BucketCheck(
    check_id="s3.event_notifications",
    title="Event notifications are configured",
    severity="LOW",
    severity_reason="Operational visibility: nothing is exposed, changes just go unnoticed.",
    controls=("SecurityHub:S3.11",),
    remediation=Remediation(
        "Send the bucket's events to EventBridge, SNS, SQS or Lambda so changes are noticed.",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html",
    ),
    needs=frozenset({Fact.NOTIFICATIONS}),
    judge=event_notifications,
)
