"""IAM documents: no wildcard action granted; `Resource: "*"` only for allow-listed actions."""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from estate.iam import RESOURCE_STAR_ACTIONS
from estate.policy.props import as_list, policy_documents, statements


def _no_wildcard_actions(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for key, document in policy_documents(args.resource_type, args.props):
        for statement in statements(document):
            if statement.get("Effect", "Allow") != "Allow":
                continue  # a Deny narrows: `s3:*` there (e.g. TLS-only) takes nothing away
            if "NotAction" in statement:
                report(
                    f"{args.name}.{key}: NotAction grants everything else; list the actions", None
                )
            wild = [a for a in as_list(statement.get("Action")) if "*" in str(a)]
            if wild:
                report(f"{args.name}.{key}: wildcard action(s) {wild}; name each action", None)


def _resource_star_allow_listed(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for key, document in policy_documents(args.resource_type, args.props):
        for statement in statements(document):
            if statement.get("Effect", "Allow") != "Allow" or "*" not in as_list(
                statement.get("Resource")
            ):
                continue
            extra = sorted(
                set(map(str, as_list(statement.get("Action")))) - set(RESOURCE_STAR_ACTIONS)
            )
            if extra:
                report(
                    f'{args.name}.{key}: Resource "*" for {extra}, which take resource ARNs; '
                    'name the resources (only estate.iam.RESOURCE_STAR_ACTIONS may use "*")',
                    None,
                )


NO_WILDCARD_ACTIONS = ResourceValidationPolicy(
    name="no-wildcard-actions",
    description="No IAM statement grants a '*' action or uses NotAction.",
    validate=_no_wildcard_actions,
    enforcement_level=EnforcementLevel.MANDATORY,
)
RESOURCE_STAR_ALLOW_LISTED = ResourceValidationPolicy(
    name="resource-star-allow-listed",
    description="Resource '*' only for actions that have no resource type (estate.iam's list).",
    validate=_resource_star_allow_listed,
    enforcement_level=EnforcementLevel.MANDATORY,
)
