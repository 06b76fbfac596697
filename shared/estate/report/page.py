"""The report as one self-contained HTML page: markup, styles, chart specs and Vega inlined.

Every value that comes from findings or from the command line (bucket names, messages,
evidence, sources) goes through ``html.escape``; chart specs are embedded as JSON in
``<script type="application/json">`` with ``<``, ``>``, ``&`` and the JavaScript line
separators written as ``\\u`` escapes, so no value can end the script element. A
Content-Security-Policy allows inline code only and no network at all: the page cannot
load anything, and a browser that opens it says so in its console if it ever tried.

Long lists are bounded so a 10,000-bucket estate stays a few megabytes: per account and
check the first ``EVIDENCE_SHOWN`` failures show message and evidence, the next resources up
to ``RESOURCES_LISTED`` are listed by id, and the page says how many more there are.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from estate.report.charts import SEVERITY_COLOURS, severity_chart, trend_chart, vega_javascript
from estate.report.model import CHANGES, ERROR, FAIL, PASS, AccountReport, CheckFailures
from estate_runtime.findings import SEVERITIES

EVIDENCE_SHOWN: Final = 20
RESOURCES_LISTED: Final = 500
CHANGES_SHOWN: Final = 50
EVIDENCE_CHARS: Final = 600
CSP: Final = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'unsafe-inline'; img-src data:; font-src data:"
)
_JSON_ESCAPES: Final = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}
_STYLE: Final = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#111827;max-width:1100px}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #e5e7eb;padding-bottom:.3rem;margin-top:2.5rem}
table{border-collapse:collapse;margin:.6rem 0 1rem}th,td{border:1px solid #e5e7eb;padding:.3rem .55rem;text-align:left;vertical-align:top}
th{background:#f9fafb}td.n{text-align:right;font-variant-numeric:tabular-nums}
.sev{color:#fff;border-radius:4px;padding:0 .4rem;font-size:.8rem;font-weight:600}
.muted{color:#6b7280}.bad{color:#b91c1c}.good{color:#047857}
code{font-size:.8rem;white-space:pre-wrap;word-break:break-all}
details{margin:.3rem 0 .8rem}summary{cursor:pointer}
.ids{font-family:ui-monospace,monospace;font-size:.8rem;word-break:break-all}
"""
_SCRIPT: Final = """
for (const el of document.querySelectorAll("[data-chart]")) {
  const spec = JSON.parse(document.getElementById(el.dataset.chart + "-spec").textContent);
  vegaEmbed(el, spec, {actions: false, renderer: "svg"})
    .then(() => { el.dataset.drawn = "true"; })
    .catch((error) => console.error("chart " + el.dataset.chart + ": " + error));
}
"""


def e(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape(str(value), quote=True)


def json_for_script(value: object) -> str:
    """JSON that is safe inside a ``<script>`` element."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True).translate(_JSON_ESCAPES)


def render_page(
    accounts: Sequence[AccountReport],
    *,
    sources: Sequence[str],
    generated_at: str,
    titles: Mapping[str, str],
    account_names: Mapping[str, str],
) -> str:
    """The whole HTML document."""
    charts: dict[str, dict[str, Any]] = {"severity": severity_chart(accounts)}
    sections = []
    for account in accounts:
        chart_id = f"trend-{account.account_id}"
        charts[chart_id] = trend_chart(account)
        sections.append(_account_section(account, chart_id, titles, account_names))
    specs = "".join(
        f'<script type="application/json" id="{e(name)}-spec">{json_for_script(spec)}</script>\n'
        for name, spec in charts.items()
    )
    findings = sum(sum(a.counts.values()) for a in accounts)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{e(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>estate compliance report</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>estate compliance report</h1>
<p class="muted">Generated {e(generated_at)} from {len(sources)} source(s): {e(", ".join(sources))}.
{len(accounts)} account(s), {findings} finding(s) in their latest scans.</p>
<h2>Compliance by account</h2>
{_headline(accounts, account_names)}
<div data-chart="severity"></div>
{"".join(sections)}
{specs}<script>{vega_javascript()}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def _headline(accounts: Sequence[AccountReport], names: Mapping[str, str]) -> str:
    rows = []
    for account in accounts:
        compliance = account.compliance
        shown = "—" if compliance is None else f"{compliance:.1f} %"
        severities = "".join(
            f'<td class="n" data-field="fail-{s.lower()}">{account.failed_by_severity[s]}</td>'
            for s in SEVERITIES
        )
        rows.append(
            f'<tr data-account="{e(account.account_id)}">'
            f'<td><a href="#account-{e(account.account_id)}">{e(_label(account.account_id, names))}</a></td>'
            f'<td class="n" data-field="compliance">{shown}</td>'
            f'<td class="n" data-field="resources">{account.resources}</td>'
            f'<td class="n" data-field="pass">{account.counts[PASS]}</td>'
            f'<td class="n" data-field="fail">{account.counts[FAIL]}</td>'
            f'<td class="n" data-field="error">{account.counts[ERROR]}</td>'
            f"{severities}{_change_cells(account)}</tr>"
        )
    severity_heads = "".join(f"<th>{_badge(s)}</th>" for s in SEVERITIES)
    return (
        '<table id="headline"><thead><tr><th>account</th><th>compliance</th><th>resources</th>'
        f"<th>PASS</th><th>FAIL</th><th>ERROR</th>{severity_heads}"
        f"{''.join(f'<th>{c}</th>' for c in CHANGES)}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        '<p class="muted">Compliance = PASS ÷ (PASS + FAIL) over each scanner\'s latest scan; '
        "ERROR (could not be evaluated) counts as neither. Severity columns count FAIL findings; "
        "new, reopened and resolved are the changes at the latest scan (— with one scan only).</p>"
    )


def _change_cells(account: AccountReport) -> str:
    return "".join(
        f'<td class="n" data-field="{c}">'
        f"{'—' if account.changes is None else len(account.changes[c])}</td>"
        for c in CHANGES
    )


def _account_section(
    account: AccountReport, chart_id: str, titles: Mapping[str, str], names: Mapping[str, str]
) -> str:
    scans = "; ".join(
        f"{e(scan.scanner)}: <code>{e(scan.scan_id)}</code> at {e(scan.started)}"
        for scan in account.latest
    )
    failures = "".join(_check_block(check, titles) for check in account.failures)
    return f"""
<section class="account" id="account-{e(account.account_id)}" data-account="{e(account.account_id)}">
<h2>Account {e(_label(account.account_id, names))}</h2>
<p class="muted">Latest scans — {scans}. {len(account.history)} scan(s) in the sources.</p>
<div data-chart="{e(chart_id)}"></div>
<h3>Since the previous scan</h3>
{_changes(account)}
<h3>Failing checks</h3>
{_failure_table(account, titles)}
{failures or '<p class="good">No failing findings in the latest scans.</p>'}
</section>"""


def _changes(account: AccountReport) -> str:
    if account.changes is None:
        return '<p class="muted" data-change="none">Only one scan per scanner in the sources: nothing to compare.</p>'
    parts = []
    for change in CHANGES:
        found = account.changes[change]
        items = "".join(
            f"<li>{_badge(f['severity'])} <code>{e(f['check_id'])}</code> {e(f['resource_id'])}: {e(f['message'])}</li>"
            for f in found[:CHANGES_SHOWN]
        )
        more = (
            f'<li class="muted">and {len(found) - CHANGES_SHOWN} more</li>'
            if len(found) > CHANGES_SHOWN
            else ""
        )
        parts.append(
            f'<details><summary>{e(change)}: <strong data-change="{e(change)}">{len(found)}</strong></summary>'
            f"<ul>{items}{more}</ul></details>"
        )
    return "".join(parts)


def _failure_table(account: AccountReport, titles: Mapping[str, str]) -> str:
    if not account.failures:
        return ""
    rows = "".join(
        f'<tr data-check="{e(c.check_id)}"><td>{_badge(c.severity)}</td>'
        f'<td><a href="#{e(_anchor(account.account_id, c.check_id))}"><code>{e(c.check_id)}</code></a></td>'
        f"<td>{e(titles.get(c.check_id, ''))}</td><td>{e(_controls(c.controls))}</td>"
        f'<td class="n" data-field="failing">{len(c.findings)}</td></tr>'
        for c in account.failures
    )
    return (
        "<table><thead><tr><th>severity</th><th>check</th><th>passes when</th>"
        f"<th>Security Hub control</th><th>failing</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _check_block(check: CheckFailures, titles: Mapping[str, str]) -> str:
    account_id = check.findings[0]["account_id"]
    shown = check.findings[:EVIDENCE_SHOWN]
    listed = check.findings[EVIDENCE_SHOWN : EVIDENCE_SHOWN + RESOURCES_LISTED]
    rest = len(check.findings) - len(shown) - len(listed)
    remediation = next((f["remediation"] for f in check.findings if f.get("remediation")), None)
    rows = "".join(
        f'<tr><td>{e(f["resource_id"])}<br><span class="muted">{e(f["region"])}</span></td>'
        f"<td>{e(f['message'])}</td><td><code>{e(_evidence(f['evidence']))}</code></td></tr>"
        for f in shown
    )
    ids = (
        f'<p>Also failing: <span class="ids">{e(", ".join(f["resource_id"] for f in listed))}</span></p>'
        if listed
        else ""
    )
    more = (
        f'<p class="muted">and {rest} more; every finding is in the report parts.</p>'
        if rest > 0
        else ""
    )
    fix = f"<p><strong>Fix:</strong> {e(remediation)}</p>" if remediation else ""
    title = titles.get(check.check_id)
    return f"""
<details id="{e(_anchor(account_id, check.check_id))}"><summary>{_badge(check.severity)} <code>{e(check.check_id)}</code>
— {len(check.findings)} failing{f" — passes when: {e(title)}" if title else ""} — {e(_controls(check.controls))}</summary>
{fix}<table><thead><tr><th>resource</th><th>why it fails</th><th>evidence</th></tr></thead>
<tbody>{rows}</tbody></table>{ids}{more}</details>"""


def _evidence(evidence: Mapping[str, Any]) -> str:
    text = json.dumps(evidence, sort_keys=True, ensure_ascii=False, default=str)
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"


def _controls(controls: Sequence[str]) -> str:
    return ", ".join(c.removeprefix("SecurityHub:") for c in controls) or "—"


def _badge(severity: str) -> str:
    colour = SEVERITY_COLOURS.get(severity, "#6b7280")
    return f'<span class="sev" style="background:{colour}">{e(severity)}</span>'


def _anchor(account_id: str, check_id: str) -> str:
    return f"check-{account_id}-{check_id.replace('.', '-')}"


def _label(account_id: str, names: Mapping[str, str]) -> str:
    name = names.get(account_id)
    return f"{name} ({account_id})" if name else account_id
