"""A role GitHub Actions assumes: trust, managed policies split to size, and the boundary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from estate.iam import Statement, policy_document, split_into_managed_policies


@dataclass(frozen=True)
class CiRoleArgs:
    """The role's physical name, trust policy, permissions and permission boundary."""

    role_name: str
    policy_names: Sequence[str]
    description: str
    trust_policy: pulumi.Input[str]
    statements: Sequence[Statement]
    boundary_arn: pulumi.Input[str]
    max_session_seconds: int = 3600


class CiRole(pulumi.ComponentResource):
    """One CI role: its managed policies are generated and attached, never hand-written."""

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
        groups = split_into_managed_policies(args.statements)
        if len(groups) > len(args.policy_names):
            raise ValueError(
                f"{name}: its permissions need {len(groups)} managed policies but only "
                f"{len(args.policy_names)} names were given; add policy names"
            )
        for index, (group, policy_name) in enumerate(zip(groups, args.policy_names, strict=False)):
            policy = aws.iam.Policy(
                f"{name}-policy-{index}",
                name=policy_name,
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
