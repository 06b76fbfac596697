"""org-iam: the account's GitHub and Pulumi Cloud OIDC providers, CI and scanner roles,
both boundaries and the deploy role's guard rails (wiring only)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from estate.contracts import export_outputs
from estate.delivery import (
    DEPLOY_ROLE_PURPOSE,
    PREVIEW_ROLE_PURPOSE,
    deploy_subject_spec,
    deployments_operations,
    preview_role_subject_specs,
)
from estate.iam import (
    github_oidc_trust,
    github_oidc_trust_statement,
    policy_document,
    pulumi_deployments_trust_statement,
    roles_of_account_trust,
    trust_policy_document,
)
from estate.naming import ResourceKind
from estate.programs.org_iam.ci_role import CiRole, CiRoleArgs
from estate.programs.org_iam.github_oidc import GitHubOidc, GitHubOidcArgs
from estate.programs.org_iam.policies import (
    Scope,
    boundary_statements,
    deploy_statements,
    guard_rail_statements,
    preview_statements,
    scanner_statements,
)
from estate.programs.org_iam.pulumi_oidc import PulumiOidc, PulumiOidcArgs
from estate.programs.org_iam.workload import workload_boundary_statements
from estate.providers import make_providers
from estate.scanning import SCANNER_ROLE_PURPOSE, access_to, accesses_from, scanner_actions
from estate.stack import WORKLOAD_BOUNDARY_PURPOSE, current_stack

stack = current_stack()
account = stack.account
organization = stack.estate.organization
names = stack.names
providers = make_providers(account, organization, stack.contract.project)
scope = Scope(
    account=account.name,
    account_id=account.account_id,
    regions=account.regions,
    prefix=names.account_prefix,
    own_prefix=names.project_prefix,
    workload_boundary_arn=stack.workload_boundary_arn,
)

oidc = GitHubOidc("github", GitHubOidcArgs(), opts=providers.opts())
pulumi_oidc = PulumiOidc(
    "pulumi-cloud", PulumiOidcArgs(organization=organization.pulumi_org), opts=providers.opts()
)

boundary_name = names.name(ResourceKind.IAM_PERMISSION_BOUNDARY, "boundary")
boundary = aws.iam.Policy(
    "permission-boundary",
    name=boundary_name,
    description="The most the scanner role may do in this account, and org-iam's guard rails",
    policy=policy_document(
        boundary_statements(
            scope, boundary_policy_name=boundary_name, scanner_actions=sorted(scanner_actions())
        )
    ),
    opts=providers.opts(),
)

workload_boundary = aws.iam.Policy(
    "workload-boundary",
    name=names.name(ResourceKind.IAM_PERMISSION_BOUNDARY, WORKLOAD_BOUNDARY_PURPOSE),
    description="The most any role the deploy role creates may do: no IAM at all",
    policy=policy_document(
        workload_boundary_statements(
            account=account.name,
            account_id=account.account_id,
            prefix=names.account_prefix,
            regions=account.regions,
            scanner_role_arns=[
                access.scanner_role_arn for access in accesses_from(stack.estate, account.name)
            ],
        )
    ),
    opts=providers.opts(),
)

preview = CiRole(
    "preview",
    CiRoleArgs(
        names=names,
        purpose=PREVIEW_ROLE_PURPOSE,
        description="Read-only: pull-request previews and drift checks of the estate",
        # GitHub: preview.yml for pull requests, drift.yml on main. Pulumi Deployments: its
        # drift detection of every delivered stack of the account (estate.delivery).
        trust_policy=trust_policy_document(
            github_oidc_trust_statement(
                provider_arn=oidc.arn,
                repository=organization.github_repository,
                subjects=preview_role_subject_specs(),
            ),
            pulumi_deployments_trust_statement(
                provider_arn=pulumi_oidc.arn,
                organization=organization.pulumi_org,
                operations=deployments_operations(account.name),
            ),
        ),
        statements=preview_statements(scope),
        # No boundary (every type's reads do not fit one policy): reads only, and the guard
        # rails as its own deny policy, like the deploy role's.
        boundary_arn=None,
        guard_rails=guard_rail_statements(scope, boundary_policy_name=boundary_name),
    ),
    opts=providers.opts(),
)

deploy = CiRole(
    "deploy",
    CiRoleArgs(
        names=names,
        purpose=DEPLOY_ROLE_PURPOSE,
        description=f"Deploys the estate from main through the {account.name} environment",
        trust_policy=github_oidc_trust(
            provider_arn=oidc.arn,
            repository=organization.github_repository,
            subjects=[deploy_subject_spec(account.name)],
        ),
        statements=deploy_statements(scope),
        # No boundary: one managed policy cannot hold every type's actions (docs/security.md).
        # Its own deny policy keeps it off org-iam; the roles it creates carry the workload
        # boundary.
        boundary_arn=None,
        guard_rails=guard_rail_statements(scope, boundary_policy_name=boundary_name),
    ),
    opts=providers.opts(),
)

scan = access_to(stack.estate, account.name)
scanner = CiRole(
    "scanner",
    CiRoleArgs(
        names=names,
        purpose=SCANNER_ROLE_PURPOSE,
        description=f"Read-only: the scanner fleet of {scan.hub.name} reads this account",
        trust_policy=roles_of_account_trust(
            scan.hub.account_id, scan.trusted_role_arns, scan.external_id
        ),
        statements=scanner_statements(
            sorted(scanner_actions()), account_id=account.account_id, regions=account.regions
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
