"""The ARNs of org-iam's CI roles, known before org-iam runs: the names are deterministic.

CI needs them before it has any credential (the role is what it assumes), so they cannot
come from org-iam's stack outputs. A test holds them equal to the outputs org-iam's
program exports under `estate plan`.
"""

from __future__ import annotations

from enum import StrEnum

from estate.accounts import Account
from estate.naming import ResourceKind, resource_name

CI_ROLES_PROJECT = "org-iam"


class CiRole(StrEnum):
    """org-iam's two CI roles, by the purpose their names carry."""

    PREVIEW = "preview"
    DEPLOY = "deploy"


def ci_role_arn(account: Account, role: CiRole) -> str:
    """The ARN of `account`'s CI role `role`."""
    name = resource_name(
        ResourceKind.IAM_ROLE,
        account=account.name,
        region=None,
        project=CI_ROLES_PROJECT,
        purpose=role.value,
    )
    return f"arn:aws:iam::{account.account_id}:role/{name}"
