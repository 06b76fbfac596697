"""A findings-table item in AWS Security Finding Format, as core imports it.

Minimal on purpose: estate_runtime is getting one shared ``to_asff`` mapping of a finding;
until then this module is the only copy, and the integrator folds the two into one.

Product: the account's default product, ``arn:aws:securityhub:<region>:<account>:product/
<account>/default`` (every account may import its own findings as it). GeneratorId:
``estate/<check_id>``. Id: ``estate/<item id>``, stable per (account, resource, check), so
a resolution updates the finding it resolves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from estate_core import layout
from estate_runtime.findings import partition_for_region

SCHEMA_VERSION: Final = "2018-10-08"
FSBP_STANDARD: Final = "standards/aws-foundational-security-best-practices/v/1.0.0"
FINDING_TYPE: Final = "Software and Configuration Checks/AWS Security Best Practices"
_RESOURCE_TYPES: Final = {
    "AWS::S3::Bucket": "AwsS3Bucket",
    "AWS::EC2::Instance": "AwsEc2Instance",
    "AWS::::Account": "AwsAccount",
}
_CONTROL_PREFIX: Final = "SecurityHub:"


def asff_id(item_id: str) -> str:
    """The ASFF Id of a table item."""
    return f"estate/{item_id}"


def to_asff(item: Mapping[str, Any], *, product_arn: str) -> dict[str, Any]:
    """The ASFF finding of a table item: FAILED/NEW while failing, PASSED/RESOLVED once fixed."""
    resolved = item[layout.STATE] == layout.RESOLVED
    controls = [str(control) for control in item.get("controls", [])]
    requirements = [c.removeprefix(_CONTROL_PREFIX) for c in controls]
    compliance: dict[str, Any] = {"Status": "PASSED" if resolved else "FAILED"}
    if requirements:
        compliance["RelatedRequirements"] = requirements
    if any(c.startswith(_CONTROL_PREFIX) for c in controls):
        compliance["AssociatedStandards"] = [{"StandardsId": FSBP_STANDARD}]
    region = str(item["region"])
    return {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": asff_id(str(item[layout.KEY])),
        "ProductArn": product_arn,
        "GeneratorId": f"estate/{item['check_id']}",
        "AwsAccountId": str(item[layout.ACCOUNT]),
        "Types": [FINDING_TYPE],
        "CreatedAt": str(item["first_seen"]),
        "UpdatedAt": str(item["last_seen"]),
        "Severity": {"Label": str(item["severity"])},
        "Title": f"{item['check_id']} on {item['resource_id']}"[:256],
        "Description": str(item.get("message") or item["check_id"])[:1024],
        "Resources": [
            {
                "Type": _RESOURCE_TYPES.get(str(item["resource_type"]), "Other"),
                "Id": str(item["resource_arn"]),
                "Region": region,
                "Partition": partition_for_region(region),
            }
        ],
        "Compliance": compliance,
        "Workflow": {"Status": "RESOLVED" if resolved else "NEW"},
        "RecordState": "ACTIVE",
    }
