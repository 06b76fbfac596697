"""Hypothesis strategies for findings, derived from the findings JSON Schema itself."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from estate_runtime.findings import format_timestamp, load_schema

SCHEMA = load_schema()
PROPERTIES: dict[str, dict[str, Any]] = SCHEMA["properties"]


def strategy_for(spec: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid for one schema (of the validator's subset): required members always,
    optional ones sometimes."""
    if "enum" in spec:
        return st.sampled_from(spec["enum"])
    if "pattern" in spec:
        pattern = spec["pattern"]
        strings = st.from_regex(pattern)
        # Where Python's "$" and JSON Schema's "$" differ (a trailing newline), they must.
        return strings.filter(lambda s: not s.endswith("\n")) if pattern.endswith("$") else strings
    kind = spec["type"]
    if kind == "string":
        return st.text(
            min_size=spec.get("minLength", 0), max_size=min(spec.get("maxLength", 40), 40)
        )
    if kind == "array":
        return st.lists(strategy_for(spec["items"]), max_size=4)
    if kind == "object" and "properties" in spec:
        members = {name: strategy_for(sub) for name, sub in spec["properties"].items()}
        required = set(spec.get("required", ()))
        return st.fixed_dictionaries(
            {name: s for name, s in members.items() if name in required},
            optional={name: s for name, s in members.items() if name not in required},
        )
    if kind == "object":
        scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=10)
        return st.dictionaries(
            st.text(max_size=8), scalars | st.lists(scalars, max_size=3), max_size=4
        )
    raise AssertionError(f"no strategy for {spec}")


valid_findings: st.SearchStrategy[dict[str, Any]] = strategy_for(SCHEMA)


# The schema's timestamp pattern admits impossible dates (month 00); findings the scanners
# make carry real ones, and renderers that read the time (OCSF's epoch milliseconds) need them.
real_findings: st.SearchStrategy[dict[str, Any]] = st.builds(
    lambda finding, moment: {**finding, "observed_at": format_timestamp(moment)},
    valid_findings,
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
)
