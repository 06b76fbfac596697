"""The pack over a stack recorded by `estate plan`: the same rules, fed the mocked resources
as the Pulumi engine would feed them during a preview."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from estate.accounts import Estate
from estate.plan.runner import RecordedResource, StackRun
from estate.policy.registry import build_policies


@dataclass(frozen=True)
class PolicyViolation:
    """One rule broken by one resource (or by the stack) of one stack."""

    policy: str
    project: str
    stack: str
    message: str

    def __str__(self) -> str:
        return f"{self.project}/{self.stack}: [{self.policy}] {self.message}"


def _options(resource: RecordedResource) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=resource.protect,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=resource.parent or None,
    )


def _provider(run: StackRun, resource: RecordedResource) -> PolicyProviderResource | None:
    if not resource.provider:
        return None
    provider = next((r for r in run.resources if r.urn == resource.provider), None)
    if provider is None:  # a default provider: the engine made it, the program did not
        name = resource.provider.rsplit("::", 1)[-1]
        return PolicyProviderResource("pulumi:providers:unknown", {}, resource.provider, name)
    return PolicyProviderResource(provider.type, dict(provider.inputs), provider.urn, provider.name)


def _is_governed(resource: RecordedResource) -> bool:
    """Resources the engine would show a resource policy: custom, not providers or reads."""
    return resource.custom and not resource.type.startswith("pulumi:")


def evaluate_stack(
    run: StackRun, estate: Estate, policies: list[Policy] | None = None
) -> list[PolicyViolation]:
    """Every violation of the pack's rules in `run`."""
    violations: list[PolicyViolation] = []

    def reporter(policy: Policy) -> Any:
        def report(message: str, urn: str | None = None) -> None:
            del urn
            violations.append(PolicyViolation(policy.name, run.project, run.stack, message))

        return report

    governed = [r for r in run.resources if _is_governed(r)]
    policy_resources = [
        PolicyResource(
            r.type, dict(r.inputs), r.urn, r.name, _options(r), _provider(run, r), None, [], {}
        )
        for r in governed
    ]
    for policy in policies if policies is not None else build_policies(estate):
        if isinstance(policy, ResourceValidationPolicy):
            for resource in governed:
                args = ResourceValidationArgs(
                    resource.type,
                    dict(resource.inputs),
                    resource.urn,
                    resource.name,
                    _options(resource),
                    _provider(run, resource),
                )
                _settle(policy.validate(args, reporter(policy)))
        elif isinstance(policy, StackValidationPolicy):
            _settle(policy.validate(StackValidationArgs(policy_resources), reporter(policy)))
    return violations


def _settle(result: Awaitable[Any] | None) -> None:
    """Our rules are synchronous; an awaitable would mean a rule the harness cannot run."""
    if result is not None:
        raise TypeError("estate policies must validate synchronously")
