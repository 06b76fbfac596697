"""The ARNs of org-iam's CI roles, known before org-iam runs: the names are deterministic.

CI needs them before it has any credential (the role is what it assumes), so they cannot
come from org-iam's stack outputs. org-iam names its roles by purpose through
`ProjectNames`; a test holds these ARNs equal to the outputs its program exports.
"""

from __future__ import annotations

from enum import StrEnum

from estate.accounts import Account
from estate.naming import ProjectNames
from estate.stack import ORG_IAM_PROJECT


class CiRole(StrEnum):
    """org-iam's two CI roles, by the purpose their names carry."""

    PREVIEW = "preview"
    DEPLOY = "deploy"


def ci_role_arn(account: Account, role: CiRole) -> str:
    """The ARN of `account`'s CI role `role`."""
    names = ProjectNames(
        account=account.name, account_id=account.account_id, project=ORG_IAM_PROJECT
    )
    return names.role_arn(role.value)
