"""Every log group any program creates keeps its logs as long as its account file says."""

from __future__ import annotations

from estate.accounts import Estate
from estate.plan.runner import StackRun

LOG_GROUP_TYPES = ("aws:cloudwatch/logGroup:LogGroup", "aws-native:logs:LogGroup")
RETENTION_KEYS = ("retentionInDays",)


def test_every_log_group_of_every_stack_has_the_accounts_retention(
    all_runs: list[StackRun], estate: Estate
) -> None:
    checked = 0
    for run in all_runs:
        expected = estate.account(run.stack).sizes.log_retention_days
        for resource in run.resources:
            if resource.type in LOG_GROUP_TYPES:
                retention = [resource.inputs.get(key) for key in RETENTION_KEYS]
                assert retention == [expected], f"{run.project}/{run.stack}: {resource.name}"
                checked += 1
    assert checked  # core's functions at least have log groups
