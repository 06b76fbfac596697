"""The README's table of checks is the one the registries render: docs match code."""

from __future__ import annotations

from pathlib import Path

from estate.check_docs import readme_section, render
from estate_scanners.s3.checks import all_checks

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
