"""The README's table of checks, rendered from the scanners' own registries.

Regenerate after adding a check: `.venv/bin/python -m estate.check_docs` prints the table;
a test fails while the README's copy differs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from estate_scanners.s3 import checks as s3_checks
from estate_scanners.s3.checks._not_covered import NOT_COVERED
from estate_scanners.tags import checks as tag_checks

START = "<!-- checks:start -->"
END = "<!-- checks:end -->"


def render() -> str:
    """A markdown table: check id, severity, controls, PASS-when title, why, how to fix."""
    rows = [
        "| check_id | severity | controls | passes when | why this severity | how to fix |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in s3_checks.severity_table() + tag_checks.severity_table():
        controls = ", ".join(c.removeprefix("SecurityHub:") for c in row["controls"]) or "—"
        fix = _link(row["remediation"])
        rows.append(
            f"| `{row['check_id']}` | {row['severity']} | {controls} | {row['title']} "
            f"| {row['why']} | {fix} |"
        )
    for left_out in NOT_COVERED:
        control = left_out.control.removeprefix("SecurityHub:")
        rows.append(f"| not checked | — | {control} | {left_out.title} | {left_out.reason} | — |")
    return "\n".join(rows)


def _link(remediation: dict[str, str]) -> str:
    """`text ([docs](url))`, with `|` escaped so the sentence cannot break the table."""
    text = remediation["text"].replace("|", "\\|")
    return f"{text} ([docs]({remediation['url']}))"


def readme_section(readme: str) -> str:
    """The part of `readme` between the check-table markers."""
    start, end = readme.index(START) + len(START), readme.index(END)
    return readme[start:end].strip()


def with_table(readme: str) -> str:
    """`readme` with the text between the check-table markers replaced by `render()`."""
    start, end = readme.index(START) + len(START), readme.index(END)
    return f"{readme[:start]}\n{render()}\n{readme[end:]}"


if __name__ == "__main__":
    # `python -m estate.check_docs` prints the table; `... --write README.md` splices it in.
    if sys.argv[1:2] == ["--write"] and len(sys.argv) == 3:
        target = Path(sys.argv[2])
        target.write_text(with_table(target.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(render())
