"""The Glue table over the findings prefix: columns derived from ``findings.schema.json``.

Every property of the schema is one column, in the schema's order, typed by the rules of
``hive_type``; a schema type those rules do not cover raises, so a new field forces a
decision here instead of a silently wrong table. The table reads JSON with the OpenX SerDe,
which hands a nested object to a ``string`` column as its JSON text: ``evidence`` (free-form
per check) is queried with ``json_extract_scalar``.

Partitions follow the report writer's key layout
``findings/scanner=<s>/account=<id>/dt=<YYYY-MM-DD>/`` and are *projected* (no crawler, no
``MSCK REPAIR``): scanner from the schema's own enum, account from the estate's accounts,
date from a fixed start to ``NOW``. The partition keys cannot share a name with a column
(``scanner`` is both a column and a path segment), so they are named ``partition_scanner``,
``partition_account`` and ``dt``, and ``storage.location.template`` maps them onto the path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from estate_runtime.findings import load_schema
from estate_runtime.report_writer import PartLocation

PARTITION_KEYS: Final = ("partition_scanner", "partition_account", "dt")
# The oldest date projection considers; a query's own dt filter bounds what it reads.
PROJECTION_START: Final = "2024-01-01"
SERDE: Final = "org.openx.data.jsonserde.JsonSerDe"
INPUT_FORMAT: Final = "org.apache.hadoop.mapred.TextInputFormat"
OUTPUT_FORMAT: Final = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
_SCALARS: Final[Mapping[str, str]] = {
    "string": "string",
    "integer": "bigint",
    "number": "double",
    "boolean": "boolean",
}


class SchemaNotMapped(ValueError):
    """A schema property whose type has no Glue column type here."""


@dataclass(frozen=True)
class Column:
    """One Glue column."""

    name: str
    type: str


def hive_type(name: str, schema: Mapping[str, Any]) -> str:
    """The Glue (Hive) type of one JSON Schema property."""
    kind = schema.get("type")
    if isinstance(kind, str) and kind in _SCALARS:
        return _SCALARS[kind]
    if kind == "object":
        return "string"  # the OpenX SerDe gives a nested object's JSON text
    if kind == "array":
        return f"array<{hive_type(f'{name}[]', schema.get('items', {}))}>"
    raise SchemaNotMapped(
        f"findings schema property {name!r} has type {kind!r}, which has no Glue column "
        "type in estate.athena.columns.hive_type; add a rule there"
    )


def glue_columns(schema: Mapping[str, Any] | None = None) -> tuple[Column, ...]:
    """Every property of the findings schema as a column, in the schema's order."""
    properties: Mapping[str, Any] = (schema or load_schema())["properties"]
    return tuple(Column(name, hive_type(name, spec)) for name, spec in properties.items())


def scanners(schema: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """The scanner names the schema allows: the projection's enum."""
    return tuple((schema or load_schema())["properties"]["scanner"]["enum"])


def location_template(bucket_url: str) -> str:
    """``s3://b/findings/scanner=${partition_scanner}/...`` for the bucket URL ``s3://b``.

    Derived from the report writer's own folder layout: each ``name=value`` segment of an
    example folder becomes ``name=${key}``, so the template follows the writer.
    """
    example = PartLocation(scanners()[0], "0" * 12, "example", date(2024, 1, 1)).folder
    segments = example.rstrip("/").split("/")
    hive = [i for i, segment in enumerate(segments) if "=" in segment]
    if len(hive) != len(PARTITION_KEYS):
        raise SchemaNotMapped(f"the writer's folder {example!r} no longer has 3 partitions")
    for index, key in zip(hive, PARTITION_KEYS, strict=True):
        segments[index] = f"{segments[index].split('=')[0]}=${{{key}}}"
    return f"{bucket_url}/{'/'.join(segments)}/"


def projection_parameters(account_ids: Iterable[str], bucket_url: str) -> dict[str, str]:
    """Table parameters for partition projection over the findings prefix."""
    scanner, account, dt = PARTITION_KEYS
    return {
        "classification": "json",
        "compressionType": "gzip",
        "projection.enabled": "true",
        f"projection.{scanner}.type": "enum",
        f"projection.{scanner}.values": ",".join(scanners()),
        f"projection.{account}.type": "enum",
        f"projection.{account}.values": ",".join(sorted(set(account_ids))),
        f"projection.{dt}.type": "date",
        f"projection.{dt}.format": "yyyy-MM-dd",
        f"projection.{dt}.range": f"{PROJECTION_START},NOW",
        f"projection.{dt}.interval": "1",
        f"projection.{dt}.interval.unit": "DAYS",
        "storage.location.template": location_template(bucket_url),
    }
