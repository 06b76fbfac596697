"""What the CI roles may do, per resource type the platform manages: read for previews, write for deploys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class TypePermissions:
    """The IAM actions that read and that manage one Pulumi resource type, and where."""

    read: tuple[str, ...]
    write: tuple[str, ...]
    # ARN patterns of the platform's own resources of this type; {account_id} and {prefix}
    # (the estate.naming prefix of the account) are filled in by the program.
    arn_patterns: tuple[str, ...]


GITHUB_OIDC_PROVIDER_ARN = (
    "arn:aws:iam::{account_id}:oidc-provider/token.actions.githubusercontent.com"
)
_ROLE_ARNS = ("arn:aws:iam::{account_id}:role/{prefix}*",)
_POLICY_ARNS = ("arn:aws:iam::{account_id}:policy/{prefix}*",)

# One entry per Pulumi resource type any project creates; a test fails when `estate plan`
# records a type missing here, so the deploy role can never silently lack a permission.
MANAGED_TYPES: Mapping[str, TypePermissions] = {
    "aws:iam/role:Role": TypePermissions(
        read=(
            "iam:GetRole",
            "iam:ListRolePolicies",
            "iam:ListAttachedRolePolicies",
            "iam:GetRolePolicy",
            "iam:ListInstanceProfilesForRole",
            "iam:ListRoleTags",
        ),
        write=(
            "iam:CreateRole",
            "iam:DeleteRole",
            "iam:UpdateRole",
            "iam:UpdateAssumeRolePolicy",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:PutRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:PutRolePermissionsBoundary",
        ),
        arn_patterns=_ROLE_ARNS,
    ),
    "aws:iam/policy:Policy": TypePermissions(
        read=(
            "iam:GetPolicy",
            "iam:GetPolicyVersion",
            "iam:ListPolicyVersions",
            "iam:ListPolicyTags",
        ),
        write=(
            "iam:CreatePolicy",
            "iam:DeletePolicy",
            "iam:CreatePolicyVersion",
            "iam:DeletePolicyVersion",
            "iam:TagPolicy",
            "iam:UntagPolicy",
        ),
        arn_patterns=_POLICY_ARNS,
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": TypePermissions(
        read=("iam:ListAttachedRolePolicies",),
        write=("iam:AttachRolePolicy", "iam:DetachRolePolicy"),
        arn_patterns=_ROLE_ARNS,
    ),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": TypePermissions(
        read=("iam:GetOpenIDConnectProvider",),
        # The trust anchor of every CI role: only org-iam, applied by an administrator,
        # changes it. CI reads it; the boundary denies OIDC_PROVIDER_WRITES to every role.
        write=(),
        arn_patterns=(GITHUB_OIDC_PROVIDER_ARN,),
    ),
}

OIDC_PROVIDER_WRITES = (
    "iam:AddClientIDToOpenIDConnectProvider",
    "iam:CreateOpenIDConnectProvider",
    "iam:DeleteOpenIDConnectProvider",
    "iam:RemoveClientIDFromOpenIDConnectProvider",
    "iam:TagOpenIDConnectProvider",
    "iam:UntagOpenIDConnectProvider",
    "iam:UpdateOpenIDConnectProviderThumbprint",
)

# Resource types that are not AWS resources (providers, components, references) need no IAM.
NON_AWS_TYPE_PREFIXES = ("pulumi:", "estate:")
