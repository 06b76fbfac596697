"""The report's charts as Vega-Lite specs built with Altair, and the Vega JavaScript to draw them.

The JavaScript (Vega, Vega-Lite and vega-embed) comes from vl-convert's bundle, which is
built from the copies vl-convert ships: nothing is fetched, so the page draws its charts from
``file://`` or as an e-mail attachment. The bundle's Vega-Lite version is the one Altair's
schema names, so the specs and the library agree.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any, Final

import altair as alt
import vl_convert

from estate.report.model import AccountReport
from estate_runtime.findings import SEVERITIES

# One colour per severity, highest the most alarming; reused by the page's badges.
SEVERITY_COLOURS: Final = {
    "CRITICAL": "#7f1d1d",
    "HIGH": "#dc2626",
    "MEDIUM": "#f59e0b",
    "LOW": "#3b82f6",
    "INFORMATIONAL": "#9ca3af",
}


# What the bundle exposes to the page's own script (vl-convert's documented snippet names).
_GLOBALS: Final = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"


@cache
def vega_javascript() -> str:
    """Vega + Vega-Lite + vega-embed as one script defining ``window.vegaEmbed``.

    Bundling takes vl-convert 1.5-3.5 s here, a third of a large report's time, and its
    result depends only on the versions: it is kept in the user's cache folder, keyed by
    them (a cache that cannot be written is skipped, never an error).
    """
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    vl_version = f"{major}.{minor}"
    digest = hashlib.sha256(
        f"{version('vl-convert-python')}/{vl_version}/{_GLOBALS}".encode()
    ).hexdigest()[:16]
    cached = _cache_folder() / f"vega-bundle-{digest}.js"
    try:
        bundle = cached.read_text(encoding="utf-8")
    except OSError:
        bundle = vl_convert.javascript_bundle(_GLOBALS, vl_version=vl_version)
        _store(cached, bundle)
    if "</script" in bundle.lower():  # would end the inline <script> early
        raise RuntimeError("the Vega bundle contains '</script'; it cannot be inlined")
    return bundle


def _cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "estate"


def _store(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".vega-")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError:
        return  # a read-only home: bundle again next time


def trend_chart(account: AccountReport) -> dict[str, Any]:
    """Compliance (PASS / judged) per scan over the scans given, one line per scanner."""
    rows = [
        {
            "scan": scan.started,
            "scan_id": scan.scan_id,
            "scanner": scan.scanner,
            "compliance": round(value, 2),
            "failing": scan.by_status()["FAIL"],
        }
        for scan in account.history
        if (value := scan.compliance()) is not None
    ]
    chart = (
        alt.Chart(alt.InlineData(values=rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("scan:T", title="scan started (UTC)"),
            y=alt.Y("compliance:Q", title="compliance %", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("scanner:N", title="scanner"),
            tooltip=["scan_id:N", "scanner:N", "scan:T", "compliance:Q", "failing:Q"],
        )
        .properties(width=520, height=180, title=f"Compliance trend, account {account.account_id}")
    )
    return _spec(chart)


def severity_chart(accounts: Sequence[AccountReport]) -> dict[str, Any]:
    """Failing findings of the latest scans, by account, stacked by severity."""
    rows = [
        {"account": account.account_id, "severity": severity, "failing": count, "rank": rank}
        for account in accounts
        for rank, severity in enumerate(SEVERITIES)
        if (count := account.failed_by_severity[severity])
    ]
    chart = (
        alt.Chart(alt.InlineData(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("account:N", title="account"),
            x=alt.X("failing:Q", title="failing findings (latest scans)"),
            color=alt.Color(
                "severity:N",
                scale=alt.Scale(
                    domain=list(SEVERITIES), range=[SEVERITY_COLOURS[s] for s in SEVERITIES]
                ),
            ),
            order=alt.Order("rank:Q"),
            tooltip=["account:N", "severity:N", "failing:Q"],
        )
        .properties(width=520, title="Failing findings by severity")
    )
    return _spec(chart)


def _spec(chart: alt.Chart) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict()
    return spec
