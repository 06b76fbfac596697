"""The Athena named queries over the findings table, in Athena's (Trino) SQL.

``{table}`` stands for the table's name; the program fills it in per stack and the local
runner with its DuckDB view. Every query filters on ``dt`` so Athena reads only recent
partitions (the workgroup's bytes-scanned limit stops a query that would read more):

- the *latest scan* of an account and scanner is its scan with the latest start (earliest
  ``observed_at``) among the last ``LATEST_WINDOW_DAYS`` days of partitions; an account with
  no scan that recent shows nothing, and the "no completed scan in 26 hours" alarm has fired
  long before;
- *open* means FAIL in that latest scan, as in ``estate report``'s headline. Core's table can
  differ in two cases by design: a check that is ERROR in the latest scan keeps its earlier
  state there, and a resource gone from the latest scan is never resolved there.
"""

# ruff: noqa: S608  -- the SQL is built from this module's constants only, never from input.
from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from estate_runtime.findings import SEVERITIES

LATEST_WINDOW_DAYS: Final = 7
TREND_DAYS: Final = 30
FIRST_SEEN_LOOKBACK_DAYS: Final = 90
TOP_CHECKS: Final = 20


@dataclass(frozen=True)
class NamedQuery:
    """One saved query: its name (also the Athena NamedQuery's), what it answers, its SQL."""

    name: str
    description: str
    sql: str

    def for_table(self, table: str) -> str:
        """The SQL against ``table``."""
        return self.sql.replace("{table}", table)


def _since(days: int) -> str:
    return f"date_format(current_date - INTERVAL '{days}' DAY, '%Y-%m-%d')"


# Severity as a sort key, highest first, from the schema's own order.
SEVERITY_RANK: Final = (
    "CASE severity "
    + " ".join(f"WHEN '{s}' THEN {rank}" for rank, s in enumerate(SEVERITIES))
    + f" ELSE {len(SEVERITIES)} END"
)

_LATEST_SCANS: Final = f"""WITH scans AS (
  SELECT account_id, scanner, scan_id, min(observed_at) AS started
  FROM {{table}}
  WHERE dt >= {_since(LATEST_WINDOW_DAYS)}
  GROUP BY account_id, scanner, scan_id
),
latest AS (
  SELECT account_id, scanner, scan_id
  FROM (
    SELECT account_id, scanner, scan_id,
      row_number() OVER (PARTITION BY account_id, scanner ORDER BY started DESC, scan_id DESC) AS position
    FROM scans
  ) AS ranked
  WHERE position = 1
),
open_findings AS (
  SELECT f.account_id, f.check_id, f.severity, f.resource_arn
  FROM {{table}} AS f
  JOIN latest AS l
    ON f.account_id = l.account_id AND f.scanner = l.scanner AND f.scan_id = l.scan_id
  WHERE f.status = 'FAIL' AND f.dt >= {_since(LATEST_WINDOW_DAYS)}
)"""

OPEN_FINDINGS_BY_SEVERITY: Final = NamedQuery(
    name="open-findings-by-severity",
    description="Open (FAIL in the latest scan) findings by severity, per account",
    sql=f"""{_LATEST_SCANS}
SELECT account_id, severity, count(*) AS open_findings
FROM open_findings
GROUP BY account_id, severity
ORDER BY account_id, {SEVERITY_RANK}""",
)

TOP_FAILING_CHECKS: Final = NamedQuery(
    name="top-failing-checks",
    description=f"The {TOP_CHECKS} checks failing on the most resources in the latest scans",
    sql=f"""{_LATEST_SCANS}
SELECT check_id, severity, count(*) AS failing, count(DISTINCT account_id) AS accounts
FROM open_findings
GROUP BY check_id, severity
ORDER BY failing DESC, check_id
LIMIT {TOP_CHECKS}""",
)

COMPLIANCE_TREND_PER_DAY: Final = NamedQuery(
    name="compliance-trend-per-day",
    description=f"Compliance (PASS / (PASS + FAIL)) per account and day, last {TREND_DAYS} days",
    sql=f"""SELECT account_id, dt AS day,
  sum(CASE WHEN status = 'PASS' THEN 1 ELSE 0 END) AS passing,
  sum(CASE WHEN status = 'FAIL' THEN 1 ELSE 0 END) AS failing,
  round(100.0 * sum(CASE WHEN status = 'PASS' THEN 1 ELSE 0 END)
    / nullif(sum(CASE WHEN status IN ('PASS', 'FAIL') THEN 1 ELSE 0 END), 0), 2) AS compliance_percent
FROM {{table}}
WHERE dt >= {_since(TREND_DAYS)}
GROUP BY account_id, dt
ORDER BY account_id, day""",
)

FIRST_SEEN_THIS_WEEK: Final = NamedQuery(
    name="findings-first-seen-this-week",
    description=(
        "Findings whose first FAIL was this week (since Monday), looking back "
        f"{FIRST_SEEN_LOOKBACK_DAYS} days"
    ),
    sql=f"""SELECT account_id, check_id, severity, resource_arn, min(dt) AS first_seen
FROM {{table}}
WHERE status = 'FAIL' AND dt >= {_since(FIRST_SEEN_LOOKBACK_DAYS)}
GROUP BY account_id, check_id, severity, resource_arn
HAVING min(dt) >= date_format(date_trunc('week', current_date), '%Y-%m-%d')
ORDER BY account_id, {SEVERITY_RANK}, check_id, resource_arn""",
)

NAMED_QUERIES: Final[tuple[NamedQuery, ...]] = (
    OPEN_FINDINGS_BY_SEVERITY,
    TOP_FAILING_CHECKS,
    COMPLIANCE_TREND_PER_DAY,
    FIRST_SEEN_THIS_WEEK,
)
