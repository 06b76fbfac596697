"""Every role another program creates fits the deploy role's rules: it carries the workload
boundary, and each grant of its policies is inside that boundary (else it fails at run time).

Vacuous while org-iam is the only project; it holds every later project to the rule.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from estate.accounts import Estate
from estate.plan.runner import StackRun
from estate.stack import ORG_IAM_PROJECT, workload_boundary_arn
from tests.support.iam_eval import Decision, Request, evaluate, planned_policy


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


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
                        request = Request(action, resource, {"aws:ResourceAccount": run.account_id})
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
