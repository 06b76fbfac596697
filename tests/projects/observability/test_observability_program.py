"""The project's own wiring (``projects/observability/__main__.py``) under the plan harness.

scanner-fleet's contract is not on this branch yet and core does not export its API's name,
so the producers here are synthetic contracts, as tests/shared/test_contracts.py builds
them: core's real contract plus ``api_name``, and a scanner-fleet exporting what
observability reads plus its function names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

import estate.contracts as contracts_module
import estate.plan.runner as runner_module
import estate.stack as stack_module
from estate.accounts import Estate
from estate.contracts import (
    CORE,
    OBSERVABILITY,
    OBSERVABILITY_FLEET_READS,
    ORG_IAM,
    OutputKind,
    OutputSpec,
    ProjectContract,
    check_contracts,
    observed_outputs,
)
from estate.plan.checks import provider_problems, tag_problems
from estate.plan.runner import StackRun, run_stack
from estate.providers import stack_tags

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
FLEET = ProjectContract(
    project="scanner-fleet",
    directory="projects/scanner_fleet",
    description="synthetic: what observability reads from the fleet",
    exports=tuple(
        OutputSpec(name, OutputKind.NAME if name.endswith("_name") else OutputKind.ARN, name)
        for name in OBSERVABILITY_FLEET_READS
    ),
)
CORE_WITH_API_NAME = replace(
    CORE, exports=(*CORE.exports, OutputSpec("api_name", OutputKind.NAME, "REST API name"))
)
CONTRACTS = (ORG_IAM, CORE_WITH_API_NAME, FLEET, OBSERVABILITY)


def _contract_for(
    project: str, contracts: tuple[ProjectContract, ...] = CONTRACTS
) -> ProjectContract:
    return {c.project: c for c in contracts}[project]


@pytest.fixture(scope="module")
def runs(estate: Estate) -> Iterator[dict[str, StackRun]]:
    check_contracts(CONTRACTS)
    with pytest.MonkeyPatch.context() as patch:
        for module in (contracts_module, stack_module, runner_module):
            patch.setattr(module, "contract_for", _contract_for)
        yield {a.name: run_stack(OBSERVABILITY, a, estate) for a in estate}


def _alarms(run: StackRun) -> list[dict[str, Any]]:
    return [dict(r.inputs) for r in run.resources if r.type == ALARM]


def test_every_account_gets_the_project_with_pinned_providers_and_tags(
    runs: dict[str, StackRun], estate: Estate
) -> None:
    assert set(runs) == set(estate.accounts)
    for name, run in runs.items():
        account = estate.account(name)
        assert list(provider_problems(run, account.regions)) == []
        tags = stack_tags(account, estate.organization, OBSERVABILITY.project)
        assert list(tag_problems(run, tags)) == []
        assert set(run.outputs) == OBSERVABILITY.export_names()


def test_every_exported_function_gets_an_error_rate_and_a_throttle_alarm(
    runs: dict[str, StackRun],
) -> None:
    functions = [
        n for c in (CORE, FLEET) for n in observed_outputs(c) if n.endswith("_function_name")
    ]
    for run in runs.values():
        rates = [a for a in _alarms(run) if a["name"].count("error-rate")]
        throttles = [a for a in _alarms(run) if a["name"].count("throttles")]
        assert len(rates) == len(throttles) == len(functions)


def test_the_scan_heartbeats_follow_the_accounts_scan_settings(
    runs: dict[str, StackRun], estate: Estate
) -> None:
    for name, run in runs.items():
        expected = {
            (scanner, target.account_id)
            for target in estate.scanned_by(name)
            for scanner, on in (("s3", target.scan.s3), ("tags", target.scan.tags))
            if on
        }
        seen = {
            (q["metric"]["dimensions"]["Scanner"], q["metric"]["dimensions"]["Account"])
            for a in _alarms(run)
            for q in a["metricQueries"]
            if q.get("metric", {}).get("metricName") == "ScanCompleted"
        }
        assert seen == expected


def test_spillover_is_watched_only_where_the_api_has_provisioned_concurrency(
    runs: dict[str, StackRun], estate: Estate
) -> None:
    for name, run in runs.items():
        spill = [a for a in _alarms(run) if "spillover" in a["name"]]
        assert len(spill) == (estate.account(name).sizes.api_provisioned_concurrency > 0)
