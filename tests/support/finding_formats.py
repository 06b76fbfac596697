"""The format checks of rendered findings, shared by the renderers' tests and the CLI's.

- ASFF against Security Hub's API model as botocore ships it (required members, types,
  enums, the non-blank string pattern) and the limits the ASFF reference documents.
- OCSF against py-ocsf-models' ComplianceFinding (the OCSF 1.5 schema as pydantic models).
"""

from __future__ import annotations

import json
import re
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, Shape, StructureShape
from py_ocsf_models.events.findings.compliance_finding import (  # type: ignore[import-untyped]
    ComplianceFinding,
)
from py_ocsf_models.objects.cloud import Cloud  # type: ignore[import-untyped]

SECURITY_HUB = botocore.session.get_session().get_service_model("securityhub")
FINDING_SHAPE = SECURITY_HUB.shape_for("AwsSecurityFinding")
# The ASFF reference's required top-level attributes (the API model leaves Types and
# Severity optional; the user guide requires them) and documented limits.
ASFF_REQUIRED = {
    "SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Types",
    "CreatedAt", "UpdatedAt", "Severity", "Title", "Description", "Resources",
}  # fmt: skip
ASFF_MAX_LENGTHS = {"Id": 512, "GeneratorId": 512, "Title": 256, "Description": 1024}


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


def assert_valid_ocsf(event: dict[str, Any]) -> None:
    model = ComplianceFinding.model_validate(event)
    dumped = model.model_dump(mode="json", exclude_none=True)
    # Nothing the model does not know is dropped, except the cloud profile's `cloud`,
    # which py-ocsf-models leaves off the class: it is checked against its own model.
    rest = {k: v for k, v in event.items() if k != "cloud"}
    assert json.loads(json.dumps(rest)) == {k: dumped[k] for k in rest}
    Cloud.model_validate(event["cloud"])
