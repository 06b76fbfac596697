"""Every rule of the pack, in one list."""

from __future__ import annotations

from pulumi_policy import Policy

from estate.accounts import Estate
from estate.policy.iam_rules import NO_WILDCARD_ACTIONS, RESOURCE_STAR_ALLOW_LISTED
from estate.policy.lambda_rules import (
    LAMBDA_EXPLICIT_LOG_GROUP,
    LAMBDA_FAILURE_DESTINATION,
    LAMBDA_MEMORY_LIMIT,
)
from estate.policy.stack_rules import PROVIDER_PINNED, STATEFUL_PROTECTED, required_tags_policy
from estate.policy.storage_rules import (
    BUCKET_ENCRYPTED,
    BUCKET_PUBLIC_ACCESS_BLOCKED,
    BUCKET_TLS_ONLY,
    BUCKET_VERSIONED,
    DYNAMODB_ON_DEMAND_PITR,
)
from estate.tags import ACCOUNT_TAG, PROJECT_TAG, STAGE_TAG

PACK_NAME = "estate"


def build_policies(estate: Estate) -> list[Policy]:
    """The pack's rules; the required tags come from the estate's organisation file."""
    required = (*sorted(estate.organization.tags), ACCOUNT_TAG, STAGE_TAG, PROJECT_TAG)
    return [
        NO_WILDCARD_ACTIONS,
        RESOURCE_STAR_ALLOW_LISTED,
        LAMBDA_EXPLICIT_LOG_GROUP,
        LAMBDA_FAILURE_DESTINATION,
        LAMBDA_MEMORY_LIMIT,
        BUCKET_ENCRYPTED,
        BUCKET_VERSIONED,
        BUCKET_PUBLIC_ACCESS_BLOCKED,
        BUCKET_TLS_ONLY,
        DYNAMODB_ON_DEMAND_PITR,
        required_tags_policy(required),
        STATEFUL_PROTECTED,
        PROVIDER_PINNED,
    ]
