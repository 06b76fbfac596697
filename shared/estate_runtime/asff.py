"""Findings in the AWS Security Finding Format, exactly as Security Hub's BatchImportFindings takes them.

Lambda-safe (stdlib only): the CLI's `--format asff` and the core service's Security Hub
export use this one mapping. Every field the ASFF requires is set (SchemaVersion, Id,
ProductArn, GeneratorId, AwsAccountId, Types, CreatedAt, UpdatedAt, Severity, Title,
Description, Resources), within the API's limits:

- `Id` is stable across scans (`estate/<check>/<resource ARN>`), so a rescan updates the
  same Security Hub finding instead of adding one; ids beyond 512 characters keep a
  SHA-256 digest of the full text.
- `ProductArn` defaults to the account's own `default` product
  (`arn:aws:securityhub:<region>:<account>:product/<account>/default`): Security Hub
  accepts a finding under that product only from the account named in `AwsAccountId`.
- `Compliance.Status` maps PASS → PASSED, FAIL → FAILED, ERROR → NOT_AVAILABLE (the
  check could not be evaluated); `RelatedRequirements` lists the finding's controls and
  `AssociatedStandards` names the Foundational Security Best Practices standard when a
  Security Hub control is among them.
- `Remediation.Recommendation` carries the finding's remediation (Text ≤ 512 characters).
- A caller that tracks a finding over time (core's Security Hub export) passes when it was
  first seen (`created_at`) and its `workflow_status`; by default both come from the one
  observation and no `Workflow` is set.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

from estate_runtime.findings import partition_for_region

SCHEMA_VERSION: Final = "2018-10-08"
FINDING_TYPE: Final = "Software and Configuration Checks/AWS Security Best Practices"
FSBP_STANDARD: Final = "standards/aws-foundational-security-best-practices/v/1.0.0"
SECURITY_HUB_PREFIX: Final = "SecurityHub:"
MAX_BATCH: Final = 100  # BatchImportFindings takes at most 100 findings per call
MAX_ID: Final = 512
MAX_TITLE: Final = 256
MAX_DESCRIPTION: Final = 1024
MAX_RECOMMENDATION: Final = 512
MAX_REQUIREMENTS: Final = 32

COMPLIANCE_STATUS: Final[Mapping[str, str]] = {
    "PASS": "PASSED",
    "FAIL": "FAILED",
    "ERROR": "NOT_AVAILABLE",
}
RESOURCE_TYPES: Final[Mapping[str, str]] = {
    "AWS::S3::Bucket": "AwsS3Bucket",
    "AWS::EC2::Instance": "AwsEc2Instance",
    "AWS::::Account": "AwsAccount",
}


def default_product_arn(region: str, account_id: str) -> str:
    """The account's own `default` product, under which it may import its findings."""
    partition = partition_for_region(region)
    return f"arn:{partition}:securityhub:{region}:{account_id}:product/{account_id}/default"


WORKFLOW_STATUSES: Final = frozenset({"NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"})


def to_asff(
    finding: Mapping[str, Any],
    *,
    product_arn: str | None = None,
    created_at: str | None = None,
    workflow_status: str | None = None,
) -> dict[str, Any]:
    """One estate finding as one ASFF finding (``created_at`` defaults to its observed_at)."""
    if workflow_status is not None and workflow_status not in WORKFLOW_STATUSES:
        raise ValueError(
            f"workflow_status {workflow_status!r} is not one of {sorted(WORKFLOW_STATUSES)}"
        )
    region = str(finding["region"])
    account_id = str(finding["account_id"])
    controls = [str(c) for c in finding["controls"] if str(c).strip()]
    message = str(finding["message"])
    title = _clip(f"{finding['check_id']}: {message}", MAX_TITLE)
    compliance: dict[str, Any] = {"Status": COMPLIANCE_STATUS[finding["status"]]}
    if controls:
        compliance["RelatedRequirements"] = controls[:MAX_REQUIREMENTS]
    if any(c.startswith(SECURITY_HUB_PREFIX) for c in controls):
        compliance["AssociatedStandards"] = [{"StandardsId": FSBP_STANDARD}]
    document: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id(finding),
        "ProductArn": product_arn or default_product_arn(region, account_id),
        "GeneratorId": f"estate/{finding['check_id']}",
        "AwsAccountId": account_id,
        "Types": [FINDING_TYPE],
        "CreatedAt": created_at or finding["observed_at"],
        "UpdatedAt": finding["observed_at"],
        "Severity": {"Label": finding["severity"], "Original": finding["severity"]},
        "Title": title,
        # ASFF strings must hold a non-blank character; a blank message falls back to the title.
        "Description": _clip(message if message.strip() else title, MAX_DESCRIPTION),
        "Resources": [
            {
                "Type": RESOURCE_TYPES.get(str(finding["resource_type"]), "Other"),
                "Id": finding["resource_arn"],
                "Partition": partition_for_region(region),
                "Region": region,
            }
        ],
        "Compliance": compliance,
        "ProductFields": {
            key: value
            for key, value in {
                "estate/scan_id": str(finding["scan_id"]),
                "estate/scanner": str(finding["scanner"]),
                "estate/check_id": str(finding["check_id"]),
                "estate/status": str(finding["status"]),
                "estate/resource_id": _clip(str(finding["resource_id"]), 1024),
            }.items()
            if value.strip()
        },
        "RecordState": "ACTIVE",
    }
    if workflow_status is not None:
        document["Workflow"] = {"Status": workflow_status}
    remediation = finding.get("remediation")
    # Security Hub refuses a blank Recommendation.Text (pattern .*\S.*): no text, no block.
    if remediation and str(remediation["text"]).strip():
        document["Remediation"] = {
            "Recommendation": {
                "Text": _clip(str(remediation["text"]), MAX_RECOMMENDATION),
                "Url": remediation["url"],
            }
        }
    return document


def finding_id(finding: Mapping[str, Any]) -> str:
    """`estate/<check id>/<resource ARN>`: the same for the same check on the same resource."""
    text = f"estate/{finding['check_id']}/{finding['resource_arn']}"
    if len(text) <= MAX_ID:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"{text[: MAX_ID - len(digest) - 1]}#{digest}"


def render_asff(findings: Iterable[Mapping[str, Any]], *, product_arn: str | None = None) -> str:
    """The findings as a JSON array of ASFF findings (what `--format asff` prints)."""
    return json.dumps([to_asff(finding, product_arn=product_arn) for finding in findings], indent=2)


def batches(
    documents: Sequence[Mapping[str, Any]], size: int = MAX_BATCH
) -> Iterator[Sequence[Mapping[str, Any]]]:
    """ASFF findings in groups BatchImportFindings accepts (at most 100 each)."""
    if not 1 <= size <= MAX_BATCH:
        raise ValueError(f"a batch holds 1 to {MAX_BATCH} findings")
    for start in range(0, len(documents), size):
        yield documents[start : start + size]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
