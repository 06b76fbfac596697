"""Every project program for every account, run once under mocks and shared by the tests."""

from __future__ import annotations

import pytest

from estate.accounts import Estate
from estate.plan.runner import StackRun, run_plan


@pytest.fixture(scope="session")
def all_runs(estate: Estate) -> list[StackRun]:
    """What `estate plan` records for every project and account."""
    return list(run_plan(estate))
