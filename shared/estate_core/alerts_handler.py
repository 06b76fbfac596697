"""Lambda handler: the findings stream -> one SNS message per (scan, account).

A publish that fails reports its records' sequence numbers in ``batchItemFailures``; the
mapping bisects, retries a bounded number of times, then sends the batch to its
on-failure queue.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from estate_core import config
from estate_core.alerts import group_alerts
from estate_core.clients import client
from estate_core.stream import stream_records, transitions
from estate_core.telemetry import publish_counts

logger = Logger(service="estate-core-alerts")


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    """Publish the batch's alerts; report the records of any alert that failed."""
    topic_arn = config.require_env(config.ALERT_TOPIC_ARN)
    alerts = group_alerts(transitions(stream_records(event)), config.estate_accounts())
    sns = client("sns")
    failures: list[dict[str, str]] = []
    published = new_critical = 0
    for alert in alerts:
        try:
            sns.publish(
                TopicArn=topic_arn,
                Subject=alert.subject,
                Message=alert.message,
                MessageAttributes={
                    "account_id": {"DataType": "String", "StringValue": alert.account_id},
                    "scan_id": {"DataType": "String", "StringValue": alert.scan_id},
                },
            )
        except Exception:
            logger.exception("publish failed", extra={"account": alert.account_id})
            failures.extend({"itemIdentifier": t.sequence_number} for t in alert.transitions)
            continue
        published += 1
        new_critical += sum(1 for t in alert.transitions if t.item["severity"] == "CRITICAL")
    publish_counts(
        "alerts",
        {config.METRIC_ALERTS_PUBLISHED: published, config.METRIC_NEW_CRITICAL: new_critical},
    )
    return {"batchItemFailures": failures}
