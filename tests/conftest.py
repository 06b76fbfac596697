"""Fixtures every test may use: the shipped estate, editable copies of it, mocked program runs."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from estate.accounts import Estate, default_accounts_dir, load_estate
from estate.contracts import contract_for
from estate.plan.runner import StackRun, run_stack

REPOSITORY = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def estate() -> Estate:
    """The estate as shipped in accounts/."""
    return load_estate()


@pytest.fixture
def accounts_copy(tmp_path: Path) -> Path:
    """A writable copy of accounts/ for tests that break it on purpose."""
    target = tmp_path / "accounts"
    shutil.copytree(default_accounts_dir(), target)
    return target


_RUNS: dict[tuple[str, str], StackRun] = {}


@pytest.fixture(scope="session")
def run_program(estate: Estate) -> Callable[[str, str], StackRun]:
    """Run project `project`'s __main__ for account `account` under Pulumi mocks (cached)."""

    def run(project: str, account: str) -> StackRun:
        key = (project, account)
        if key not in _RUNS:
            _RUNS[key] = run_stack(contract_for(project), estate.account(account), estate)
        return _RUNS[key]

    return run
