"""The mocked-program harness records what a program registers, as `estate plan` shows it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from estate.accounts import Estate
from estate.contracts import contract_for, deploy_order
from estate.plan.mock_cloud import PROVIDER_TYPES
from estate.plan.runner import StackRun, run_plan

Run = Callable[[str, str], StackRun]


def test_a_run_records_type_name_provider_parent_and_protect(run_program: Run) -> None:
    run = run_program("org-iam", "dev")
    oidc = next(
        r
        for r in run.resources
        if r.type == "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
        and r.name == "github-provider"
    )
    assert oidc.protect is True
    assert oidc.parent.endswith("estate:org-iam:GitHubOidc::github")
    assert oidc.provider.endswith("pulumi:providers:aws::aws-eu-west-1")
    attachment = next(r for r in run.resources if r.type.endswith("RolePolicyAttachment"))
    assert attachment.depends_on, "attachments depend on their role and policy"


def test_outputs_are_resolved_and_match_the_contract(run_program: Run) -> None:
    run = run_program("org-iam", "staging")
    assert set(run.outputs) == contract_for("org-iam").export_names()
    assert run.outputs["deploy_role_arn"].startswith(
        "arn:aws:iam::222222222222:role/estate-staging-"
    )


def test_stacks_run_one_after_another_do_not_leak_into_each_other(estate: Estate) -> None:
    runs = list(run_plan(estate))
    assert [(r.project, r.stack) for r in runs] == [
        (contract.project, account) for contract in deploy_order() for account in estate.accounts
    ]
    for run in runs:
        assert {r.urn.split("::")[0].removeprefix("urn:pulumi:") for r in run.resources} == {
            run.stack
        }
        providers = [r for r in run.resources if r.type in PROVIDER_TYPES]
        # Two AWS providers per region; the root project (GitHub, Pulumi Cloud) has none.
        uses_aws = any(r.type.startswith(("aws:", "aws-native:")) for r in run.resources)
        assert len(providers) == (2 * len(estate.account(run.stack).regions) if uses_aws else 0)


def test_an_unknown_invoke_fails_loudly() -> None:
    from pulumi.runtime import MockCallArgs

    from estate.plan.mock_cloud import MockCloud

    cloud = MockCloud(
        account_id="111111111111", default_region="eu-west-1", stack_outputs=lambda _: {}
    )
    with pytest.raises(NotImplementedError, match="no mock for invoke aws:s3/getBucket"):
        cloud.call(MockCallArgs(token="aws:s3/getBucket:getBucket", args={}, provider=""))
