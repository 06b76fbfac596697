"""Pulumi Deployments settings and drift schedule of one project x account stack."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_pulumiservice as pulumiservice

from estate.programs.deployments.settings import (
    DEFAULT_BRANCH,
    DRIFT_CRON,
    PRE_RUN_COMMANDS,
    repo_url,
)


@dataclass(frozen=True)
class StackDeliveryArgs:
    """Which stack, where its code lives, and the (read-only) role its operations assume."""

    organization: str
    project: str
    stack: str
    repository: str  # owner/name
    work_dir: str  # the folder holding the project's Pulumi.yaml
    role_arn: pulumi.Input[str]  # the account's preview role: drift detection only reads
    region: str

    def __post_init__(self) -> None:
        for field_name in ("organization", "project", "stack", "repository", "work_dir", "region"):
            if not getattr(self, field_name):
                raise ValueError(
                    f"StackDeliveryArgs.{field_name} is empty; give the stack's {field_name}"
                )
        if self.work_dir.startswith("/") or ".." in self.work_dir.split("/"):
            raise ValueError(
                f"StackDeliveryArgs.work_dir {self.work_dir!r} must be relative to the repository root"
            )


class StackDelivery(pulumi.ComponentResource):
    """DeploymentSettings (git source on main, the project's folder, AWS OIDC into the
    account's preview role, install from the lock) and a drift schedule that never remediates."""

    def __init__(
        self, name: str, args: StackDeliveryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("estate:deployments:StackDelivery", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.settings = pulumiservice.DeploymentSettings(
            f"{name}-settings",
            organization=args.organization,
            project=args.project,
            stack=args.stack,
            source_context=pulumiservice.DeploymentSettingsSourceContextArgs(
                git=pulumiservice.DeploymentSettingsGitSourceArgs(
                    repo_url=repo_url(args.repository),
                    branch=DEFAULT_BRANCH,
                    repo_dir=args.work_dir,
                )
            ),
            github=pulumiservice.DeploymentSettingsGithubArgs(
                repository=args.repository,
                # GitHub Actions deploys and previews (README): never here, or twice; no
                # review stacks (they would run a pull request's code with write access).
                deploy_commits=False,
                preview_pull_requests=False,
                pull_request_template=False,
            ),
            operation_context=pulumiservice.DeploymentSettingsOperationContextArgs(
                pre_run_commands=list(PRE_RUN_COMMANDS),
                environment_variables={"AWS_REGION": args.region},
                options=pulumiservice.OperationContextOptionsArgs(skip_install_dependencies=True),
                oidc=pulumiservice.OperationContextOIDCArgs(
                    aws=pulumiservice.AWSOIDCConfigurationArgs(
                        role_arn=args.role_arn,
                        session_name=f"estate-deployments-{args.project}-{args.stack}",
                    )
                ),
            ),
            opts=child,
        )
        self.drift = pulumiservice.DriftSchedule(
            f"{name}-drift",
            organization=args.organization,
            project=args.project,
            stack=args.stack,
            schedule_cron=DRIFT_CRON,
            auto_remediate=False,  # remediation would be a deploy outside the reviewed path
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.settings]),
        )
        self.register_outputs({"settings": self.settings.id, "drift": self.drift.id})
