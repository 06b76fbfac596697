"""OCSF, ASFF and CSV renderings of findings: each validated against its own authority.

- ASFF against Security Hub's API model as botocore ships it (required members, types,
  enums, the non-blank string pattern), the limits the ASFF reference documents, and
  moto's BatchImportFindings, called through boto3 (whose parameter validation runs too).
- OCSF against py-ocsf-models' ComplianceFinding (the OCSF 1.5 schema as pydantic models).
- CSV by round trip: parsing the rendered text gives back every finding.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.model import ListShape, MapShape, Shape, StructureShape
from hypothesis import HealthCheck, given, settings
from py_ocsf_models.events.findings.compliance_finding import (  # type: ignore[import-untyped]
    ComplianceFinding,
)
from py_ocsf_models.objects.cloud import Cloud  # type: ignore[import-untyped]

from estate_runtime.asff import (
    COMPLIANCE_STATUS,
    MAX_ID,
    batches,
    default_product_arn,
    finding_id,
    render_asff,
    to_asff,
)
from estate_runtime.csv_findings import columns, parse_csv, render_csv
from estate_runtime.findings import SEVERITIES, STATUSES, make_finding, validate_finding
from estate_runtime.ocsf import COMPLIANCE_STATUS_IDS, render_ocsf, to_ocsf
from tests.support.findings_strategies import PROPERTIES, real_findings, valid_findings

SECURITY_HUB = botocore.session.get_session().get_service_model("securityhub")
FINDING_SHAPE = SECURITY_HUB.shape_for("AwsSecurityFinding")
# The ASFF reference's required top-level attributes (the API model leaves Types and
# Severity optional; the user guide requires them) and documented limits.
ASFF_REQUIRED = {
    "SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Types",
    "CreatedAt", "UpdatedAt", "Severity", "Title", "Description", "Resources",
}  # fmt: skip
ASFF_MAX_LENGTHS = {"Id": 512, "GeneratorId": 512, "Title": 256, "Description": 1024}
FIX = {
    "text": "Enable versioning on the bucket.",
    "url": "https://docs.aws.amazon.com/AmazonS3/latest/userguide/manage-versioning-examples.html",
}


def finding(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "scan_id": "scan-1",
        "scanner": "s3",
        "account_id": "123456789012",
        "region": "eu-west-1",
        "resource_type": "AWS::S3::Bucket",
        "resource_id": "logs",
        "resource_arn": "arn:aws:s3:::logs",
        "check_id": "s3.versioning",
        "status": "FAIL",
        "severity": "MEDIUM",
        "message": "Bucket logs's versioning has never been enabled.",
        "evidence": {"status": None, "mfa_delete": None},
        "controls": ["SecurityHub:S3.14"],
        "observed_at": datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC),
        "remediation": FIX,
    }
    fields.update(overrides)
    document = make_finding(**fields)
    validate_finding(document)
    return document


# One finding per status, per severity, per resource type, with and without remediation.
EXAMPLES = [
    *(finding(status=status) for status in STATUSES),
    *(finding(severity=severity) for severity in SEVERITIES),
    finding(
        scanner="tags",
        resource_type="AWS::EC2::Instance",
        resource_id="i-0123456789abcdef0",
        resource_arn="arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0",
        check_id="ec2.required_tags",
        controls=["SecurityHub:EC2.38"],
        remediation=None,
    ),
    finding(
        resource_type="AWS::::Account",
        resource_id="123456789012",
        resource_arn="arn:aws:iam::123456789012:root",
        check_id="s3.account_public_access_block",
        controls=[],
    ),
    finding(region="cn-north-1", resource_arn="arn:aws-cn:s3:::logs"),
    finding(message="x" * 1024, resource_arn="arn:aws:s3:::" + "b" * 600),
]


# --- ASFF ---------------------------------------------------------------------------------


def asff_problems(value: object, shape: Shape, path: str = "") -> list[str]:
    """Where `value` breaks Security Hub's API model (botocore's copy of it)."""
    if isinstance(shape, StructureShape):
        return _structure_problems(value, shape, path)
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        return [
            p for i, item in enumerate(value) for p in asff_problems(item, shape.member, f"{path}[{i}]")
        ]  # fmt: skip
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            return [f"{path}: expected a map"]
        return [
            p
            for key, item in value.items()
            for p in asff_problems(key, shape.key, f"{path}<key>") + asff_problems(item, shape.value, f"{path}[{key}]")
        ]  # fmt: skip
    return _scalar_problems(value, shape, path)


def _structure_problems(value: object, shape: StructureShape, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: expected an object"]
    problems = [f"{path}.{name}: required" for name in shape.required_members if name not in value]
    for name, member in value.items():
        if name not in shape.members:
            problems.append(f"{path}.{name}: not in the model")
        else:
            problems += asff_problems(member, shape.members[name], f"{path}.{name}")
    return problems


def _scalar_problems(value: object, shape: Shape, path: str) -> list[str]:
    expected = {"string": str, "integer": int, "boolean": bool}.get(shape.type_name)
    if expected is None:
        return [f"{path}: unexpected shape {shape.type_name}"]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        return [f"{path}: expected {shape.type_name}"]
    if isinstance(value, str) and shape.enum and value not in shape.enum:
        return [f"{path}: {value!r} not in {shape.enum}"]
    pattern = shape.metadata.get("pattern")
    if isinstance(value, str) and pattern and re.search(pattern, value) is None:
        return [f"{path}: {value!r} does not match {pattern}"]
    return []


def assert_valid_asff(document: dict[str, Any]) -> None:
    assert asff_problems(document, FINDING_SHAPE) == []
    assert set(document) >= ASFF_REQUIRED
    for name, limit in ASFF_MAX_LENGTHS.items():
        assert len(document[name]) <= limit, name
    assert len(document["Compliance"].get("RelatedRequirements", [])) <= 32
    assert len(document["ProductFields"]) <= 50
    recommendation = document.get("Remediation", {}).get("Recommendation", {})
    assert len(recommendation.get("Text", "")) <= 512


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda f: f"{f['check_id']}-{f['status']}")
def test_asff_follows_security_hubs_model_and_maps_each_field(example: dict[str, Any]) -> None:
    document = to_asff(example)
    assert_valid_asff(document)
    assert document["AwsAccountId"] == example["account_id"]
    assert document["Compliance"]["Status"] == COMPLIANCE_STATUS[example["status"]]
    assert document["Severity"]["Label"] == example["severity"]
    assert document["Resources"][0]["Id"] == example["resource_arn"]
    assert document["CreatedAt"] == example["observed_at"]
    assert document["Compliance"].get("RelatedRequirements", []) == example["controls"]
    assert document["ProductFields"]["estate/scan_id"] == example["scan_id"]
    has_hub_control = any(c.startswith("SecurityHub:") for c in example["controls"])
    assert ("AssociatedStandards" in document["Compliance"]) == has_hub_control
    if example.get("remediation"):
        assert document["Remediation"]["Recommendation"]["Url"] == example["remediation"]["url"]
    else:
        assert "Remediation" not in document


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(real_findings)
def test_any_valid_finding_gives_valid_asff(document: dict[str, Any]) -> None:
    assert_valid_asff(to_asff(document))


def test_asff_ids_are_stable_across_scans_and_distinct_per_check_and_resource() -> None:
    first, rescan = finding(scan_id="scan-1"), finding(scan_id="scan-2", status="PASS")
    assert finding_id(first) == finding_id(rescan)
    assert finding_id(first) != finding_id(finding(check_id="s3.lifecycle"))
    long_one = finding(resource_arn="arn:aws:s3:::" + "a" * 600)
    other = finding(resource_arn="arn:aws:s3:::" + "a" * 599 + "b")
    assert len(finding_id(long_one)) == MAX_ID
    assert finding_id(long_one) != finding_id(other)


def test_the_default_product_is_the_accounts_own_in_its_partition() -> None:
    assert to_asff(EXAMPLES[0])["ProductArn"] == default_product_arn("eu-west-1", "123456789012")
    assert default_product_arn("cn-north-1", "1" * 12).startswith("arn:aws-cn:securityhub:")
    custom = "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default"
    assert to_asff(EXAMPLES[0], product_arn=custom)["ProductArn"] == custom


def test_batches_hold_at_most_a_hundred() -> None:
    documents = [to_asff(finding(resource_arn=f"arn:aws:s3:::b{i}")) for i in range(250)]
    sizes = [len(batch) for batch in batches(documents)]
    assert sizes == [100, 100, 50]
    with pytest.raises(ValueError, match="1 to 100"):
        list(batches(documents, size=101))


def test_moto_security_hub_imports_every_example(mocked_aws: None) -> None:
    client = boto3.client("securityhub", region_name="eu-west-1")
    documents = json.loads(render_asff(EXAMPLES))
    answer = client.batch_import_findings(Findings=documents)
    assert (answer["FailedCount"], answer["SuccessCount"]) == (0, len(EXAMPLES))
    stored = client.get_findings()["Findings"]
    assert {f["Id"] for f in stored} == {d["Id"] for d in documents}


# --- OCSF ---------------------------------------------------------------------------------


def assert_valid_ocsf(event: dict[str, Any]) -> None:
    model = ComplianceFinding.model_validate(event)
    dumped = model.model_dump(mode="json", exclude_none=True)
    # Nothing the model does not know is dropped, except the cloud profile's `cloud`,
    # which py-ocsf-models leaves off the class: it is checked against its own model.
    rest = {k: v for k, v in event.items() if k != "cloud"}
    assert json.loads(json.dumps(rest)) == {k: dumped[k] for k in rest}
    Cloud.model_validate(event["cloud"])


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda f: f"{f['check_id']}-{f['status']}")
def test_ocsf_is_a_valid_compliance_finding_carrying_every_fact(example: dict[str, Any]) -> None:
    event = to_ocsf(example)
    assert_valid_ocsf(event)
    assert event["class_uid"] == 2003 and event["type_uid"] == 200301
    assert event["compliance"]["status_id"] == COMPLIANCE_STATUS_IDS[example["status"]][0]
    assert event["cloud"]["account"]["uid"] == example["account_id"]
    assert event["resources"][0]["uid"] == example["resource_arn"]
    assert event["resources"][0]["data"]["evidence"] == example["evidence"]
    assert event["time_dt"] == example["observed_at"]
    assert ("remediation" in event) == bool(example.get("remediation"))


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(real_findings)
def test_any_valid_finding_gives_a_valid_ocsf_event(document: dict[str, Any]) -> None:
    assert_valid_ocsf(to_ocsf(document))


def test_render_ocsf_is_a_json_array_of_events() -> None:
    assert json.loads(render_ocsf(EXAMPLES)) == [to_ocsf(f) for f in EXAMPLES]


# --- CSV ----------------------------------------------------------------------------------


def test_csv_columns_are_the_schema_properties_in_order() -> None:
    assert columns() == list(PROPERTIES)
    header = render_csv([]).splitlines()[0]
    assert header.split(",") == list(PROPERTIES)


def test_csv_has_one_row_per_finding_and_round_trips() -> None:
    text = render_csv(EXAMPLES)
    assert parse_csv(text) == EXAMPLES


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(valid_findings)
def test_any_valid_finding_round_trips_through_csv(document: dict[str, Any]) -> None:
    assert parse_csv(render_csv([document])) == [document]
