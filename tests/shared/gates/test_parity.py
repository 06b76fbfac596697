"""The parity gate: accounts differ only in what their files declare."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from estate.accounts import Estate
from estate.gates import parity
from estate.gates.parity import normalise, parity_problems
from estate.plan.runner import StackRun, run_plan


@pytest.fixture(scope="module")
def runs(estate: Estate) -> list[StackRun]:
    """Every project in every account, as `estate plan` records them."""
    return list(run_plan(estate))


def _edited(runs: list[StackRun], stack: str, type_: str, change: dict[str, Any]) -> list[StackRun]:
    """`runs` with the first `type_` resource of `stack` given extra or changed inputs."""
    edited: list[StackRun] = []
    for run in runs:
        resources = list(run.resources)
        if run.stack == stack:
            index = next(i for i, r in enumerate(resources) if r.type == type_)
            resources[index] = dataclasses.replace(
                resources[index], inputs={**resources[index].inputs, **change}
            )
        edited.append(dataclasses.replace(run, resources=tuple(resources)))
    return edited


def test_the_shipped_stacks_differ_only_in_declared_values(
    runs: list[StackRun], estate: Estate
) -> None:
    assert {run.stack for run in runs} == set(estate.accounts)
    assert parity_problems(runs, estate) == []


def test_an_undeclared_difference_fails_naming_resource_and_field(
    runs: list[StackRun], estate: Estate
) -> None:
    drift = "pulumiservice:index:DriftSchedule"
    runs = [r for r in runs if r.project == "estate-deployments"]
    problems = parity_problems(
        _edited(runs, "staging", drift, {"scheduleCron": "0 5 * * *"}), estate
    )
    assert problems and all(drift in p and "field scheduleCron" in p for p in problems)
    assert any("staging has '0 5 * * *'" in p for p in problems)


def test_a_resource_in_one_account_only_fails(runs: list[StackRun], estate: Estate) -> None:
    extra = [dataclasses.replace(r) for r in runs if r.project == "estate-deployments"]
    dev = next(r for r in extra if r.stack == "dev")
    lone = dataclasses.replace(dev.resources[-1], type="aws:sqs/queue:Queue", name="extra-queue")
    extra[extra.index(dev)] = dataclasses.replace(dev, resources=(*dev.resources, lone))
    (problem,) = parity_problems(extra, estate)
    assert "aws:sqs/queue:Queue extra-queue exists in ['dev'] but not in" in problem


@pytest.mark.parametrize("exemption", sorted(parity.ALLOWED_FIELDS))
def test_every_allowed_field_difference_is_needed(
    runs: list[StackRun],
    estate: Estate,
    monkeypatch: pytest.MonkeyPatch,
    exemption: tuple[str, str],
) -> None:
    reduced = {k: v for k, v in parity.ALLOWED_FIELDS.items() if k != exemption}
    monkeypatch.setattr(parity, "ALLOWED_FIELDS", reduced)
    problems = parity_problems(runs, estate)
    assert problems and all(exemption[0] in p and f"field {exemption[1]}" in p for p in problems)


def test_every_allowed_presence_difference_is_needed(
    runs: list[StackRun], estate: Estate, monkeypatch: pytest.MonkeyPatch
) -> None:
    for exemption in parity.ALLOWED_PRESENCE:
        reduced = {k: v for k, v in parity.ALLOWED_PRESENCE.items() if k != exemption}
        monkeypatch.setattr(parity, "ALLOWED_PRESENCE", reduced)
        problems = parity_problems(runs, estate)
        assert any(f" {exemption[1]}" in p and p.startswith(f"{exemption[0]}:") for p in problems)


def test_normalising_replaces_each_declared_value_and_digests(estate: Estate) -> None:
    prod = estate.account("prod")
    value = {
        "name": f"estate-prod-core-reports-euw1-{prod.account_id}-0a1b2c3d",
        "retentionInDays": prod.sizes.log_retention_days,
        "deletionWindowInDays": prod.sizes.log_retention_days,
        "input": json.dumps({"required_tags": prod.tag_rules_payload(), "tz": prod.scan.timezone}),
        "emails": list(prod.alerts.emails),
        "peer": f"arn:aws:iam::{estate.account('staging').account_id}:role/x",
        "subscriptions": [{"endpoint": email} for email in prod.alerts.emails],
        "flag": True,
    }
    assert normalise(value, prod, estate) == {
        "name": "estate-<account>-core-reports-<region>-<account_id>-<digest>",
        "retentionInDays": "<log_retention_days>",
        "deletionWindowInDays": prod.sizes.log_retention_days,
        "input": json.dumps(
            {"required_tags": "<required_tags>", "tz": "<timezone>"}, sort_keys=True
        ),
        "emails": "<emails>",
        "peer": "arn:aws:iam::<other_account_id>:role/x",
        "subscriptions": [{"endpoint": "<email>"}],
        "flag": True,
    }


def _with_policy(runs: list[StackRun], stack: str, name: str, edit: Any) -> list[StackRun]:
    """org-iam's runs with the policy resource `name` of `stack` given `edit(document)`."""
    edited: list[StackRun] = []
    for run in runs:
        if run.project != "org-iam":
            continue
        resources = list(run.resources)
        if run.stack == stack:
            (index,) = [i for i, r in enumerate(resources) if r.name == name]
            document = json.loads(resources[index].inputs["policy"])
            resources[index] = dataclasses.replace(
                resources[index],
                inputs={**resources[index].inputs, "policy": json.dumps(edit(document))},
            )
        edited.append(dataclasses.replace(run, resources=tuple(resources)))
    return edited


def test_split_policies_compare_as_their_grants_whatever_the_regions_split(
    runs: list[StackRun], estate: Estate
) -> None:
    """prod lists more regions, so its deploy policy splits into more parts: compared as
    merged grants, with regions and ids normalised, the groups are equal."""
    org_iam = [r for r in runs if r.project == "org-iam"]
    parts = {
        r.stack: len([p for p in r.resources if p.name.startswith("deploy-policy-")])
        for r in org_iam
    }
    regions = {a.name: len(a.regions) for a in estate}
    assert regions["prod"] > regions["dev"] and parts["prod"] > parts["dev"]
    assert parity_problems(org_iam, estate) == []


def test_a_policy_grant_no_account_file_declares_fails_naming_it(
    runs: list[StackRun], estate: Estate
) -> None:
    def widen(document: dict[str, Any]) -> dict[str, Any]:
        extra = {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*"}
        return {**document, "Statement": [*document["Statement"], extra]}

    problems = parity_problems(_with_policy(runs, "prod", "deploy-policy-1", widen), estate)
    assert problems
    assert all("aws:iam/policy:Policy deploy-policy-* field policy" in p for p in problems)
    assert all("only prod has ['Allow iam:CreateUser *']" in p for p in problems)


def test_a_changed_condition_or_region_outside_the_files_fails(
    runs: list[StackRun], estate: Estate
) -> None:
    def foreign_region(document: dict[str, Any]) -> dict[str, Any]:
        text = json.dumps(document)
        region = estate.account("staging").regions[0]
        assert region in text
        return dict(json.loads(text.replace(region, "ap-east-1")))

    problems = parity_problems(
        _with_policy(runs, "staging", "deploy-policy-0", foreign_region), estate
    )
    assert problems and all("ap-east-1" in p and "deploy-policy-*" in p for p in problems)


def test_every_split_part_must_be_attached_once(runs: list[StackRun], estate: Estate) -> None:
    org_iam = [
        dataclasses.replace(
            run,
            resources=tuple(
                r
                for r in run.resources
                if not (run.stack == "prod" and r.name == "deploy-attachment-0")
            ),
        )
        for run in runs
        if run.project == "org-iam"
    ]
    problems = parity_problems(org_iam, estate)
    assert any(
        p.startswith("org-iam/prod: deploy:") and "split policy part(s)" in p for p in problems
    )


def test_grants_ignore_sids_and_statement_boundaries_but_not_conditions() -> None:
    split: dict[str, list[dict[str, Any]]] = {
        "Statement": [
            {"Sid": "A", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["x", "y"]},
            {"Sid": "B", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "x"},
        ]
    }
    merged: dict[str, list[dict[str, Any]]] = {
        "Statement": [
            {
                "Sid": "C",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": "x",
            },
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "y"},
        ]
    }
    assert parity.grants(split) == parity.grants(merged)
    conditioned = {
        "Statement": [
            {**s, "Condition": {"StringEquals": {"aws:ResourceAccount": ["1"]}}}
            for s in merged["Statement"]
        ]
    }
    assert parity.grants(conditioned) != parity.grants(merged)


def test_glue_names_are_normalised_by_their_account_prefix(estate: Estate) -> None:
    # Glue joins with "_", so the account is no whole word: without the prefix rule the
    # stacks' databases and tables would differ by name.
    staging, dev = estate.account("staging"), estate.account("dev")
    name = "estate_staging_observability_findings_0a1b2c3d"
    assert normalise(name, staging, estate) == "estate_<account>_observability_findings_<digest>"
    assert normalise(name, dev, estate) == "estate_<other_account>_observability_findings_<digest>"
