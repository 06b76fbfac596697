"""Lambda handler: finding transitions -> AWS Security Hub (BatchImportFindings, <= 100 each).

new and reopened findings are imported FAILED / NEW; a resolved one updates the same ASFF
Id to PASSED / RESOLVED. Findings Security Hub refuses are reported in
``batchItemFailures`` (bisect, bounded retries, then the on-failure queue).
"""

from __future__ import annotations

from typing import Any, Final

from aws_lambda_powertools import Logger

from estate_core import config, layout
from estate_core.asff import asff_id, to_asff
from estate_core.clients import client
from estate_core.stream import stream_records, transitions
from estate_core.telemetry import publish_counts

BATCH: Final = 100  # BatchImportFindings takes at most 100 findings
EXPORTED_STATES: Final = layout.ALERTING_STATES | {layout.RESOLVED}
logger = Logger(service="estate-core-security-hub")


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    """Import the batch's transitions; report the records Security Hub did not take."""
    product_arn = config.require_env(config.SECURITY_HUB_PRODUCT_ARN)
    exported = [t for t in transitions(stream_records(event)) if t.state in EXPORTED_STATES]
    hub = client("securityhub")
    failures: list[dict[str, str]] = []
    imported = 0
    for start in range(0, len(exported), BATCH):
        batch = exported[start : start + BATCH]
        by_id = {asff_id(str(t.item[layout.KEY])): t for t in batch}
        try:
            response = hub.batch_import_findings(
                Findings=[to_asff(t.item, product_arn=product_arn) for t in batch]
            )
        except Exception:
            logger.exception("import failed")
            failures.extend({"itemIdentifier": t.sequence_number} for t in batch)
            continue
        refused = {str(f.get("Id")) for f in response.get("FailedFindings", [])}
        failures.extend(
            {"itemIdentifier": by_id[i].sequence_number} for i in sorted(refused) if i in by_id
        )
        imported += int(response.get("SuccessCount", len(batch) - len(refused)))
    publish_counts("security-hub", {config.METRIC_SECURITY_HUB_IMPORTED: imported})
    return {"batchItemFailures": failures}
