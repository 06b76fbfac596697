"""Every IAM policy of the platform: identity policies, trust policies, their limits and lint.

Policies are built from the real actions a component needs and the ARNs (Outputs) of
the resources it touches. Wildcard actions, ``NotAction``/``NotResource`` and
``Resource: "*"`` outside ``RESOURCE_STAR_ACTIONS`` cannot be written.
"""

from estate.iam.catalogue import (
    ActionInfo,
    ResourceType,
    action_catalogue,
    action_exists,
    actions_on,
)
from estate.iam.conditions import Condition, ConditionOperator
from estate.iam.document import policy_document, policy_json
from estate.iam.errors import PolicyError
from estate.iam.github_oidc import (
    Branch,
    Environment,
    GitHubSubject,
    PullRequests,
    WorkflowJobs,
    github_oidc_trust,
    github_oidc_trust_statement,
    github_subject_claims,
)
from estate.iam.limits import (
    INLINE_POLICIES_MAX_CHARS,
    MANAGED_POLICY_MAX_CHARS,
    TRUST_POLICY_MAX_CHARS,
    ensure_inline_policies_within,
    policy_size,
)
from estate.iam.lint import lint_policy
from estate.iam.pulumi_oidc import (
    PULUMI_OIDC_HOST,
    PULUMI_OIDC_URL,
    DeploymentOperation,
    pulumi_deployments_trust_statement,
    pulumi_subject_claims,
)
from estate.iam.resource_star import RESOURCE_STAR_ACTIONS
from estate.iam.splitting import split_into_managed_policies
from estate.iam.statements import Effect, Statement
from estate.iam.trust import (
    PrincipalKind,
    TrustStatement,
    role_trust,
    role_trust_statement,
    roles_of_account_trust,
    roles_of_account_trust_statement,
    service_trust,
    service_trust_statement,
    trust_policy_document,
    trust_policy_json,
)
from estate.iam.trust_rules import trust_policy_problems

__all__ = [
    "INLINE_POLICIES_MAX_CHARS",
    "MANAGED_POLICY_MAX_CHARS",
    "PULUMI_OIDC_HOST",
    "PULUMI_OIDC_URL",
    "RESOURCE_STAR_ACTIONS",
    "TRUST_POLICY_MAX_CHARS",
    "ActionInfo",
    "Branch",
    "Condition",
    "ConditionOperator",
    "DeploymentOperation",
    "Effect",
    "Environment",
    "GitHubSubject",
    "PolicyError",
    "PrincipalKind",
    "PullRequests",
    "ResourceType",
    "Statement",
    "TrustStatement",
    "WorkflowJobs",
    "action_catalogue",
    "action_exists",
    "actions_on",
    "ensure_inline_policies_within",
    "github_oidc_trust",
    "github_oidc_trust_statement",
    "github_subject_claims",
    "lint_policy",
    "policy_document",
    "policy_json",
    "policy_size",
    "pulumi_deployments_trust_statement",
    "pulumi_subject_claims",
    "role_trust",
    "role_trust_statement",
    "roles_of_account_trust",
    "roles_of_account_trust_statement",
    "service_trust",
    "service_trust_statement",
    "split_into_managed_policies",
    "trust_policy_document",
    "trust_policy_json",
    "trust_policy_problems",
]
