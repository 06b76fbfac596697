"""The README's table of checks, rendered from the scanners' own registries.

Regenerate after adding a check: `.venv/bin/python -m estate.check_docs` prints the table;
a test fails while the README's copy differs.
"""

from __future__ import annotations

from estate_scanners.s3.checks import severity_table
from estate_scanners.tags import scan as tag_scan

START = "<!-- checks:start -->"
END = "<!-- checks:end -->"


def render() -> str:
    """A markdown table: check id, severity, Security Hub controls, FAIL-when title, why."""
    rows = [
        "| check_id | severity | controls | passes when | why this severity |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in severity_table():
        controls = ", ".join(c.removeprefix("SecurityHub:") for c in row["controls"]) or "—"
        rows.append(
            f"| `{row['check_id']}` | {row['severity']} | {controls} | {row['title']} | {row['why']} |"
        )
    check_id = tag_scan.CHECK_ID
    controls = ", ".join(c.removeprefix("SecurityHub:") for c in tag_scan.CONTROLS[check_id])
    rows.append(
        f"| `{check_id}` | {tag_scan.SEVERITY[check_id]} | {controls} | The instance carries every required "
        "tag with an allowed value | Security Hub rates EC2.38 LOW: a tagging gap is governance, not exposure. |"
    )
    return "\n".join(rows)


def readme_section(readme: str) -> str:
    """The part of `readme` between the check-table markers."""
    start, end = readme.index(START) + len(START), readme.index(END)
    return readme[start:end].strip()


if __name__ == "__main__":
    print(render())
