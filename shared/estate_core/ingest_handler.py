"""Lambda handler: an SQS batch of S3 part events -> the findings table.

Each part is written under its account's ingest lease, which runs out with this
invocation (``LeaseTerms.for_invocation``). One failed message does not redeliver the
batch: its id goes back in ``batchItemFailures`` (the mapping sets
ReportBatchItemFailures) and the rest of the batch counts as done. A message is *put off*
the same way, and counted (MessagesDeferred), when its account's lease stayed busy or ran
out, or when too little of the invocation is left to start it.
"""

from __future__ import annotations

import os
import time
from typing import Any

from aws_lambda_powertools import Logger

from estate_core import config
from estate_core.clients import client
from estate_core.config import METRIC_FINDINGS_INGESTED as INGESTED
from estate_core.ingest import Ingest, IngestStats, parts_of_message, sqs_records
from estate_core.lease import LeaseBusy, LeaseExpired, LeaseTerms
from estate_core.store import FindingsStore
from estate_core.telemetry import publish_counts

logger = Logger(service="estate-core-ingest")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Ingest every part the batch names; report the messages that failed or were put off."""
    terms = LeaseTerms.for_invocation(context)
    store = FindingsStore(
        client("dynamodb", validate=False), config.require_env(config.FINDINGS_TABLE), terms=terms
    )
    prefix = os.environ.get(config.QUARANTINE_PREFIX) or config.DEFAULT_QUARANTINE_PREFIX
    ingest = Ingest(client("s3"), store, prefix)
    stats = IngestStats()
    failures: list[dict[str, str]] = []
    deferred = 0
    for record in sqs_records(event):
        message_id = str(record.get("messageId", ""))
        if terms.too_late(time.time()):
            # Not started at all rather than cut off by the timeout, which would send the
            # whole batch back: the message returns alone, after the visibility timeout.
            failures.append({"itemIdentifier": message_id})
            deferred += 1
            continue
        try:
            for ref in parts_of_message(str(record.get("body", ""))):
                ingest.part(ref, stats)
        except (LeaseBusy, LeaseExpired) as error:
            logger.warning("message put off", extra={"message_id": message_id, "why": str(error)})
            failures.append({"itemIdentifier": message_id})
            deferred += 1
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
            config.METRIC_MESSAGES_DEFERRED: deferred,
        },
    )
    logger.info("ingested", extra={"stats": stats.__dict__, "failed": len(failures)})
    return {"batchItemFailures": failures}
