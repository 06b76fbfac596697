"""The HTML file: self-contained (no network), every user value escaped, numbers in place."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from estate.report import write_report
from estate.report.page import CSP, json_for_script
from tests.support import report_truth
from tests.support.synthetic_findings import HOSTILE_TAG

History = tuple[Path, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def page(history: History, tmp_path_factory: pytest.TempPathFactory) -> str:
    root, _ = history
    output = tmp_path_factory.mktemp("report") / "report.html"
    written = write_report([str(root)], output, generated_at=datetime(2026, 11, 23, tzinfo=UTC))
    assert written.path == output and written.size_bytes == output.stat().st_size
    return output.read_text(encoding="utf-8")


def test_nothing_is_loaded_from_anywhere(page: str) -> None:
    # No element of the markup may point at a URL: scripts, styles, images and fonts are all
    # inline. (Script bodies are left out: Vega's code holds markup in its strings; the
    # browser test proves at run time that the page requests nothing but itself.)
    markup = re.sub(r"(<script\b[^>]*>).*?(</script>)", r"\1\2", page, flags=re.S)
    assert not re.search(r"<[a-z]+\b[^>]*\s(src|srcset|data|action)=", markup, re.I)
    assert not re.search(r"href=\"(?!#)", markup)
    assert not re.search(r"url\(", markup, re.I)
    # ... and the page forbids the browser to fetch anything should some code try.
    assert f'content="{html.escape(CSP)}"' in page
    assert "default-src 'none'" in CSP and "connect-src" not in CSP


def test_hostile_evidence_appears_only_escaped(page: str) -> None:
    assert HOSTILE_TAG not in page
    assert html.escape(HOSTILE_TAG) in page
    # The script elements are ours alone: the Vega bundle, the drawing code, and the specs.
    opened = re.findall(r"<script\b[^>]*>", page)
    specs = [t for t in opened if t.startswith('<script type="application/json" id="')]
    assert opened.count("<script>") == 2 and len(specs) == len(opened) - 2


def test_json_for_a_script_element_cannot_end_it() -> None:
    text = json_for_script({"x": "</script><script>alert(1)</script>&\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text


def test_the_headline_shows_the_counts_of_the_findings(page: str, history: History) -> None:
    _, findings = history
    for account, counts in report_truth.headline(findings).items():
        row = re.search(rf'<tr data-account="{account}">(.*?)</tr>', page, re.S)
        assert row, account
        cells = dict(re.findall(r'data-field="([a-z-]+)">([^<]*)<', row.group(1)))
        for field in ("PASS", "FAIL", "ERROR"):
            assert cells[field.lower()] == str(counts[field])
        for field in ("fail-critical", "fail-high", "fail-medium", "fail-low"):
            assert cells[field] == str(counts[field])


def test_every_failing_check_names_its_security_hub_control(page: str, history: History) -> None:
    _, findings = history
    failing_checks = {f["check_id"]: f["controls"] for f in findings if f["status"] == "FAIL"}
    for check_id, controls in failing_checks.items():
        rows = re.findall(rf'<tr data-check="{re.escape(check_id)}">(.*?)</tr>', page, re.S)
        assert rows, check_id
        for control in controls:
            assert all(control.removeprefix("SecurityHub:") in row for row in rows)


def test_a_missing_output_folder_writes_nothing(history: History, tmp_path: Path) -> None:
    root, _ = history
    from estate.report import SourceError

    with pytest.raises(SourceError, match="does not exist; create it"):
        write_report([str(root)], tmp_path / "absent" / "report.html")
    assert not (tmp_path / "absent").exists()
