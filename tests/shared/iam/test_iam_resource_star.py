"""The allow-list of Resource "*" actions: every entry is true to AWS's documentation."""

from __future__ import annotations

import pytest

from estate.iam import RESOURCE_STAR_ACTIONS, action_catalogue


def _documented_resource_types(action: str) -> tuple[str, ...] | None:
    info = action_catalogue().info(action)
    return None if info is None else tuple(kind.name for kind in info.resource_types)


@pytest.mark.parametrize("action", sorted(RESOURCE_STAR_ACTIONS))
def test_given_an_allow_listed_action_then_aws_documents_no_resource_type_for_it(
    action: str,
) -> None:
    assert _documented_resource_types(action) == (), (
        f"{action} is either unknown or can be scoped to a resource: "
        "grant it on ARNs and remove it from RESOURCE_STAR_ACTIONS"
    )


@pytest.mark.parametrize("action", ["s3:GetObject", "logs:CreateLogStream", "iam:PassRole"])
def test_given_a_resource_scoped_action_then_the_check_above_would_reject_it(action: str) -> None:
    # The meta-check is only worth something if a wrong entry fails it.
    resource_types = _documented_resource_types(action)

    assert resource_types
    assert action not in RESOURCE_STAR_ACTIONS


@pytest.mark.parametrize("action", sorted(RESOURCE_STAR_ACTIONS))
def test_given_an_allow_listed_action_then_its_reason_says_who_needs_it(action: str) -> None:
    reason = RESOURCE_STAR_ACTIONS[action]

    assert len(reason.split()) >= 4, f"{action}: give a reason a reviewer can check"


def test_given_the_scanners_then_their_account_wide_calls_are_allowed() -> None:
    # ListBuckets and DescribeInstances take no ARN: without these the scanners cannot run.
    assert {"s3:ListAllMyBuckets", "ec2:DescribeInstances"} <= RESOURCE_STAR_ACTIONS.keys()


def test_given_the_allow_list_then_it_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        RESOURCE_STAR_ACTIONS["s3:GetObject"] = "sneaked in"  # type: ignore[index]
