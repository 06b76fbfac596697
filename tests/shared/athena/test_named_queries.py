"""The named queries parse as Athena SQL, read only the table's columns, and — transpiled to
DuckDB over real report parts — answer exactly what Python computes from the same findings."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

from estate.athena.columns import PARTITION_KEYS, glue_columns
from estate.athena.local import NoParts, connect, open_findings_by_severity, run_query, to_duckdb
from estate.athena.queries import (
    COMPLIANCE_TREND_PER_DAY,
    FIRST_SEEN_THIS_WEEK,
    NAMED_QUERIES,
    OPEN_FINDINGS_BY_SEVERITY,
    TOP_CHECKS,
    TOP_FAILING_CHECKS,
)
from estate_runtime.findings import SEVERITIES
from tests.support import report_truth
from tests.support.synthetic_findings import FIRST_SCAN, Estate, write_history

# Three daily scans from Sunday: "today" is the Wednesday after, so the week began on the
# second scan's day and "first seen this week" must tell the first scan's failures apart.
TODAY = (FIRST_SCAN + timedelta(days=3)).date()
History = tuple[Path, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    root = tmp_path_factory.mktemp("parts")
    return root, write_history(
        root, Estate(accounts=("111111111111", "222222222222", "333333333333"))
    )


def _latest_fail(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    latest = set(report_truth.latest_scans(findings).values())
    return [f for f in findings if f["scan_id"] in latest and f["status"] == "FAIL"]


@pytest.mark.parametrize("query", NAMED_QUERIES, ids=lambda q: q.name)
def test_each_query_parses_as_athena_and_reads_only_the_tables_columns(query: Any) -> None:
    tree = sqlglot.parse_one(query.for_table("findings"), read="athena")
    known = {c.name for c in glue_columns()} | set(PARTITION_KEYS)
    aliases = {a.alias for a in tree.find_all(exp.Alias)}
    used = {c.name for c in tree.find_all(exp.Column)}
    assert used - aliases <= known, used - aliases - known
    assert to_duckdb(query.for_table("findings"))  # and transpiles


def test_open_findings_by_severity_per_account(history: History) -> None:
    root, findings = history
    truth = Counter((f["account_id"], f["severity"]) for f in _latest_fail(findings))
    expected = sorted(
        ((a, s, n) for (a, s), n in truth.items()), key=lambda r: (r[0], SEVERITIES.index(r[1]))
    )
    assert open_findings_by_severity(root, today=TODAY) == expected
    assert run_query(OPEN_FINDINGS_BY_SEVERITY, root, today=TODAY) == expected


def test_top_failing_checks(history: History) -> None:
    root, findings = history
    failing = _latest_fail(findings)
    counts = Counter((f["check_id"], f["severity"]) for f in failing)
    accounts = {
        key: len({f["account_id"] for f in failing if (f["check_id"], f["severity"]) == key})
        for key in counts
    }
    expected = sorted(
        ((c, s, n, accounts[(c, s)]) for (c, s), n in counts.items()), key=lambda r: (-r[2], r[0])
    )[:TOP_CHECKS]
    assert run_query(TOP_FAILING_CHECKS, root, today=TODAY) == expected


def test_compliance_trend_per_day(history: History) -> None:
    root, findings = history
    days: dict[tuple[str, str], Counter[str]] = {}
    for f in findings:
        days.setdefault((f["account_id"], f["observed_at"][:10]), Counter())[f["status"]] += 1
    rows = run_query(COMPLIANCE_TREND_PER_DAY, root, today=TODAY)
    assert [(a, d, p, n) for a, d, p, n, _ in rows] == [
        (a, d, c["PASS"], c["FAIL"]) for (a, d), c in sorted(days.items())
    ]
    for _, _, passing, failing, percent in rows:
        assert float(percent) == pytest.approx(100 * passing / (passing + failing), abs=0.005)


def test_findings_first_seen_this_week(history: History) -> None:
    root, findings = history
    week_start = (TODAY - timedelta(days=TODAY.weekday())).isoformat()
    first: dict[tuple[str, str, str, str], str] = {}
    for f in findings:
        if f["status"] == "FAIL":
            key = (f["account_id"], f["check_id"], f["severity"], f["resource_arn"])
            first[key] = min(first.get(key, "9999"), f["observed_at"][:10])
    expected = sorted(
        ((*key, day) for key, day in first.items() if day >= week_start),
        key=lambda r: (r[0], SEVERITIES.index(r[2]), r[1], r[3]),
    )
    rows = run_query(FIRST_SEEN_THIS_WEEK, root, today=TODAY)
    assert rows == expected
    assert 0 < len(rows) < len(first)  # the week start really splits the history


def test_the_local_view_has_the_glue_columns_and_partition_keys(history: History) -> None:
    root, _ = history
    connection = connect(root)
    described = [row[0] for row in connection.execute("DESCRIBE findings").fetchall()]
    connection.close()
    assert described == [c.name for c in glue_columns()] + list(PARTITION_KEYS)


def test_a_folder_without_parts_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NoParts, match="no report parts under findings/"):
        open_findings_by_severity(tmp_path)


def test_today_is_pinned_only_where_asked() -> None:
    sql = to_duckdb(FIRST_SEEN_THIS_WEEK.for_table("f"), today=date(2026, 1, 7))
    assert "CURRENT_DATE" not in sql.upper() and "2026-01-07" in sql
    assert "CURRENT_DATE" in to_duckdb(FIRST_SEEN_THIS_WEEK.for_table("f")).upper()
