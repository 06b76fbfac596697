"""`estate plan`: every stack offline, as a table or JSON; non-zero on failures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from estate.accounts import Estate
from estate.cli.main import main
from estate.contracts import deploy_order
from estate.plan.mock_cloud import PROVIDER_TYPES


def test_json_lists_every_project_for_every_account_with_pinned_providers(
    estate: Estate, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "--json"]) == 0
    stacks = json.loads(capsys.readouterr().out)["stacks"]
    assert [(s["project"], s["stack"]) for s in stacks] == [
        (contract.project, account) for contract in deploy_order() for account in estate.accounts
    ]
    for stack in stacks:
        providers = {r["name"]: r for r in stack["resources"] if r["type"] in PROVIDER_TYPES}
        for resource in stack["resources"]:
            if resource["type"].startswith("aws:"):
                provider = providers[resource["provider"].rsplit("::", 1)[-1]]
                assert json.loads(provider["inputs"]["allowedAccountIds"]) == [stack["account_id"]]
        assert set(resource_keys := stack["resources"][0]) >= {
            "type",
            "name",
            "provider",
            "inputs",
            "parent",
            "depends_on",
            "protect",
        }, resource_keys


def test_the_table_counts_resources_per_stack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--account", "prod"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^org-iam +prod +333333333333 +[0-9]+ +[0-9]+$", out, re.M), out
    header, *rows = out.splitlines()[:-2]
    # Columns line up whatever the longest project name: every row is as wide as the header.
    assert {len(row) for row in rows} == {len(header)}, out
    assert "no house-rule violations" in out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["plan", "--account", "qa"], "unknown account 'qa'"),
        (["plan", "--project", "core2"], "unknown project 'core2'"),
    ],
)
def test_an_unknown_selection_exits_2(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(arguments) == 2
    assert message in capsys.readouterr().err


def test_invalid_accounts_exit_2_before_any_program_runs(
    accounts_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dev = accounts_copy / "dev.yaml"
    dev.write_text(dev.read_text().replace('"111111111111"', '"1"'))
    assert main(["plan", "--accounts-dir", str(accounts_copy)]) == 2
    assert "dev.yaml: account_id" in capsys.readouterr().err
