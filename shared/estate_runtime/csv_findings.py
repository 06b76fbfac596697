"""Findings as CSV: one row per finding, the schema's fields as columns, nested values as JSON.

Stdlib only. The columns are the findings schema's properties in the schema's order, so
a new field becomes a column without touching this module. `evidence`, `controls` and
`remediation` are written as compact JSON (sorted keys), so `parse_csv` gives back the
very finding that was rendered; an absent optional field is an empty cell.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

from estate_runtime.findings import load_schema

_JSON_TYPES: Final = frozenset({"object", "array"})


def columns() -> list[str]:
    """The CSV header: the findings schema's properties, in its order."""
    return list(load_schema()["properties"])


def _json_columns() -> frozenset[str]:
    properties = load_schema()["properties"]
    return frozenset(name for name, spec in properties.items() if spec.get("type") in _JSON_TYPES)


def render_csv(findings: Iterable[Mapping[str, Any]]) -> str:
    """The findings as CSV text with a header row (what `--format csv` prints)."""
    out = io.StringIO()
    header = columns()
    as_json = _json_columns()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="raise", lineterminator="\r\n")
    writer.writeheader()
    for finding in findings:
        writer.writerow(
            {
                name: (
                    json.dumps(finding[name], sort_keys=True, separators=(",", ":"))
                    if name in as_json
                    else finding[name]
                )
                for name in header
                if name in finding
            }
        )
    return out.getvalue()


def parse_csv(text: str) -> list[dict[str, Any]]:
    """The findings back from `render_csv`'s text (empty cells are absent fields)."""
    as_json = _json_columns()
    return [
        {
            name: json.loads(value) if name in as_json else value
            for name, value in row.items()
            if value != ""
        }
        for row in csv.DictReader(io.StringIO(text))
    ]
