"""What a running program knows about itself: its project, its account, the estate."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pulumi

from estate.accounts import Account, Estate, load_estate
from estate.contracts import ProjectContract, contract_for
from estate.naming import ProjectNames, ResourceKind

ORG_IAM_PROJECT = "org-iam"
WORKLOAD_BOUNDARY_PURPOSE = "workload-boundary"

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
    def names(self) -> ProjectNames:
        """This project's names in this account (see ``estate.naming.ProjectNames``)."""
        return ProjectNames(
            account=self.account.name,
            account_id=self.account.account_id,
            project=self.contract.project,
        )

    @property
    def workload_boundary_arn(self) -> str:
        """The boundary every role a program creates must carry (see ``workload_boundary_arn``)."""
        return workload_boundary_arn(self.account)

    @property
    def organization_tags(self) -> dict[str, str]:
        """Tags every resource of the organisation carries."""
        return dict(self.estate.organization.tags)


def workload_boundary_arn(account: Account) -> str:
    """ARN of org-iam's workload boundary in ``account``.

    Every IAM role a program other than org-iam creates must pass it as
    ``permissions_boundary``: the deploy role may create roles with this boundary only
    (docs/security.md). Predictable from names, so no StackReference is needed.
    """
    names = ProjectNames(
        account=account.name, account_id=account.account_id, project=ORG_IAM_PROJECT
    )
    return names.policy_arn(WORKLOAD_BOUNDARY_PURPOSE, ResourceKind.IAM_PERMISSION_BOUNDARY)


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
