"""The house rules every recorded stack must keep: explicit pinned providers, tags, clean IAM."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from estate.accounts import Estate
from estate.iam import lint_policy
from estate.plan.mock_cloud import PROVIDER_TYPES, decode_provider_input
from estate.plan.runner import RecordedResource, StackRun
from estate.policy.evaluate import evaluate_stack
from estate.policy.stack_rules import UNTAGGABLE_TYPES, is_aws
from estate.providers import stack_tags

# Inputs of pulumi-aws resources that hold IAM policy documents (JSON strings).
POLICY_INPUTS = ("policy", "assumeRolePolicy")
KEY_POLICY_TYPES = frozenset({"aws:kms/keyPolicy:KeyPolicy", "aws:kms/key:Key"})


def is_cloud_resource(resource: RecordedResource) -> bool:
    """True for resources the AWS providers manage (not components, providers, references,
    nor the GitHub and Pulumi Cloud resources of the root project, which have their own
    providers and no account to pin)."""
    return (
        resource.custom
        and resource.type not in PROVIDER_TYPES
        and not resource.type.startswith("pulumi:")
        and is_aws(resource.type)
    )


def provider_problems(run: StackRun, account_regions: tuple[str, ...]) -> Iterator[str]:
    """Resources without an explicit provider pinned to the stack's account and a listed region."""
    providers = run.providers()
    for urn, provider in providers.items():
        allowed = decode_provider_input(provider.inputs.get("allowedAccountIds"))
        if allowed != [run.account_id]:
            yield f"{run.project}/{run.stack}: provider {provider.name} allows accounts {allowed}, not [{run.account_id}]"
        region = provider.inputs.get("region")
        if region not in account_regions:
            yield f"{run.project}/{run.stack}: provider {urn} has region {region!r}, not one of {account_regions}"
    for resource in run.resources:
        if not is_cloud_resource(resource):
            continue
        if resource.provider not in providers:
            yield f"{run.project}/{run.stack}: {resource.type} {resource.name} uses a default provider; pass estate.providers"


def tag_problems(run: StackRun, required: dict[str, str]) -> Iterator[str]:
    """Taggable resources whose provider does not apply the org, account and project tags."""
    for resource in run.resources:
        if not is_cloud_resource(resource) or resource.type in UNTAGGABLE_TYPES:
            continue
        default_tags = run.provider_input(resource, "defaultTags") or {}
        tags = {**(default_tags.get("tags") or {}), **(resource.inputs.get("tags") or {})}
        missing = {k: v for k, v in required.items() if tags.get(k) != v}
        if missing:
            yield f"{run.project}/{run.stack}: {resource.type} {resource.name} lacks tags {missing}"


def policy_documents(run: StackRun) -> Iterator[tuple[RecordedResource, str, dict[str, Any]]]:
    """Every IAM policy document in the stack's resource inputs."""
    for resource in run.resources:
        for key in POLICY_INPUTS:
            value = resource.inputs.get(key)
            if isinstance(value, str) and value.lstrip().startswith("{"):
                yield resource, key, json.loads(value)


def wildcard_action_problems(run: StackRun) -> Iterator[str]:
    """Allow statements whose actions contain `*` or that use NotAction (a Deny of `s3:*`,
    as a TLS-only bucket policy writes, only takes away)."""
    for resource, key, document in policy_documents(run):
        for statement in document.get("Statement", []):
            if statement.get("Effect", "Allow") != "Allow":
                continue
            actions = statement.get("Action", [])
            actions = [actions] if isinstance(actions, str) else actions
            if "NotAction" in statement or any("*" in action for action in actions):
                yield f"{run.project}/{run.stack}: {resource.name}.{key} has a wildcard action or NotAction"


def lint_problems(run: StackRun) -> Iterator[str]:
    """Policies parliament objects to: unknown actions, ARN mismatches, needless `*` resources."""
    for resource, key, document in policy_documents(run):
        key_policy = resource.type in KEY_POLICY_TYPES
        for finding in lint_policy(json.dumps(document), key_policy=key_policy):
            yield f"{run.project}/{run.stack}: {resource.name}.{key}: {finding}"


def check_stack(run: StackRun, estate: Estate) -> list[str]:
    """Every house-rule and policy-pack violation of one recorded stack (empty when it keeps
    them all)."""
    account = estate.account(run.stack)
    required = stack_tags(account, estate.organization, run.project)
    return [
        *provider_problems(run, account.regions),
        *tag_problems(run, required),
        *wildcard_action_problems(run),
        *lint_problems(run),
        *(str(violation) for violation in evaluate_stack(run, estate)),
    ]
