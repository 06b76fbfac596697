"""The Glue table follows the findings schema and the report writer's folders, never a copy."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest

from estate.athena.columns import (
    PARTITION_KEYS,
    SchemaNotMapped,
    glue_columns,
    location_template,
    projection_parameters,
)
from estate_runtime.findings import SCHEMA_PATH
from estate_runtime.report_writer import MemorySink, ReportWriter
from tests.support.synthetic_findings import Estate, s3_findings

# What each JSON value must be for a column of each Glue type to hold it.
HOLDS = {
    "string": lambda v: isinstance(v, str | dict),  # objects arrive as their JSON text
    "array<string>": lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
}


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    return schema


def test_every_schema_property_is_one_column_in_the_schemas_order() -> None:
    schema = _schema()
    assert [c.name for c in glue_columns()] == list(schema["properties"])
    assert not set(PARTITION_KEYS) & set(schema["properties"])  # Glue refuses a duplicate


def test_each_column_type_holds_what_the_scanners_write() -> None:
    finding = next(s3_findings(Estate(), "111111111111", 0))
    required = set(_schema()["required"])
    for column in glue_columns():
        if column.name not in finding:  # an optional field the JSON SerDe reads as NULL
            assert column.name not in required, column
            continue
        assert HOLDS[column.type](finding[column.name]), column


def test_a_new_schema_field_becomes_a_column_and_an_unmapped_type_is_refused() -> None:
    schema = copy.deepcopy(_schema())
    schema["properties"]["remediation"] = {"type": "string"}
    schema["properties"]["score"] = {"type": "number"}
    columns = {c.name: c.type for c in glue_columns(schema)}
    assert columns["remediation"] == "string" and columns["score"] == "double"

    schema["properties"]["odd"] = {"type": ["string", "null"]}
    with pytest.raises(SchemaNotMapped, match=r"'odd'.*add a rule there"):
        glue_columns(schema)


def test_the_location_template_matches_the_keys_the_writer_writes() -> None:
    sink = MemorySink()
    with ReportWriter(
        sink, scanner="tags", account_id="222222222222", scan_id="s-1", scan_date=date(2026, 1, 2)
    ) as writer:
        writer.add(next(f for f in s3_findings(Estate(), "222222222222", 0)) | {
            "scanner": "tags", "scan_id": "s-1"
        })  # fmt: skip
    (key,) = sink.objects
    template = location_template("s3://reports")
    values = dict(zip(PARTITION_KEYS, ("tags", "222222222222", "2026-01-02"), strict=True))
    folder = template
    for name, value in values.items():
        folder = folder.replace(f"${{{name}}}", value)
    assert f"s3://reports/{key}".startswith(folder)


def test_projection_covers_the_schemas_scanners_and_the_given_accounts() -> None:
    parameters = projection_parameters(["222222222222", "111111111111"], "s3://reports")
    scanner, account, dt = PARTITION_KEYS
    assert parameters[f"projection.{scanner}.values"].split(",") == list(
        _schema()["properties"]["scanner"]["enum"]
    )
    assert parameters[f"projection.{account}.values"] == "111111111111,222222222222"
    assert parameters[f"projection.{dt}.format"] == "yyyy-MM-dd"  # the writer's dt=YYYY-MM-DD
    assert parameters["projection.enabled"] == "true"
