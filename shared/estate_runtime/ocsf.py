"""Findings as OCSF 1.5 Compliance Findings (class 2003), the format Prowler emits by default.

Stdlib only, so Lambda code may use it too. One estate finding is one Compliance Finding
event:

- the check's verdict is `compliance.status_id`: PASS → 1 Pass, FAIL → 3 Fail, ERROR →
  2 Warning, which OCSF defines as "did not yield a result due to missing information";
  `status_code` keeps estate's own word;
- `activity_id` 1 (Create) and `type_uid` 200301: each scan reports its findings afresh;
- `finding_info.uid` is stable across scans (`estate/<check>/<resource ARN>`, as in ASFF),
  `metadata.uid` names this one report (`<scan id>/<check>/<resource ARN>`);
- the cloud profile: `cloud` names the provider, account and region; each resource its
  region and partition, the finding's evidence in `resources[0].data`;
- times are epoch milliseconds, with the `_dt` twins as ISO 8601.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

from estate_runtime.findings import partition_for_region

OCSF_VERSION: Final = "1.5.0"
CLASS_UID: Final = 2003
CATEGORY_UID: Final = 2
ACTIVITY_CREATE: Final = 1
TYPE_UID: Final = CLASS_UID * 100 + ACTIVITY_CREATE
AWS_ACCOUNT_TYPE_ID: Final = 10
FSBP_STANDARD: Final = "AWS Foundational Security Best Practices v1.0.0"

SEVERITY_IDS: Final[Mapping[str, tuple[int, str]]] = {
    "INFORMATIONAL": (1, "Informational"),
    "LOW": (2, "Low"),
    "MEDIUM": (3, "Medium"),
    "HIGH": (4, "High"),
    "CRITICAL": (5, "Critical"),
}
COMPLIANCE_STATUS_IDS: Final[Mapping[str, tuple[int, str]]] = {
    "PASS": (1, "Pass"),
    "ERROR": (2, "Warning"),
    "FAIL": (3, "Fail"),
}


def to_ocsf(finding: Mapping[str, Any]) -> dict[str, Any]:
    """One estate finding as one OCSF Compliance Finding."""
    observed = str(finding["observed_at"])
    millis = _epoch_millis(observed)
    severity_id, severity = SEVERITY_IDS[finding["severity"]]
    status_id = COMPLIANCE_STATUS_IDS[finding["status"]][0]
    region = str(finding["region"])
    controls = [str(c) for c in finding["controls"]]
    compliance: dict[str, Any] = {"status_id": status_id}
    if controls:
        compliance["control"] = controls[0]
        compliance["requirements"] = controls
    if any(c.startswith("SecurityHub:") for c in controls):
        compliance["standards"] = [FSBP_STANDARD]
    stable_uid = f"estate/{finding['check_id']}/{finding['resource_arn']}"
    event: dict[str, Any] = {
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "estate",
                "vendor_name": "estate",
                "feature": {"name": f"{finding['scanner']} scanner"},
            },
            "profiles": ["cloud"],
            "event_code": finding["check_id"],
            "uid": f"{finding['scan_id']}/{finding['check_id']}/{finding['resource_arn']}",
            "correlation_uid": finding["scan_id"],
        },
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "type_uid": TYPE_UID,
        "type_name": "Compliance Finding: Create",
        "severity_id": severity_id,
        "severity": severity,
        "status_code": finding["status"],
        "status_detail": finding["message"],
        "message": finding["message"],
        "time": millis,
        "time_dt": observed,
        "finding_info": {
            "uid": stable_uid,
            "title": finding["check_id"],
            "desc": finding["message"],
            "created_time": millis,
            "created_time_dt": observed,
            "types": [finding["scanner"]],
        },
        "compliance": compliance,
        "resources": [
            {
                "uid": finding["resource_arn"],
                "name": finding["resource_id"],
                "type": finding["resource_type"],
                "region": region,
                "cloud_partition": partition_for_region(region),
                "data": {"evidence": finding["evidence"]},
            }
        ],
        "cloud": {
            "provider": "AWS",
            "region": region,
            "account": {
                "name": finding["account_id"],  # the scanner knows the id, not the name
                "uid": finding["account_id"],
                "type_id": AWS_ACCOUNT_TYPE_ID,
                "type": "AWS Account",
            },
        },
    }
    remediation = finding.get("remediation")
    if remediation:
        event["remediation"] = {"desc": remediation["text"], "references": [remediation["url"]]}
    return event


def render_ocsf(findings: Iterable[Mapping[str, Any]]) -> str:
    """The findings as a JSON array of OCSF events (what `--format ocsf` prints)."""
    return json.dumps([to_ocsf(finding) for finding in findings], indent=2)


def _epoch_millis(timestamp: str) -> int:
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return int(moment.timestamp() * 1000)
