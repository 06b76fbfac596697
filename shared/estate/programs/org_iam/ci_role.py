"""A role of org-iam: its trust, managed policies split to size, and its boundary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from estate.iam import Statement, policy_document, split_into_managed_policies
from estate.naming import ProjectNames, ResourceKind

# IAM's MaxSessionDuration range for a role.
SESSION_SECONDS = (3600, 43200)


@dataclass(frozen=True)
class CiRoleArgs:
    """The role's names, trust policy, permissions and permission boundary.

    The role is named ``names.name(IAM_ROLE, purpose)``; its managed policies
    ``names.name(IAM_POLICY, f"{purpose}-{i}")``, as many as splitting the statements needs.
    Checked when built: a wrong argument fails with one line naming it.
    """

    names: ProjectNames
    purpose: str
    description: str
    trust_policy: pulumi.Input[str]
    statements: Sequence[Statement]
    boundary_arn: pulumi.Input[str]
    max_session_seconds: int = 3600

    def __post_init__(self) -> None:
        if not isinstance(self.names, ProjectNames):
            raise TypeError(
                f"CiRoleArgs.names: {self.names!r} is no ProjectNames; pass stack.names"
            )
        self.names.name(ResourceKind.IAM_ROLE, self.purpose)  # NamingError names the purpose
        if (
            not self.description
            or len(self.description) > 1000
            or not self.description.isprintable()
        ):
            raise ValueError(
                f"CiRoleArgs.description {self.description!r}: give 1-1000 printable characters"
            )
        if isinstance(self.statements, Statement) or not self.statements:
            raise ValueError(f"CiRoleArgs.statements for {self.purpose!r}: give a non-empty list")
        for statement in self.statements:
            if not isinstance(statement, Statement):
                raise TypeError(f"CiRoleArgs.statements: {statement!r} is no estate.iam.Statement")
        low, high = SESSION_SECONDS
        if not low <= self.max_session_seconds <= high:
            raise ValueError(
                f"CiRoleArgs.max_session_seconds {self.max_session_seconds}: IAM takes {low}-{high}"
            )

    @property
    def role_name(self) -> str:
        """The role's physical name."""
        return self.names.name(ResourceKind.IAM_ROLE, self.purpose)

    def policy_name(self, index: int) -> str:
        """The physical name of managed policy ``index`` of the role."""
        return self.names.name(ResourceKind.IAM_POLICY, f"{self.purpose}-{index}")


class CiRole(pulumi.ComponentResource):
    """One org-iam role: its managed policies are generated and attached, never hand-written."""

    arn: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self, name: str, args: CiRoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("estate:org-iam:CiRole", name, None, opts)
        role = aws.iam.Role(
            f"{name}-role",
            name=args.role_name,
            description=args.description,
            assume_role_policy=args.trust_policy,
            permissions_boundary=args.boundary_arn,
            max_session_duration=args.max_session_seconds,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # As many managed policies as the statements need: the split decides, not the caller.
        groups = split_into_managed_policies(args.statements)
        for index, group in enumerate(groups):
            policy = aws.iam.Policy(
                f"{name}-policy-{index}",
                name=args.policy_name(index),
                description=f"{args.description} ({index + 1}/{len(groups)})",
                policy=policy_document(group),
                opts=pulumi.ResourceOptions(parent=self),
            )
            aws.iam.RolePolicyAttachment(
                f"{name}-attachment-{index}",
                role=role.name,
                policy_arn=policy.arn,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.arn = role.arn
        self.name = role.name
        self.register_outputs({"arn": self.arn, "name": self.name})
