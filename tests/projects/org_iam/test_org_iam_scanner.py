"""org-iam's scanner role: exactly the scanners' reads, trusted only by the hub fleet's roles."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from estate.accounts import Estate, load_estate
from estate.contracts import contract_for
from estate.iam import RESOURCE_STAR_ACTIONS
from estate.plan.checks import policy_documents
from estate.plan.runner import StackRun, run_stack
from estate.scanning import (
    FLEET_FUNCTIONS,
    access_to,
    fleet_execution_role_name,
    scan_external_id,
    scanner_actions,
)
from estate_scanners.s3.sources import required_iam_actions as s3_actions
from estate_scanners.tags.permissions import required_iam_actions as tag_actions
from tests.support.iam_eval import Decision, planned_policy, planned_role

Run = Callable[[str, str], StackRun]


def _scanner_trust(run: StackRun) -> dict[str, Any]:
    (role,) = [r for r in run.of_type("aws:iam/role:Role") if r.name == "scanner-role"]
    statement: dict[str, Any] = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    return statement


def _allowed(documents: Any) -> set[str]:
    return {
        action
        for document in documents
        for statement in document["Statement"]
        if statement["Effect"] == "Allow"
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }


def test_the_scanner_role_grants_exactly_what_both_scanners_declare(run_program: Run) -> None:
    role = planned_role(run_program("org-iam", "prod"), "scanner")
    assert scanner_actions() == s3_actions() | tag_actions()
    assert _allowed(role.identity) == scanner_actions()
    for action in sorted(scanner_actions()):
        resource = "*" if action in RESOURCE_STAR_ACTIONS else "arn:aws:s3:::any-bucket"
        assert role.decide(action, resource) is Decision.ALLOW, action
    for write in ("s3:PutBucketPolicy", "s3:GetObject", "ec2:CreateTags", "iam:PassRole"):
        assert role.decide(write, "arn:aws:s3:::any-bucket") is not Decision.ALLOW, write


@pytest.mark.parametrize("account", ["dev", "staging", "prod"])
def test_an_account_without_a_hub_is_scanned_by_its_own_fleet(
    run_program: Run, estate: Estate, account: str
) -> None:
    statement = _scanner_trust(run_program("org-iam", account))
    target = estate.account(account)
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{target.account_id}:root"}
    assert statement["Condition"]["ArnEquals"]["aws:PrincipalArn"] == sorted(
        f"arn:aws:iam::{target.account_id}:role/{fleet_execution_role_name(target, fn)}"
        for fn in FLEET_FUNCTIONS
    )
    assert statement["Condition"]["StringEquals"]["sts:ExternalId"] == [
        scan_external_id(target, target)
    ]


@pytest.fixture(scope="module")
def hub_estate(tmp_path_factory: pytest.TempPathFactory, estate: Estate) -> Estate:
    directory = tmp_path_factory.mktemp("hub") / "accounts"
    directory.mkdir()
    for path in estate.directory.glob("*.yaml"):
        text = path.read_text()
        if path.name == "prod.yaml":
            text = text.replace("  tags: true", "  tags: true\n  targets: [staging, dev]", 1)
        (directory / path.name).write_text(text)
    return load_estate(Path(directory))


def test_a_spokes_scanner_role_trusts_only_the_hubs_fleet_roles(hub_estate: Estate) -> None:
    run = run_stack(contract_for("org-iam"), hub_estate.account("staging"), hub_estate)
    statement = _scanner_trust(run)
    prod = hub_estate.account("prod")
    access = access_to(hub_estate, "staging")
    assert access.hub == prod
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{prod.account_id}:root"}
    assert statement["Condition"]["ArnEquals"]["aws:PrincipalArn"] == sorted(
        access.trusted_role_arns
    )
    assert all(":role/estate-prod-scanner-fleet-" in arn for arn in access.trusted_role_arns)
    assert statement["Condition"]["StringEquals"]["sts:ExternalId"] == [
        f"estate-scan-{prod.account_id}-{hub_estate.account('staging').account_id}"
    ]
    # The spoke's own workloads assume no scanner role: its hub scans it.
    workload = planned_policy(run, "workload-boundary")
    assert "AssumeScannerRoles" not in {s["Sid"] for s in workload["Statement"]}


def test_the_hubs_workloads_may_assume_exactly_the_scanner_roles_it_scans(
    hub_estate: Estate,
) -> None:
    run = run_stack(contract_for("org-iam"), hub_estate.account("prod"), hub_estate)
    workload = planned_policy(run, "workload-boundary")
    (assume,) = [s for s in workload["Statement"] if s["Sid"] == "AssumeScannerRoles"]
    assert assume["Resource"] == sorted(
        access_to(hub_estate, name).scanner_role_arn for name in ("prod", "staging", "dev")
    )


def test_every_resource_star_action_is_granted_by_some_planned_policy(
    all_runs: list[StackRun],
) -> None:
    granted_on_star: set[str] = set()
    for run in all_runs:
        for _resource, _key, document in policy_documents(run):
            for statement in document["Statement"]:
                resources = statement.get("Resource", [])
                if statement["Effect"] == "Allow" and "*" in (
                    resources if isinstance(resources, list) else [resources]
                ):
                    actions = statement["Action"]
                    granted_on_star.update(actions if isinstance(actions, list) else [actions])
    unused = set(RESOURCE_STAR_ACTIONS) - granted_on_star
    assert not unused, f"RESOURCE_STAR_ACTIONS lists {sorted(unused)}, which nothing grants"


def test_the_fleet_names_its_execution_roles_as_the_scanner_trust_expects(
    all_runs: list[StackRun], estate: Estate
) -> None:
    # Vacuous until scanner-fleet joins the plan; then the trust and the roles must agree.
    for run in all_runs:
        if run.project != "scanner-fleet":
            continue
        hub = estate.account(run.stack)
        if not estate.scanned_by(hub.name):
            continue
        names = {r.inputs.get("name") for r in run.of_type("aws:iam/role:Role")}
        expected = {fleet_execution_role_name(hub, fn) for fn in FLEET_FUNCTIONS}
        assert expected <= names, f"{run.stack}: fleet roles {sorted(expected - names)} missing"
