"""A role of org-iam: its trust, managed policies split to size, and its boundary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from estate.iam import Effect, Statement, policy_document, split_into_managed_policies
from estate.iam.limits import MANAGED_POLICIES_PER_ROLE
from estate.naming import ProjectNames, ResourceKind

# IAM's MaxSessionDuration range for a role.
SESSION_SECONDS = (3600, 43200)


@dataclass(frozen=True)
class CiRoleArgs:
    """The role's names, trust policy, permissions, and its boundary or guard rails.

    The role is named ``names.name(IAM_ROLE, purpose)``; its managed policies
    ``names.name(IAM_POLICY, f"{purpose}-{i}")``, as many as splitting the statements needs,
    and ``f"{purpose}-guards"`` holding ``guard_rails`` (Deny statements). A role without a
    boundary must carry guard rails: they are then what keeps it off org-iam.
    Checked when built: a wrong argument fails with one line naming it.
    """

    names: ProjectNames
    purpose: str
    description: str
    trust_policy: pulumi.Input[str]
    statements: Sequence[Statement]
    boundary_arn: pulumi.Input[str] | None
    guard_rails: Sequence[Statement] = ()
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
        if isinstance(self.guard_rails, Statement) or any(
            not isinstance(s, Statement) or s.effect is not Effect.DENY for s in self.guard_rails
        ):
            raise ValueError(
                f"CiRoleArgs.guard_rails for {self.purpose!r}: give a list of Deny statements"
            )
        if self.boundary_arn is None and not self.guard_rails:
            raise ValueError(
                f"CiRoleArgs.boundary_arn for {self.purpose!r}: a role without a boundary "
                "needs guard_rails (org-iam's denies); give one or the other"
            )
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

    @property
    def guards_name(self) -> str:
        """The physical name of the managed policy holding the guard rails."""
        return self.names.name(ResourceKind.IAM_POLICY, f"{self.purpose}-guards")


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
        attached = len(groups) + (1 if args.guard_rails else 0)
        if attached > MANAGED_POLICIES_PER_ROLE:
            raise ValueError(
                f"role {args.purpose!r}: {attached} managed policies, over IAM's "
                f"{MANAGED_POLICIES_PER_ROLE} per role; grant fewer types or split the role"
            )
        documents = [
            (f"{name}-policy-{index}", args.policy_name(index), group, f"{index + 1}/{len(groups)}")
            for index, group in enumerate(groups)
        ]
        if args.guard_rails:
            documents.append(
                (f"{name}-guards", args.guards_name, tuple(args.guard_rails), "guard rails")
            )
        for logical, physical, statements, part in documents:
            policy = aws.iam.Policy(
                logical,
                name=physical,
                description=f"{args.description} ({part})",
                policy=policy_document(statements),
                opts=pulumi.ResourceOptions(parent=self),
            )
            aws.iam.RolePolicyAttachment(
                logical.replace("-policy-", "-attachment-").replace(
                    "-guards", "-guards-attachment"
                ),
                role=role.name,
                policy_arn=policy.arn,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.arn = role.arn
        self.name = role.name
        self.register_outputs({"arn": self.arn, "name": self.name})
