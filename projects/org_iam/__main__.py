"""org-iam: the account's GitHub OIDC provider, CI roles and permission boundary (wiring only)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from estate.contracts import export_outputs
from estate.iam import Environment, PullRequests, github_oidc_trust, policy_document
from estate.naming import NAME_PREFIX, ResourceKind, resource_name
from estate.programs.org_iam.ci_role import CiRole, CiRoleArgs
from estate.programs.org_iam.github_oidc import GitHubOidc, GitHubOidcArgs
from estate.programs.org_iam.policies import (
    boundary_statements,
    deploy_statements,
    preview_statements,
)
from estate.providers import make_providers
from estate.stack import current_stack

stack = current_stack()
account = stack.account
organization = stack.estate.organization
project = stack.contract.project
providers = make_providers(account, organization, project)
prefix = f"{NAME_PREFIX}-{account.name}-"  # every platform resource of this account
own_prefix = f"{prefix}{project}-"  # org-iam's own roles and policies


def name(kind: ResourceKind, purpose: str) -> str:
    """This project's physical name for `purpose`."""
    return resource_name(kind, account=account.name, region=None, project=project, purpose=purpose)


oidc = GitHubOidc("github", GitHubOidcArgs(), opts=providers.opts())

boundary_name = name(ResourceKind.IAM_PERMISSION_BOUNDARY, "boundary")
boundary = aws.iam.Policy(
    "permission-boundary",
    name=boundary_name,
    description="The most any estate role may do in this account",
    policy=policy_document(
        boundary_statements(
            account_id=account.account_id,
            prefix=prefix,
            own_prefix=own_prefix,
            boundary_policy_name=boundary_name,
        )
    ),
    opts=providers.opts(),
)

preview = CiRole(
    "preview",
    CiRoleArgs(
        role_name=name(ResourceKind.IAM_ROLE, "preview"),
        policy_names=[name(ResourceKind.IAM_POLICY, f"preview-{i}") for i in range(2)],
        description="Read-only: pull-request previews of the estate",
        trust_policy=github_oidc_trust(
            provider_arn=oidc.arn,
            repository=organization.github_repository,
            subjects=[PullRequests()],
        ),
        statements=preview_statements(account_id=account.account_id, prefix=prefix),
        boundary_arn=boundary.arn,
    ),
    opts=providers.opts(),
)

deploy = CiRole(
    "deploy",
    CiRoleArgs(
        role_name=name(ResourceKind.IAM_ROLE, "deploy"),
        policy_names=[name(ResourceKind.IAM_POLICY, f"deploy-{i}") for i in range(3)],
        description=f"Deploys the estate from main through the {account.name} environment",
        trust_policy=github_oidc_trust(
            provider_arn=oidc.arn,
            repository=organization.github_repository,
            subjects=[Environment(account.name)],
        ),
        statements=deploy_statements(
            account_id=account.account_id, prefix=prefix, boundary_arn=boundary.arn
        ),
        boundary_arn=boundary.arn,
    ),
    opts=providers.opts(),
)

export_outputs(
    stack.contract,
    {
        "github_oidc_provider_arn": oidc.arn,
        "permission_boundary_arn": boundary.arn,
        "preview_role_arn": preview.arn,
        "preview_role_name": preview.name,
        "deploy_role_arn": deploy.arn,
        "deploy_role_name": deploy.name,
    },
)
pulumi.log.debug(f"org-iam planned for {account.name}")
