"""The report opened in a real browser (headless Chromium): charts draw, numbers are right,
no console errors, nothing requested from the network, and a screenshot to look at.

Needs Debian's ``chromium`` package (``.ci/run`` installs it as root), or ``chromium-browser``
or ``google-chrome`` on PATH, or ``ESTATE_CHROMIUM`` naming one. Without it the test *fails*
in CI (``CI=true``), so a green CI run always means the browser ran; locally it is skipped,
saying why and how to install it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright

from estate.report import write_report
from estate.report.model import CHANGES
from tests.support import report_truth

History = tuple[Path, list[dict[str, Any]]]
# Debian's package, Ubuntu's, or Google's build (GitHub's runners carry it); or say which.
CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM = os.environ.get("ESTATE_CHROMIUM") or next(
    (found for name in CANDIDATES if (found := shutil.which(name))), ""
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM or not Path(CHROMIUM).exists():
        reason = (
            f"no browser ({', '.join(CANDIDATES)} on PATH, or ESTATE_CHROMIUM): install one with "
            "`apt-get install -y chromium` (.ci/run does as root)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run the browser test")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def test_the_report_opens_offline_draws_its_charts_and_shows_the_findings_numbers(
    browser: Browser, history: History, tmp_path: Path
) -> None:
    root, findings = history
    report = write_report([str(root)], tmp_path / "report.html").path
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    problems: list[str] = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(report.as_uri())
    charts = page.locator("[data-chart]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart]')].every(e => e.dataset.drawn)",
        timeout=20_000,
    )

    assert requested == [report.as_uri()]  # the page itself, nothing else
    assert problems == []
    assert charts.count() == 1 + len(report_truth.headline(findings))  # severity + one trend each
    assert page.locator("[data-chart] svg").count() == charts.count()
    shown = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#headline tr[data-account]')]
             .map(row => [row.dataset.account, Object.fromEntries(
                [...row.querySelectorAll('[data-field]')].map(c => [c.dataset.field, c.textContent]))]))"""
    )
    truth = report_truth.headline(findings)
    changes = report_truth.change_counts(findings)
    assert set(shown) == set(truth)
    for account, cells in shown.items():
        assert {k: int(cells[k.lower()]) for k in ("PASS", "FAIL", "ERROR")} == {
            k: truth[account][k] for k in ("PASS", "FAIL", "ERROR")
        }
        for change in CHANGES:
            assert int(cells[change]) == changes[account][change]
            section = page.locator(f'section[data-account="{account}"] [data-change="{change}"]')
            assert int(section.text_content() or "") == changes[account][change]

    screenshot = tmp_path / "report.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.close()
