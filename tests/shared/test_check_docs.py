"""The README's table of checks is the one the registries render: docs match code."""

from __future__ import annotations

from pathlib import Path

from estate.check_docs import END, START, readme_section, render, with_table
from estate_scanners.s3.checks import all_checks
from estate_scanners.s3.checks._not_covered import NOT_COVERED

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_table_is_the_rendered_registry() -> None:
    assert readme_section(README.read_text()) == render(), (
        "run: .venv/bin/python -m estate.check_docs"
    )


def test_the_table_has_a_row_per_check_with_its_severity() -> None:
    table = render()
    for check in all_checks():
        assert f"| `{check.check_id}` | {check.severity} |" in table
    assert "| `ec2.required_tags` | LOW | EC2.38 |" in table


def test_each_check_row_shows_its_remediation_and_link() -> None:
    table = render()
    for check in all_checks():
        row = next(line for line in table.splitlines() if f"| `{check.check_id}` |" in line)
        assert check.remediation.text in row
        assert f"([docs]({check.remediation.url}))" in row


def test_every_left_out_control_is_named_with_a_reason_and_no_check_covers_it() -> None:
    covered = {c for check in all_checks() for c in check.controls} | {
        control for check in all_checks() for control, _ in check.conditional_controls
    }
    table = render()
    for left_out in NOT_COVERED:
        assert left_out.control not in covered
        assert f"| not checked | — | {left_out.control.removeprefix('SecurityHub:')} |" in table
        assert left_out.reason in table


def test_with_table_replaces_only_the_marked_section() -> None:
    readme = f"intro\n{START}\nstale\n{END}\noutro\n"
    spliced = with_table(readme)
    assert spliced.startswith("intro\n") and spliced.endswith("outro\n")
    assert readme_section(spliced) == render()
