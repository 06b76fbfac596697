"""The rules of the house (docs/architecture.md, README), checked on every resource every program registers."""

from __future__ import annotations

import json

import pytest

from estate.accounts import Estate
from estate.iam import RESOURCE_STAR_ACTIONS
from estate.plan.checks import (
    check_stack,
    is_cloud_resource,
    lint_problems,
    policy_documents,
    provider_problems,
    tag_problems,
)
from estate.plan.runner import RecordedResource, StackRun
from estate.programs.org_iam.permissions import MANAGED_TYPES
from estate.providers import stack_tags
from estate.tags import ACCOUNT_TAG, PROJECT_TAG


def test_every_stack_keeps_every_house_rule(all_runs: list[StackRun], estate: Estate) -> None:
    assert {run.stack for run in all_runs} == set(estate.accounts)
    for run in all_runs:
        assert check_stack(run, estate) == []


def test_every_resource_has_an_explicit_provider_pinned_to_its_account_and_region(
    all_runs: list[StackRun], estate: Estate
) -> None:
    for run in all_runs:
        account = estate.account(run.stack)
        for resource in filter(is_cloud_resource, run.resources):
            assert run.provider_input(resource, "allowedAccountIds") == [account.account_id]
            provider = run.providers()[resource.provider]
            assert provider.inputs["region"] in account.regions


def test_every_taggable_resource_carries_org_account_and_project_tags(
    all_runs: list[StackRun], estate: Estate
) -> None:
    for run in all_runs:
        for resource in filter(is_cloud_resource, run.resources):
            tags = (run.provider_input(resource, "defaultTags") or {}).get("tags", {})
            assert tags[ACCOUNT_TAG] == run.stack
            assert tags[PROJECT_TAG] == run.project
            for key, value in estate.organization.tags.items():
                assert tags[key] == value


def test_no_policy_has_a_wildcard_action_and_star_resources_are_allow_listed(
    all_runs: list[StackRun],
) -> None:
    seen = 0
    for run in all_runs:
        for _resource, _key, document in policy_documents(run):
            for statement in document["Statement"]:
                actions = (
                    statement["Action"]
                    if isinstance(statement["Action"], list)
                    else [statement["Action"]]
                )
                assert not any("*" in action for action in actions)
                assert "NotAction" not in statement and "NotResource" not in statement
                resources = statement.get("Resource", [])
                if resources == "*" or "*" in resources:
                    assert set(actions) <= set(RESOURCE_STAR_ACTIONS)
                seen += 1
    assert seen > 20


def test_every_policy_of_every_program_passes_parliament(all_runs: list[StackRun]) -> None:
    # estate plan's own lint (key policies read as key policies: estate.plan.checks).
    for run in all_runs:
        assert list(lint_problems(run)) == []


def test_the_deploy_role_can_manage_every_resource_type_any_program_creates(
    all_runs: list[StackRun],
) -> None:
    created = {r.type for run in all_runs for r in run.resources if is_cloud_resource(r)}
    assert created - set(MANAGED_TYPES) == set()


# The checks themselves must catch what they claim to: fed a broken stack, they complain.
def _resource(
    type_: str, provider: str, inputs: dict[str, object] | None = None
) -> RecordedResource:
    return RecordedResource(
        type_,
        "thing",
        f"urn:pulumi:dev::p::{type_}::thing",
        provider,
        inputs or {},
        "",
        (),
        False,
        True,
    )


def _pinned_provider(
    urn_name: str, account_id: str, region: str, tags: dict[str, str]
) -> RecordedResource:
    inputs = {
        "allowedAccountIds": json.dumps([account_id]),
        "region": region,
        "defaultTags": json.dumps({"tags": tags}),
    }
    return RecordedResource(
        "pulumi:providers:aws",
        urn_name,
        f"urn:pulumi:dev::p::pulumi:providers:aws::{urn_name}",
        "",
        inputs,
        "",
        (),
        False,
        True,
    )


@pytest.mark.parametrize(
    ("provider_account", "provider_region", "resource_provider", "expected"),
    [
        (
            "111111111111",
            "eu-west-1",
            "urn:pulumi:dev::p::pulumi:providers:aws::default_7_51_1",
            "uses a default provider",
        ),
        (
            "222222222222",
            "eu-west-1",
            "urn:pulumi:dev::p::pulumi:providers:aws::pinned",
            "allows accounts ['222222222222']",
        ),
        (
            "111111111111",
            "ap-south-1",
            "urn:pulumi:dev::p::pulumi:providers:aws::pinned",
            "has region 'ap-south-1'",
        ),
    ],
)
def test_provider_check_catches_default_foreign_and_unlisted_providers(
    provider_account: str, provider_region: str, resource_provider: str, expected: str
) -> None:
    provider = _pinned_provider("pinned", provider_account, provider_region, {})
    run = StackRun(
        "p",
        "dev",
        "111111111111",
        (provider, _resource("aws:sqs/queue:Queue", resource_provider)),
        {},
    )
    assert any(
        expected in problem for problem in provider_problems(run, ("eu-west-1", "us-east-1"))
    )


def test_tag_check_catches_a_provider_without_the_standard_tags(estate: Estate) -> None:
    provider = _pinned_provider("pinned", "111111111111", "eu-west-1", {"Organization": "acme"})
    queue = _resource("aws:sqs/queue:Queue", "urn:pulumi:dev::p::pulumi:providers:aws::pinned")
    run = StackRun("p", "dev", "111111111111", (provider, queue), {})
    required = stack_tags(estate.account("dev"), estate.organization, "p")
    assert [problem for problem in tag_problems(run, required) if "lacks tags" in problem]
