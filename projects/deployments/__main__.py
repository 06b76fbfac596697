"""estate-deployments: the delivery settings of every stack of one account (wiring only).

The root Pulumi.yaml names this folder as its program (`main:`). One stack per account:
its GitHub environment, the Pulumi Deployments settings and drift schedule of every other
project's stack in that account; the last account of the promotion (the most guarded)
also holds the repository-wide settings.
"""

from __future__ import annotations

import pulumi
import pulumi_github as github
import pulumi_pulumiservice as pulumiservice

from estate.changed import work_dir
from estate.contracts import contract_for, export_outputs, read_outputs
from estate.delivery import (
    SUBJECT_CLAIM_KEYS,
    delivered_contracts,
    environment_name,
    preview_role_arn,
)
from estate.gitops.drift_issue import LABEL as DRIFT_LABEL
from estate.plan.runner import REPOSITORY_ROOT
from estate.programs.deployments.github_settings import (
    AccountEnvironment,
    AccountEnvironmentArgs,
    RepositoryDelivery,
    RepositoryDeliveryArgs,
)
from estate.programs.deployments.settings import REVIEWER_TEAM_SLUG, needs_review
from estate.programs.deployments.stack_settings import StackDelivery, StackDeliveryArgs
from estate.stack import current_stack

stack = current_stack()
account = stack.account
organization = stack.estate.organization
owner, repository = organization.github_repository.split("/")

# Explicit providers: GitHub pinned to the repository's owner; Pulumi Cloud with the
# administrator's token from the environment (README "Deploying for real").
github_provider = github.Provider("github", owner=owner)
pulumi_cloud = pulumiservice.Provider("pulumi-cloud")
on_github = pulumi.ResourceOptions(provider=github_provider)
on_pulumi_cloud = pulumi.ResourceOptions(provider=pulumi_cloud)

org_iam = read_outputs(
    stack.contract,
    contract_for("org-iam"),
    organization=organization.pulumi_org,
    stack=account.name,
)
deploy_role_arn = org_iam["deploy_role_arn"].apply(str)

reviewer_team_ids: list[pulumi.Input[int]] = []
if needs_review(account):
    team = github.get_team_output(
        slug=REVIEWER_TEAM_SLUG, opts=pulumi.InvokeOptions(provider=github_provider)
    )
    reviewer_team_ids.append(team.id.apply(int))

AccountEnvironment(
    account.name,
    AccountEnvironmentArgs(
        repository=repository,
        environment=environment_name(account.name),
        reviewer_team_ids=reviewer_team_ids,
        variables={
            "AWS_ACCOUNT_ID": account.account_id,
            "AWS_REGION": account.primary_region,
            "DEPLOY_ROLE_ARN": deploy_role_arn,
        },
    ),
    opts=on_github,
)

# Every other project (a stack never defines its own deployment settings); org-iam's preview
# role trusts exactly these stacks' drift detection (estate.delivery.deployments_operations).
for contract in delivered_contracts():
    StackDelivery(
        f"{contract.project}-{account.name}",
        StackDeliveryArgs(
            organization=organization.pulumi_org,
            project=contract.project,
            stack=account.name,
            repository=organization.github_repository,
            work_dir=work_dir(contract, REPOSITORY_ROOT),
            role_arn=preview_role_arn(account),
            region=account.primary_region,
        ),
        opts=on_pulumi_cloud,
    )

if account.name == organization.promotion[-1]:
    RepositoryDelivery(
        "repository",
        RepositoryDeliveryArgs(
            repository=repository,
            subject_claim_keys=SUBJECT_CLAIM_KEYS,
            variables={"PULUMI_ORG": organization.pulumi_org},
            drift_label=DRIFT_LABEL,
        ),
        opts=on_github,
    )

export_outputs(stack.contract, {})
