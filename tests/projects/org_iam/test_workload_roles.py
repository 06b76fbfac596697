"""Every role another program creates fits the deploy role's rules: it carries the workload
boundary, and each grant of its policies is inside that boundary (else it fails at run time).

It holds core, scanner-fleet and observability (and every later project) to the rule.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from estate.accounts import Estate
from estate.plan.runner import StackRun
from estate.stack import ORG_IAM_PROJECT, workload_boundary_arn
from estate.tags import ACCOUNT_TAG
from tests.support.iam_eval import Decision, Request, evaluate, planned_policy


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _own_resource(run: StackRun) -> dict[str, str]:
    """What IAM sees of a resource of the stack: its account, and the estate:account tag
    every taggable resource gets from its provider (test_house_rules checks the tags)."""
    return {"aws:ResourceAccount": run.account_id, f"aws:ResourceTag/{ACCOUNT_TAG}": run.stack}


def _within(request: Request, boundary: Mapping[str, Any]) -> Decision:
    grant = {
        "Statement": [{"Effect": "Allow", "Action": request.action, "Resource": request.resource}]
    }
    return evaluate(request, identity=[grant], boundary=boundary)


def test_every_role_of_other_projects_carries_the_workload_boundary_and_fits_it(
    all_runs: list[StackRun], estate: Estate
) -> None:
    boundaries = {
        run.stack: planned_policy(run, "workload-boundary")
        for run in all_runs
        if run.project == ORG_IAM_PROJECT
    }
    for run in all_runs:
        if run.project == ORG_IAM_PROJECT:
            continue
        expected = workload_boundary_arn(estate.account(run.stack))
        for role in run.of_type("aws:iam/role:Role"):
            assert role.inputs.get("permissionsBoundary") == expected, (
                f"{run.project}/{run.stack} {role.name}: pass "
                "permissions_boundary=stack.workload_boundary_arn"
            )
        policies = run.of_type("aws:iam/rolePolicy:RolePolicy") + run.of_type(
            "aws:iam/policy:Policy"
        )
        for policy in policies:
            for statement in json.loads(policy.inputs["policy"])["Statement"]:
                if statement["Effect"] != "Allow":
                    continue
                for action in _as_list(statement["Action"]):
                    for resource in _as_list(statement["Resource"]):
                        request = Request(action, resource, _own_resource(run))
                        assert _within(request, boundaries[run.stack]) is Decision.ALLOW, (
                            f"{run.project}/{run.stack} {policy.name}: {action} on {resource} "
                            "is outside org-iam's workload boundary (org_iam/workload.py)"
                        )


def test_the_check_above_catches_a_grant_outside_the_workload_boundary(
    run_program: Callable[[str, str], StackRun],
) -> None:
    boundary = planned_policy(run_program("org-iam", "dev"), "workload-boundary")
    own = {"aws:ResourceAccount": "111111111111"}
    queue = "arn:aws:sqs:eu-west-1:111111111111:estate-dev-core-ingest-1"
    assert _within(Request("sqs:SendMessage", queue, own), boundary) is Decision.ALLOW
    role = "arn:aws:iam::111111111111:role/estate-dev-x-1"
    assert _within(Request("iam:CreateRole", role), boundary) is Decision.IMPLICIT_DENY
    foreign = Request(
        "s3:GetObject", "arn:aws:s3:::estate-dev-lookalike/x", {"aws:ResourceAccount": "9" * 12}
    )
    assert _within(foreign, boundary) is Decision.IMPLICIT_DENY
    # A key has no name: the account's tag decides (a prod key is out of dev's reach).
    key = "arn:aws:kms:eu-west-1:111111111111:key/0b7f6c5e-0000-4000-8000-000000000000"
    for tag, decision in (("dev", Decision.ALLOW), ("prod", Decision.IMPLICIT_DENY)):
        context = {**own, f"aws:ResourceTag/{ACCOUNT_TAG}": tag}
        assert _within(Request("kms:Decrypt", key, context), boundary) is decision, tag
    assert _within(Request("kms:Decrypt", key, own), boundary) is Decision.IMPLICIT_DENY
