"""The finding vocabularies, builder and schema-driven validator."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estate_runtime.findings import (
    SCHEMA_PATH,
    SEVERITIES,
    STATUSES,
    FindingInvalid,
    account_arn,
    compile_schema,
    ecma_anchors,
    format_timestamp,
    make_finding,
    partition_for_region,
    severity_at_least,
    validate_finding,
)
from tests.support.findings_strategies import PROPERTIES, SCHEMA, valid_findings

REFERENCE = jsonschema.Draft202012Validator(SCHEMA)


def a_finding(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "scan_id": "scan-2025-01-01",
        "scanner": "tags",
        "account_id": "111111111111",
        "region": "eu-west-1",
        "resource_type": "AWS::EC2::Instance",
        "resource_id": "i-0123456789abcdef0",
        "resource_arn": "arn:aws:ec2:eu-west-1:111111111111:instance/i-0123456789abcdef0",
        "check_id": "ec2.required_tags",
        "status": "FAIL",
        "severity": "LOW",
        "message": "Instance i-0123456789abcdef0 is missing Owner.",
        "evidence": {"missing": ["Owner"]},
        "controls": ["SecurityHub:EC2.38"],
        "observed_at": datetime(2025, 1, 1, 3, 0, 5, tzinfo=UTC),
    }
    fields.update(overrides)
    return make_finding(**fields)


# --- vocabularies -----------------------------------------------------------------------


def test_statuses_and_severities_are_the_schema_enums() -> None:
    assert list(STATUSES) == PROPERTIES["status"]["enum"]
    assert list(SEVERITIES) == PROPERTIES["severity"]["enum"]


@given(st.sampled_from(SEVERITIES), st.sampled_from(SEVERITIES))
def test_severity_at_least_follows_the_order_critical_first(sev: str, threshold: str) -> None:
    assert severity_at_least(sev, threshold) == (
        SEVERITIES.index(sev) <= SEVERITIES.index(threshold)
    )


def test_severity_at_least_knows_critical_is_highest_and_rejects_unknown() -> None:
    assert severity_at_least("CRITICAL", "HIGH")
    assert not severity_at_least("LOW", "MEDIUM")
    with pytest.raises(ValueError, match="unknown severity 'SEVERE'"):
        severity_at_least("SEVERE", "LOW")


# --- builder ----------------------------------------------------------------------------


def test_given_all_fields_when_made_then_the_finding_validates() -> None:
    finding = a_finding()
    validate_finding(finding)
    assert finding["observed_at"] == "2025-01-01T03:00:05Z"
    assert REFERENCE.is_valid(finding)


def test_a_remediation_is_carried_and_validated() -> None:
    fix = {"text": "Add the Owner tag.", "url": "https://docs.aws.amazon.com/tag-editor/"}
    finding = a_finding(remediation=fix)
    assert finding["remediation"] == fix
    validate_finding(finding)
    assert "remediation" not in a_finding()  # optional: producers without one stay valid
    validate_finding(a_finding())
    for bad, field in [
        ({"text": "x", "url": "http://example.com/"}, "remediation.url"),
        ({"text": "", "url": fix["url"]}, "remediation.text"),
        ({"text": "x"}, "remediation.url"),
        ({**fix, "extra": "x"}, "remediation.extra"),
    ]:
        with pytest.raises(FindingInvalid) as caught:
            validate_finding(a_finding(remediation=bad))
        assert caught.value.field == field
        assert not REFERENCE.is_valid(a_finding(remediation=bad))


def test_observed_at_is_converted_to_utc_and_naive_times_are_refused() -> None:
    paris = timezone(timedelta(hours=1))
    assert format_timestamp(datetime(2025, 1, 1, 4, 0, 0, 250, tzinfo=paris)) == (
        "2025-01-01T03:00:00.000250Z"
    )
    with pytest.raises(ValueError, match="naive"):
        format_timestamp(datetime(2025, 1, 1))


def test_account_arn_follows_the_region_partition() -> None:
    assert account_arn("111111111111", "eu-west-1") == "arn:aws:iam::111111111111:root"
    assert partition_for_region("cn-north-1") == "aws-cn"
    assert partition_for_region("us-gov-west-1") == "aws-us-gov"
    assert re.search(PROPERTIES["resource_arn"]["pattern"], account_arn("1" * 12, "cn-north-1"))


# --- validator: named errors ------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "field", "reason"),
    [
        (lambda f: f.pop("severity"), "severity", "required field is missing"),
        (lambda f: f.update(colour="red"), "colour", "field is not allowed"),
        (lambda f: f.update(status="WARN"), "status", "'WARN' is not one of"),
        (lambda f: f.update(account_id="11111111111"), "account_id", "does not match"),
        (lambda f: f.update(evidence=[]), "evidence", "expected object, got array"),
        (lambda f: f.update(controls=["S3.1", ""]), "controls[1]", "shorter than 1"),
        (lambda f: f.update(message="x" * 1025), "message", "longer than 1024"),
        (lambda f: f.update(resource_id=""), "resource_id", "shorter than 1"),
        (lambda f: f.update(status=True), "status", "expected string, got boolean"),
    ],
)
def test_an_invalid_finding_is_refused_naming_its_field(
    mutate: Any, field: str, reason: str
) -> None:
    finding = a_finding()
    mutate(finding)
    with pytest.raises(FindingInvalid) as caught:
        validate_finding(finding)
    assert caught.value.field == field
    assert reason in str(caught.value)
    assert str(caught.value).startswith(f"finding.{field}: ")
    assert not REFERENCE.is_valid(finding)


def test_a_non_object_is_refused_at_the_root() -> None:
    with pytest.raises(FindingInvalid, match=r"finding.\(root\): expected object, got array"):
        validate_finding([])


def test_dollar_means_end_of_string_as_in_json_schema_not_before_a_newline() -> None:
    finding = a_finding(account_id="111111111111\n")
    with pytest.raises(FindingInvalid, match="account_id"):
        validate_finding(finding)
    # The Python reference library is looser here (re.search): the reason for ecma_anchors.
    assert REFERENCE.is_valid(finding)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("^[0-9]{12}$", r"^[0-9]{12}\Z"),
        (r"^a\$b$", r"^a\$b\Z"),
        ("^[$]x$", r"^[$]x\Z"),
        ("^[]$]$", r"^[]$]\Z"),
        ("^[^]$]$", r"^[^]$]\Z"),
        ("^(a|b$)$", r"^(a|b\Z)\Z"),
    ],
)
def test_ecma_anchors_rewrites_only_real_end_anchors(pattern: str, expected: str) -> None:
    assert ecma_anchors(pattern) == expected


# --- validator: driven by the schema ------------------------------------------------------


def test_the_schema_is_read_from_the_file_next_to_the_module() -> None:
    assert SCHEMA_PATH.parent.name == "estate_runtime"
    assert SCHEMA["$id"] == "estate/findings/v1"


def test_the_validator_follows_the_schema_it_is_given_not_a_copied_field_list() -> None:
    extended = copy.deepcopy(SCHEMA)
    extended["properties"]["ticket"] = {"type": "string", "pattern": "^T-[0-9]+$"}
    extended["required"].append("ticket")
    check = compile_schema(extended)
    with pytest.raises(FindingInvalid, match="ticket: required field is missing"):
        check(a_finding(), ())
    check({**a_finding(), "ticket": "T-42"}, ())


def test_a_schema_keyword_outside_the_supported_subset_is_refused() -> None:
    extended = copy.deepcopy(SCHEMA)
    extended["properties"]["resource_id"]["format"] = "uri"
    with pytest.raises(ValueError, match=r"not supported by this validator: \['format'\]"):
        compile_schema(extended)


# --- validator agrees with the reference jsonschema library --------------------------------


wrong_types = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.text(max_size=5),
)


@st.composite
def mutated_findings(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    finding = draw(valid_findings)
    field = draw(st.sampled_from(sorted(PROPERTIES)))
    spec = PROPERTIES[field]
    kinds = ["missing", "wrong_type"]
    kinds += ["bad_enum"] if "enum" in spec else []
    kinds += ["bad_pattern"] if "pattern" in spec else []
    kinds += ["bad_item"] if "items" in spec else []
    kind = draw(st.sampled_from([*kinds, "extra"]))
    if kind == "missing":
        finding.pop(field, None)  # an optional field may not have been drawn
    elif kind == "extra":
        field = draw(st.text(min_size=1, max_size=12).filter(lambda name: name not in PROPERTIES))
        finding[field] = draw(wrong_types)
    elif kind == "wrong_type":
        finding[field] = draw(wrong_types)
    elif kind == "bad_enum":
        finding[field] = draw(st.text(max_size=12).filter(lambda v: v not in spec["enum"]))
    elif kind == "bad_pattern":
        finding[field] = draw(st.text(max_size=20).filter(lambda v: not v.endswith("\n")))
    else:
        finding[field] = [*finding[field], draw(st.just("") | st.integers())]
    return finding, field


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(valid_findings)
def test_generated_valid_findings_pass_both_validators(finding: dict[str, Any]) -> None:
    assert REFERENCE.is_valid(finding)
    validate_finding(finding)


@settings(
    max_examples=150, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(mutated_findings())
def test_mutated_findings_get_the_same_verdict_as_jsonschema(
    case: tuple[dict[str, Any], str],
) -> None:
    finding, field = case
    reference_errors = list(REFERENCE.iter_errors(finding))
    refusal = our_refusal(finding)
    # A mutation may draw a value that is still valid: then both must accept it.
    assert (refusal is None) == (not reference_errors), (refusal, reference_errors[:1])
    if refusal is not None:
        assert refusal.path[0] == field


def our_refusal(finding: dict[str, Any]) -> FindingInvalid | None:
    try:
        validate_finding(finding)
    except FindingInvalid as error:
        return error
    return None
