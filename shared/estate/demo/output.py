"""What `estate demo` prints: per account, counts by state and severity, the worst findings,
the alerts that went out, where the reports lie; then what the rescan resolved; last, the
named query's answer over the demo's own report parts and the path of its HTML report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from rich.console import Console
from rich.table import Table

from estate.demo.findings import QUERY_NAME, DemoFindings
from estate.demo.pipeline import AccountRound, DemoAccount, DemoResult
from estate_core.layout import FAILING_STATES, STATES
from estate_runtime.findings import SEVERITIES

WORST_SHOWN = 5


def print_result(result: DemoResult, console: Console) -> None:
    """Everything, account by account, then the verdict of the rescan."""
    for demo in result.accounts:
        _print_account(demo, console)
    _print_rescan(result.accounts, console)
    console.print(
        f"{len(result.accounts)} accounts, {result.invocations} Lambda invocations in process, "
        f"{result.seconds:.1f} s"
    )


def state_counts(round_: AccountRound) -> Counter[tuple[str, str]]:
    """(state, severity) -> findings, from the table."""
    return Counter(round_.items.values())


def _print_account(demo: DemoAccount, console: Console) -> None:
    first = demo.rounds[0]
    account = demo.account
    console.rule(f"{account.name} ({account.account_id}, {account.stage.value})")
    for execution in first.executions:
        output = execution["output"] or {}
        shards = output.get("shards", {})
        console.print(
            f"{execution['scanner']} scan {execution['status'].lower()}: "
            f"{shards.get('done', 0)}/{shards.get('total', 0)} shards done, "
            f"{output.get('parts', 0)} parts, manifest {output.get('manifest', '-')}"
        )
    console.print(_state_table(state_counts(first)))
    assert demo.seeded is not None
    missing, unexpected = demo.truth_check()
    console.print(
        f"seeded truth: {len(demo.seeded.expected_failures())} failures seeded in "
        f"{len(demo.seeded.buckets)} buckets, {len(demo.seeded.instances)} instances and the "
        f"account; {len(missing)} missing, {len(unexpected)} unexpected"
    )
    worst = sorted(
        (
            (SEVERITIES.index(severity), check, resource)
            for (resource, check), (state, severity) in first.items.items()
            if state in FAILING_STATES
        )
    )[:WORST_SHOWN]
    console.print("worst findings:")
    for rank, check, resource in worst:
        console.print(f"  {SEVERITIES[rank]:<13} {check:<32} {resource}")
    console.print(f"alerts sent: {len(first.alerts)}")
    for alert in first.alerts:
        console.print(f"  {alert['subject']}")
    console.print("reports: " + "  ".join(first.reports))


def _state_table(counts: Counter[tuple[str, str]]) -> Table:
    table = Table("state", *SEVERITIES, "total", title="findings by state and severity")
    for state in STATES:
        row = [counts[(state, severity)] for severity in SEVERITIES]
        if any(row):
            table.add_row(state, *(str(n) for n in row), str(sum(row)))
    return table


def resolved_in(demo: DemoAccount) -> set[tuple[str, str]]:
    """(resource, check) that the rescan moved to resolved."""
    if len(demo.rounds) < 2:
        return set()
    before, after = demo.rounds[0].items, demo.rounds[1].items
    return {
        key
        for key, (state, _) in after.items()
        if state == "resolved" and before.get(key, ("", ""))[0] != "resolved"
    }


def _print_rescan(accounts: Iterable[DemoAccount], console: Console) -> None:
    console.rule("rescan after fixing two buckets")
    for demo in accounts:
        resolved = resolved_in(demo)
        repeated = len(demo.rounds[1].alerts) if len(demo.rounds) > 1 else 0
        verdict = (
            "exactly the fixed findings" if resolved == demo.fixed else "NOT the fixed findings"
        )
        console.print(
            f"{demo.account.name}: {len(resolved)} resolved ({verdict}), "
            f"{repeated} alert(s) sent on rescan"
        )
        for resource, check in sorted(resolved):
            console.print(f"  resolved {check} on {resource}")


def print_findings(findings: DemoFindings, names: Mapping[str, str], console: Console) -> None:
    """The named query's rows (account, severity, open findings), then the report's path."""
    console.rule("open findings by severity per account")
    console.print(
        f'named query "{QUERY_NAME}" (Athena SQL, run on DuckDB) over the {findings.parts} '
        f"report parts in {findings.parts_root / 'findings'}",
        soft_wrap=True,  # a path is copied whole, never cut across lines
    )
    table = Table("account", "account id", "severity", "open findings")
    for account_id, severity, count in findings.open_by_severity:
        table.add_row(names.get(account_id, "-"), account_id, severity, str(count))
    console.print(table)
    report = findings.report
    console.print(
        f"report: {report.path} ({report.size_bytes / 1_000_000:.2f} MB): "
        f"{report.accounts} account(s), {report.scans} scan(s), {report.findings} finding(s)",
        soft_wrap=True,
    )
