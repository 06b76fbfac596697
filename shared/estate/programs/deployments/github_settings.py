"""GitHub: one environment per account, and the repository-wide delivery settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_github as github

from estate.programs.deployments.settings import DEFAULT_BRANCH, DRIFT_LABEL_COLOR


@dataclass(frozen=True)
class AccountEnvironmentArgs:
    """The environment of one account: its name, reviewers, and the variables jobs read."""

    repository: str  # the repository's name (the provider carries the owner)
    environment: str
    reviewer_team_ids: Sequence[pulumi.Input[int]]
    variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.repository or "/" in self.repository:
            raise ValueError(
                f"AccountEnvironmentArgs.repository {self.repository!r}: give the name alone"
            )
        if not self.environment:
            raise ValueError(
                "AccountEnvironmentArgs.environment is empty; name it like the account"
            )


class AccountEnvironment(pulumi.ComponentResource):
    """A GitHub environment deployable from `main` only, with reviewers where required, and
    the variables the deploy and smoke jobs read (AWS_ACCOUNT_ID, AWS_REGION, DEPLOY_ROLE_ARN)."""

    def __init__(
        self, name: str, args: AccountEnvironmentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("estate:deployments:AccountEnvironment", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        reviewers = (
            [github.RepositoryEnvironmentReviewerArgs(teams=list(args.reviewer_team_ids))]
            if args.reviewer_team_ids
            else None
        )
        self.environment = github.RepositoryEnvironment(
            f"{name}-environment",
            repository=args.repository,
            environment=args.environment,
            reviewers=reviewers,
            prevent_self_review=bool(reviewers),
            can_admins_bypass=False,
            deployment_branch_policy=github.RepositoryEnvironmentDeploymentBranchPolicyArgs(
                custom_branch_policies=True, protected_branches=False
            ),
            opts=child,
        )
        depends = pulumi.ResourceOptions(parent=self, depends_on=[self.environment])
        self.branch_policy = github.RepositoryEnvironmentDeploymentPolicy(
            f"{name}-main-only",
            repository=args.repository,
            environment=args.environment,
            branch_pattern=DEFAULT_BRANCH,
            opts=depends,
        )
        for variable, value in sorted(args.variables.items()):
            github.ActionsEnvironmentVariable(
                f"{name}-{variable.lower().replace('_', '-')}",
                repository=args.repository,
                environment=args.environment,
                variable_name=variable,
                value=value,
                opts=depends,
            )
        self.register_outputs({"environment": self.environment.environment})


@dataclass(frozen=True)
class RepositoryDeliveryArgs:
    """Repository-wide: the OIDC subject template, repository variables, the drift label."""

    repository: str  # the name alone
    subject_claim_keys: Sequence[str]
    variables: Mapping[str, str]
    drift_label: str

    def __post_init__(self) -> None:
        if not self.subject_claim_keys or "repo" not in self.subject_claim_keys:
            raise ValueError(
                "RepositoryDeliveryArgs.subject_claim_keys must include 'repo' (or any repository could match)"
            )


class RepositoryDelivery(pulumi.ComponentResource):
    """The repository's OIDC subject template (so a deploy token names its workflow), the
    repository variables every workflow reads, and the label of drift issues."""

    def __init__(
        self, name: str, args: RepositoryDeliveryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("estate:deployments:RepositoryDelivery", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.subject_template = github.ActionsRepositoryOidcSubjectClaimCustomizationTemplate(
            f"{name}-oidc-subject",
            repository=args.repository,
            use_default=False,
            include_claim_keys=list(args.subject_claim_keys),
            opts=child,
        )
        for variable, value in sorted(args.variables.items()):
            github.ActionsVariable(
                f"{name}-{variable.lower().replace('_', '-')}",
                repository=args.repository,
                variable_name=variable,
                value=value,
                opts=child,
            )
        github.IssueLabel(
            f"{name}-drift-label",
            repository=args.repository,
            name=args.drift_label,
            color=DRIFT_LABEL_COLOR,
            description="a stack differs from its code (drift workflow)",
            opts=child,
        )
        self.register_outputs({"subject_template": self.subject_template.id})
