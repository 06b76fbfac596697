"""Reading resource properties as CrossGuard hands them over: camelCase, JSON strings for
policy documents, provider inputs sometimes JSON-encoded."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyProviderResource

# Resource inputs that hold an IAM policy document, by resource type ("*" = any type).
POLICY_DOCUMENT_INPUTS: Mapping[str, tuple[str, ...]] = {
    "*": ("policy", "assumeRolePolicy"),
    "aws-native:iam:Role": ("assumeRolePolicyDocument",),
    "aws-native:s3:BucketPolicy": ("policyDocument",),
}
EXEMPT_TAG_PREFIX = "estate:policy-exempt:"


def decoded(value: Any) -> Any:
    """A JSON-encoded object or list decoded; anything else as it is."""
    if isinstance(value, str) and value.lstrip()[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def policy_documents(
    resource_type: str, props: Mapping[str, Any]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(input name, document) of every IAM policy document among the resource's inputs."""
    keys = POLICY_DOCUMENT_INPUTS["*"] + POLICY_DOCUMENT_INPUTS.get(resource_type, ())
    for key in keys:
        document = decoded(props.get(key))
        if isinstance(document, dict) and "Statement" in document:
            yield key, document
    for inline in props.get("inlinePolicies") or []:
        document = decoded(inline.get("policy")) if isinstance(inline, dict) else None
        if isinstance(document, dict) and "Statement" in document:
            yield "inlinePolicies", document


def statements(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The document's statements as a list (IAM allows a single object too)."""
    found = document.get("Statement", [])
    return [found] if isinstance(found, dict) else list(found)


def as_list(value: Any) -> list[Any]:
    """A policy element that may be one string or a list, as a list."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def effective_tags(
    props: Mapping[str, Any], provider: PolicyProviderResource | None
) -> dict[str, str]:
    """The resource's own tags over its provider's default tags."""
    defaults = decoded((provider.props if provider else {}).get("defaultTags")) or {}
    tags = dict(defaults.get("tags") or {}) if isinstance(defaults, dict) else {}
    own = props.get("tags") or {}
    if isinstance(own, list):  # aws-native: [{key, value}]
        own = {item.get("key"): item.get("value") for item in own if isinstance(item, dict)}
    tags.update(own)
    return tags


def exemption(props: Mapping[str, Any], rule: str) -> str | None:
    """The reason given in the resource's `estate:policy-exempt:<rule>` tag, if any. An
    exemption is a reviewed decision written next to the resource, never a silent skip:
    the tag's value must say why."""
    own = props.get("tags") or {}
    if isinstance(own, list):
        own = {item.get("key"): item.get("value") for item in own if isinstance(item, dict)}
    reason = own.get(f"{EXEMPT_TAG_PREFIX}{rule}")
    return reason.strip() or None if isinstance(reason, str) else None
