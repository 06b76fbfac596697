"""OCSF, ASFF and CSV renderings of findings: each validated against its own authority.

- ASFF against Security Hub's API model and the ASFF reference's limits
  (tests/support/finding_formats.py), and moto's BatchImportFindings, called through boto3
  (whose parameter validation runs too).
- OCSF against py-ocsf-models' ComplianceFinding (tests/support/finding_formats.py).
- CSV by round trip: parsing the rendered text gives back every finding.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings

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
from tests.support.finding_formats import assert_valid_asff, assert_valid_ocsf
from tests.support.findings_strategies import PROPERTIES, real_findings, valid_findings

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
