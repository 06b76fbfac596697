"""Lambda handler: finding transitions -> AWS Security Hub (BatchImportFindings, <= 100 each).

The ASFF mapping is the scanners' own (``estate_runtime.asff``, also behind
``estate scan --format asff``): a table item is turned back into the finding it last
recorded, and the item adds what only core knows, when the finding was first seen and its
workflow. new and reopened findings are imported FAILED / NEW; a resolved one updates the
same ASFF Id to PASSED / RESOLVED. Findings Security Hub refuses are reported in
``batchItemFailures`` (bisect, bounded retries, then the on-failure queue).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from aws_lambda_powertools import Logger

from estate_core import config, layout
from estate_core.clients import client
from estate_core.stream import stream_records, transitions
from estate_core.telemetry import publish_counts
from estate_runtime.asff import MAX_BATCH, to_asff

EXPORTED_STATES: Final = layout.ALERTING_STATES | {layout.RESOLVED}
# The finding fields an item keeps under the same name (the rest are renamed below).
_FINDING_FIELDS: Final = (
    "scanner",
    "account_id",
    "region",
    "resource_type",
    "resource_id",
    "resource_arn",
    "check_id",
    "status",
    "severity",
    "message",
    "controls",
)
logger = Logger(service="estate-core-security-hub")


def finding_of(item: Mapping[str, Any]) -> dict[str, Any]:
    """The finding a table item last recorded (its latest judgement and observation)."""
    finding = {name: item[name] for name in _FINDING_FIELDS}
    finding.update(
        scan_id=item["last_scan_id"],
        observed_at=item["last_seen"],
        evidence=json.loads(str(item["evidence"])),
        controls=[str(control) for control in item["controls"]],
    )
    if item.get("remediation"):
        finding["remediation"] = dict(item["remediation"])
    return finding


def asff_of(item: Mapping[str, Any], *, product_arn: str) -> dict[str, Any]:
    """The ASFF finding of a table item: FAILED / NEW while failing, PASSED / RESOLVED once fixed."""
    return to_asff(
        finding_of(item),
        product_arn=product_arn,
        created_at=str(item["first_seen"]),
        workflow_status="RESOLVED" if item[layout.STATE] == layout.RESOLVED else "NEW",
    )


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    """Import the batch's transitions; report the records Security Hub did not take."""
    product_arn = config.require_env(config.SECURITY_HUB_PRODUCT_ARN)
    exported = [t for t in transitions(stream_records(event)) if t.state in EXPORTED_STATES]
    hub = client("securityhub")
    failures: list[dict[str, str]] = []
    imported = 0
    for start in range(0, len(exported), MAX_BATCH):
        batch = exported[start : start + MAX_BATCH]
        documents = [asff_of(t.item, product_arn=product_arn) for t in batch]
        by_id = {document["Id"]: t for document, t in zip(documents, batch, strict=True)}
        try:
            response = hub.batch_import_findings(Findings=documents)
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
