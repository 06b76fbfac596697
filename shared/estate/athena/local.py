"""The named queries run locally: Athena SQL parsed by sqlglot, transpiled to DuckDB, run
over report parts on disk exactly as Athena would read them from the reports bucket.

The view ``findings`` reads every ``*.jsonl.gz`` part below ``<root>/findings/`` with hive
partitioning, declares the Glue table's own columns (``estate.athena.columns``: same names,
types mapped from Hive), and exposes the path's ``scanner``/``account``/``dt`` segments under
the Glue partition keys' names. So a query that runs here reads the same columns and
partitions it would in Athena.

duckdb and sqlglot load on first use only (they are the development tools the proof needs,
not something Lambda or the Pulumi programs import).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Final

from estate.athena.columns import PARTITION_KEYS, Column, glue_columns
from estate.athena.queries import NAMED_QUERIES, OPEN_FINDINGS_BY_SEVERITY, NamedQuery
from estate_runtime.report_writer import PART_SUFFIX

VIEW: Final = "findings"
_DUCKDB_TYPES: Final = {
    "string": "VARCHAR",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
}


class NoParts(ValueError):
    """The folder holds no report parts under findings/."""


def duckdb_type(hive: str) -> str:
    """The DuckDB type of a Glue column type."""
    if hive.startswith("array<") and hive.endswith(">"):
        return f"{duckdb_type(hive[len('array<') : -1])}[]"
    return _DUCKDB_TYPES[hive]


def to_duckdb(sql: str, *, today: date | None = None) -> str:
    """Athena SQL as DuckDB SQL; ``today`` pins ``current_date`` (for reproducible tests)."""
    import sqlglot  # noqa: PLC0415  (development tool: loaded only here)
    from sqlglot import exp  # noqa: PLC0415

    tree = sqlglot.parse_one(sql, read="athena")
    if today is not None:
        pinned = exp.cast(exp.Literal.string(today.isoformat()), exp.DataType.build("DATE"))
        tree = tree.transform(
            lambda node: pinned.copy() if isinstance(node, exp.CurrentDate) else node
        )
    return tree.sql(dialect="duckdb")


def connect(parts_root: Path, columns: tuple[Column, ...] | None = None) -> Any:
    """A DuckDB connection with the view ``findings`` over ``parts_root``'s report parts."""
    import duckdb  # noqa: PLC0415  (development tool: loaded only here)

    root = parts_root / "findings"
    if not any(root.rglob(f"*{PART_SUFFIX}")):
        raise NoParts(f"{parts_root}: no report parts under findings/; run a scan first")
    declared = {c.name: duckdb_type(c.type) for c in columns or glue_columns()}
    path_keys = ("scanner", "account", "dt")  # the writer's folder names
    hive_types = dict.fromkeys(path_keys, "VARCHAR")
    pattern = (root / "*" / "*" / "*" / f"*{PART_SUFFIX}").as_posix()
    data = ", ".join(f'"{name}"' for name in declared)
    partitions = ", ".join(
        f'"{path}" AS "{key}"' for path, key in zip(path_keys, PARTITION_KEYS, strict=True)
    )
    connection = duckdb.connect()
    connection.execute(
        f"CREATE VIEW {VIEW} AS SELECT {data}, {partitions} FROM read_json("  # noqa: S608
        f"'{_quoted(pattern)}', format = 'newline_delimited', hive_partitioning = true, "
        f"hive_types = {_struct(hive_types)}, columns = {_struct(declared)})"
    )
    return connection


def run_query(
    query: NamedQuery, parts_root: Path, *, today: date | None = None
) -> list[tuple[Any, ...]]:
    """The rows ``query`` returns over the parts under ``parts_root``."""
    connection = connect(parts_root)
    try:
        rows: list[tuple[Any, ...]] = connection.execute(
            to_duckdb(query.for_table(VIEW), today=today)
        ).fetchall()
    finally:
        connection.close()
    return rows


def open_findings_by_severity(
    parts_root: Path, *, today: date | None = None
) -> list[tuple[str, str, int]]:
    """(account_id, severity, open findings) rows, by account then severity (highest first):
    the named query "open-findings-by-severity" run over the report parts under
    ``parts_root`` (the folder holding ``findings/``)."""
    return [
        (str(a), str(s), int(n))
        for a, s, n in run_query(OPEN_FINDINGS_BY_SEVERITY, parts_root, today=today)
    ]


def query_named(name: str) -> NamedQuery:
    """The named query called ``name``."""
    for query in NAMED_QUERIES:
        if query.name == name:
            return query
    raise KeyError(f"no named query {name!r}; known: {', '.join(q.name for q in NAMED_QUERIES)}")


def _quoted(text: str) -> str:
    return text.replace("'", "''")


def _struct(mapping: dict[str, str]) -> str:
    return "{" + ", ".join(f"'{_quoted(k)}': '{_quoted(v)}'" for k, v in mapping.items()) + "}"
