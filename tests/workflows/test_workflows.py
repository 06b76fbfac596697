"""The workflows, read as YAML: pinned actions, least permissions, environments in promotion
order, one never-cancelled concurrency group per stack, no expression inside `run:`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from estate.accounts import Estate
from estate.contracts import contract_for
from estate.gitops.smoke import CORE_PROJECT, FLEET_PROJECT

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+(\.\d+)*\s*$")
OIDC_ACTIONS = ("aws-actions/configure-aws-credentials", "pulumi/auth-actions")


def _load(name: str) -> dict[str, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as True.
    return {("on" if key is True else str(key)): value for key, value in loaded.items()}


def _files() -> list[str]:
    return sorted(p.name for p in WORKFLOWS.glob("*.yml"))


def _jobs() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for name in _files():
        for job_id, job in _load(name)["jobs"].items():
            yield name, job_id, job


def _uses(job: dict[str, Any]) -> list[str]:
    return [str(step["uses"]).split("@")[0] for step in job.get("steps", []) if "uses" in step]


def test_there_are_the_four_workflows_and_ci_still_runs_the_checks() -> None:
    assert {"ci.yml", "pull-request.yml", "preview.yml", "deploy.yml", "drift.yml"} <= set(_files())
    ci = _load("ci.yml")
    assert [s.get("run") for s in ci["jobs"]["checks"]["steps"] if "run" in s] == [
        "bash .ci/run",
        "make plan",
    ]


@pytest.mark.parametrize("name", _files())
def test_every_remote_action_is_pinned_to_a_full_commit_sha_with_its_version(name: str) -> None:
    for line in (WORKFLOWS / name).read_text().splitlines():
        if (
            re.match(r"^\s*(-\s+)?uses:", line)
            and "./" not in line
            and ".github/workflows/" not in line
        ):
            assert PINNED.match(line), f"{name}: {line.strip()} is not pinned to a commit SHA"


def test_the_same_action_is_pinned_to_the_same_commit_everywhere() -> None:
    pins: dict[str, set[str]] = {}
    for name in _files():
        for line in (WORKFLOWS / name).read_text().splitlines():
            match = PINNED.match(line)
            if match:
                pins.setdefault(match.group(1), set()).add(match.group(2))
    assert pins and all(len(shas) == 1 for shas in pins.values()), pins


@pytest.mark.parametrize("name", _files())
def test_permissions_are_minimal_and_id_token_only_where_oidc_is_used(name: str) -> None:
    workflow = _load(name)
    assert workflow["permissions"] in ({}, {"contents": "read"})
    for job_id, job in workflow["jobs"].items():
        permissions = job.get("permissions")
        assert isinstance(permissions, dict), f"{name}:{job_id} has no permissions block"
        assert "write-all" not in str(permissions)
        uses_oidc = any(action in OIDC_ACTIONS for action in _uses(job))
        calls_oidc_workflow = "preview.yml@" in str(job.get("uses", ""))
        assert (permissions.get("id-token") == "write") is (uses_oidc or calls_oidc_workflow), (
            f"{name}:{job_id}"
        )
        writes = {k for k, v in permissions.items() if v == "write"} - {"id-token"}
        assert writes <= {"pull-requests", "issues"}, f"{name}:{job_id} writes {writes}"


def test_no_expression_is_interpolated_into_a_shell_script() -> None:
    for name, job_id, job in _jobs():
        for step in job.get("steps", []):
            assert "${{" not in str(step.get("run", "")), f"{name}:{job_id}: pass it through env:"


def test_checkouts_never_persist_the_token() -> None:
    for name, job_id, job in _jobs():
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, f"{name}:{job_id}"


def test_deploys_go_through_the_accounts_environments_in_promotion_order(estate: Estate) -> None:
    jobs = _load("deploy.yml")["jobs"]
    promotion = list(estate.organization.promotion)
    deploys = [job_id for job_id in jobs if job_id.startswith("deploy-")]
    assert deploys == [f"deploy-{account}" for account in promotion]
    for index, account in enumerate(promotion):
        job = jobs[f"deploy-{account}"]
        assert job["environment"] == account
        assert (
            job["strategy"]["matrix"]["stack"]
            == f"${{{{ fromJSON(needs.changes.outputs.stacks).{account} }}}}"
        )
        assert job["strategy"]["max-parallel"] == 1 and job["strategy"]["fail-fast"] is True
        assert job["concurrency"] == {
            "group": "deploy-${{ matrix.stack.project }}-${{ matrix.stack.stack }}",
            "cancel-in-progress": False,
        }
        credentials = next(
            s for s in job["steps"] if "configure-aws-credentials" in str(s.get("uses"))
        )
        assert credentials["with"]["role-to-assume"] == "${{ matrix.stack.deploy_role_arn }}"
        assert credentials["with"]["allowed-account-ids"] == "${{ matrix.stack.account_id }}"
        pulumi = next(
            s for s in job["steps"] if str(s.get("uses", "")).startswith("pulumi/actions@")
        )
        assert pulumi["with"]["command"] == "up" and pulumi["with"]["policyPacks"] == "policy"
        if index:
            previous = promotion[index - 1]
            assert set(job["needs"]) == {"changes", f"deploy-{previous}", f"smoke-{previous}"}
            assert "!failure()" in job["if"] and "!cancelled()" in job["if"]
    for account in promotion[:-1]:
        smoke = jobs[f"smoke-{account}"]
        assert (
            smoke["environment"] == account and smoke["concurrency"]["cancel-in-progress"] is False
        )
        (step,) = [s for s in smoke["steps"] if "estate.gitops.smoke" in str(s.get("run"))]
        run = str(step["run"])
        # It runs what core and the fleet export (all their outputs, read through their
        # contracts by estate.gitops.smoke), from each project's own folder and stack.
        for project, option in (
            (CORE_PROJECT, "--core-outputs"),
            (FLEET_PROJECT, "--fleet-outputs"),
        ):
            contract = contract_for(project)
            variable = next(
                k for k, v in step["env"].items() if v.endswith(f"/{project}/{account}")
            )
            output = re.search(rf'--stack "\${variable}" --cwd (\S+) --json > "(\S+)"', run)
            assert output is not None, project
            assert output.group(1) == contract.directory
            assert f'{option} "{output.group(2)}"' in run
        assert f"--account {account} " in run
    assert "--deployable" in jobs["changes"]["steps"][-1]["run"]


def test_previews_and_drift_use_the_read_only_role_and_no_environment(estate: Estate) -> None:
    caller = _load("pull-request.yml")
    assert (
        caller["jobs"]["preview"]["uses"]
        == f"{estate.organization.github_repository}/.github/workflows/preview.yml@main"
    )
    assert set(_load("preview.yml")["on"]) == {"workflow_call"}
    for name in ("preview.yml", "drift.yml"):
        for job_id, job in _load(name)["jobs"].items():
            assert "environment" not in job, f"{name}:{job_id}"
            for step in job.get("steps", []):
                if "configure-aws-credentials" in str(step.get("uses")):
                    assert step["with"]["role-to-assume"] == "${{ matrix.stack.preview_role_arn }}"
                    assert step["with"]["allowed-account-ids"] == "${{ matrix.stack.account_id }}"
    drift = _load("drift.yml")["jobs"]["drift"]
    preview = next(
        s for s in drift["steps"] if str(s.get("uses", "")).startswith("pulumi/actions@")
    )
    assert preview["with"]["command"] == "preview"
    assert preview["with"]["refresh"] is True and preview["with"]["expect-no-changes"] is True
    assert _load("drift.yml")["on"]["schedule"]
    assert any("estate.gitops.drift_issue" in str(s.get("run")) for s in drift["steps"])
