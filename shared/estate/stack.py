"""What a running program knows about itself: its project, its account, the estate."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pulumi

from estate.accounts import Account, Estate, load_estate
from estate.contracts import ProjectContract, contract_for

# Lets tests and `estate plan --accounts-dir` point programs at another accounts/ folder.
ACCOUNTS_DIR_ENV = "ESTATE_ACCOUNTS_DIR"


class StackError(RuntimeError):
    """The stack cannot run: its name is not an account, or its project has no contract."""


@dataclass(frozen=True)
class StackContext:
    """The account and contract of the running stack (stack name = account name)."""

    estate: Estate
    account: Account
    contract: ProjectContract

    @property
    def organization_tags(self) -> dict[str, str]:
        """Tags every resource of the organisation carries."""
        return dict(self.estate.organization.tags)


def current_stack() -> StackContext:
    """Resolve the running Pulumi project and stack into a StackContext."""
    directory = os.environ.get(ACCOUNTS_DIR_ENV)
    estate = load_estate(Path(directory) if directory else None)
    stack = pulumi.get_stack()
    if stack not in estate.accounts:
        known = ", ".join(estate.accounts)
        raise StackError(
            f"stack {stack!r} is not an account of the estate; name the stack one of: {known}"
        )
    return StackContext(
        estate=estate, account=estate.accounts[stack], contract=contract_for(pulumi.get_project())
    )
