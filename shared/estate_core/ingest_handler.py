"""Lambda handler: an SQS batch of S3 part events -> the findings table.

Each part is written under its account's ingest lease, held at most until this invocation
must end (``LeaseTerms.for_invocation``). One failed message (a lease that stayed busy,
say) does not redeliver the batch: its id goes back in ``batchItemFailures``
(the mapping sets ReportBatchItemFailures) and the rest of the batch counts as done.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger

from estate_core import config
from estate_core.clients import client
from estate_core.config import METRIC_FINDINGS_INGESTED as INGESTED
from estate_core.ingest import Ingest, IngestStats, parts_of_message, sqs_records
from estate_core.lease import LeaseTerms
from estate_core.store import FindingsStore
from estate_core.telemetry import publish_counts

logger = Logger(service="estate-core-ingest")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Ingest every part the batch names; report the messages that failed."""
    store = FindingsStore(
        client("dynamodb", validate=False),
        config.require_env(config.FINDINGS_TABLE),
        terms=LeaseTerms.for_invocation(context),
    )
    prefix = os.environ.get(config.QUARANTINE_PREFIX) or config.DEFAULT_QUARANTINE_PREFIX
    ingest = Ingest(client("s3"), store, prefix)
    stats = IngestStats()
    failures: list[dict[str, str]] = []
    for record in sqs_records(event):
        message_id = str(record.get("messageId", ""))
        try:
            for ref in parts_of_message(str(record.get("body", ""))):
                ingest.part(ref, stats)
        except Exception:
            logger.exception("message failed", extra={"message_id": message_id})
            failures.append({"itemIdentifier": message_id})
    publish_counts(
        "ingest",
        {
            INGESTED: stats.findings,
            config.METRIC_LINES_QUARANTINED: stats.lines_quarantined,
            config.METRIC_PARTS_QUARANTINED: stats.parts_quarantined,
            config.METRIC_STATE_CHANGES: sum(stats.transitions.values()),
        },
    )
    logger.info("ingested", extra={"stats": stats.__dict__, "failed": len(failures)})
    return {"batchItemFailures": failures}
