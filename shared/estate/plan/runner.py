"""Run project programs offline under Pulumi mocks and record what they would create."""

from __future__ import annotations

import os
import runpy
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.mocks import set_mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from estate.accounts import Account, Estate
from estate.contracts import CONTRACTS, ProjectContract, contract_for, deploy_order
from estate.plan.mock_cloud import (
    PROVIDER_TYPES,
    MockCloud,
    RecordingMonitor,
    decode_provider_input,
    fake_outputs,
)
from estate.stack import ACCOUNTS_DIR_ENV

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class RecordedResource:
    """One resource a program registered, as `estate plan --json` prints it."""

    type: str
    name: str
    urn: str
    provider: str
    inputs: Mapping[str, Any]
    parent: str
    depends_on: tuple[str, ...]
    protect: bool
    custom: bool

    def as_json(self) -> dict[str, Any]:
        """The resource in the --json layout."""
        return {
            "type": self.type,
            "name": self.name,
            "provider": self.provider,
            "inputs": dict(self.inputs),
            "parent": self.parent,
            "depends_on": list(self.depends_on),
            "protect": self.protect,
        }


@dataclass(frozen=True)
class StackRun:
    """The recorded result of one project program for one account."""

    project: str
    stack: str
    account_id: str
    resources: tuple[RecordedResource, ...]
    outputs: Mapping[str, Any]

    def providers(self) -> dict[str, RecordedResource]:
        """Provider resources by URN."""
        return {r.urn: r for r in self.resources if r.type in PROVIDER_TYPES}

    def provider_input(self, resource: RecordedResource, key: str) -> Any:
        """An input of `resource`'s provider, decoded from its mock encoding."""
        provider = self.providers().get(resource.provider)
        return None if provider is None else decode_provider_input(provider.inputs.get(key))

    def of_type(self, type_token: str) -> list[RecordedResource]:
        """The resources of one Pulumi type."""
        return [r for r in self.resources if r.type == type_token]


class ProgramError(RuntimeError):
    """A program failed under mocks; the message names the stack."""


OutputSource = Callable[[str], Mapping[str, Any]]


def run_stack(
    contract: ProjectContract,
    account: Account,
    estate: Estate,
    *,
    producer_outputs: Mapping[tuple[str, str], Mapping[str, Any]] | None = None,
) -> StackRun:
    """Run `contract`'s program for `account` under mocks; return what it registered."""
    known_outputs = producer_outputs or {}

    def outputs_of(reference: str) -> Mapping[str, Any]:
        _org, project, stack = reference.split("/")
        if (project, stack) in known_outputs:
            return known_outputs[(project, stack)]
        producer = contract_for(project)
        return fake_outputs(
            producer, account_id=estate.account(stack).account_id, region=account.primary_region
        )

    cloud = MockCloud(
        account_id=account.account_id,
        default_region=account.primary_region,
        stack_outputs=outputs_of,
    )
    monitor = RecordingMonitor(cloud)
    program = REPOSITORY_ROOT / contract.directory / "__main__.py"
    pulumi_settings.ROOT.set(None)  # each stack gets a fresh root Stack resource
    set_mocks(
        cloud,
        project=contract.project,
        stack=account.name,
        preview=False,
        monitor=monitor,
        organization=estate.organization.pulumi_org,
    )
    # As pulumi.runtime.test does: a failed earlier run must not leak pending work into this one.
    pulumi_settings.SETTINGS.rpc_manager.clear()
    pulumi_settings.SETTINGS.outputs.clear()
    try:
        with _accounts_dir(estate.directory):
            _sync_await(run_pulumi_func(lambda: _run_program(program)))
            outputs = _resolve_outputs()
    except Exception as error:
        raise ProgramError(
            f"{contract.project}/{account.name}: {type(error).__name__}: {error}"
        ) from error
    resources = tuple(
        RecordedResource(
            type=r.type,
            name=r.name,
            urn=r.urn,
            provider=r.provider.rsplit("::", 1)[0] if r.provider else "",
            inputs=cloud.inputs.get(f"{r.type}::{r.name}", {}),
            parent=r.parent,
            depends_on=r.depends_on,
            protect=r.protect,
            custom=r.custom,
        )
        for r in monitor.registrations
    )
    return StackRun(contract.project, account.name, account.account_id, resources, outputs)


def run_plan(
    estate: Estate,
    *,
    accounts: Sequence[str] | None = None,
    projects: Sequence[str] | None = None,
    contracts: Sequence[ProjectContract] = CONTRACTS,
) -> Iterator[StackRun]:
    """Run every selected project for every selected account, producers first."""
    outputs: dict[tuple[str, str], Mapping[str, Any]] = {}
    for contract in deploy_order(contracts):
        if projects and contract.project not in projects:
            continue
        for account in estate:
            if accounts and account.name not in accounts:
                continue
            run = run_stack(contract, account, estate, producer_outputs=outputs)
            outputs[(run.project, run.stack)] = run.outputs
            yield run


def _run_program(program: Path) -> None:
    """Execute a project's __main__.py the way the Pulumi Python host does."""
    runpy.run_path(str(program), run_name="__main__")


def _resolve_outputs() -> dict[str, Any]:
    root = pulumi_settings.get_root_resource()
    exported: dict[str, Any] = dict(getattr(root, "outputs", {}) or {})
    resolved: dict[str, Any] = {}
    for name, value in exported.items():
        resolved[name] = _sync_await(pulumi.Output.from_input(value).future())
    return resolved


@contextmanager
def _accounts_dir(directory: Path) -> Iterator[None]:
    previous = os.environ.get(ACCOUNTS_DIR_ENV)
    os.environ[ACCOUNTS_DIR_ENV] = str(directory)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ACCOUNTS_DIR_ENV, None)
        else:
            os.environ[ACCOUNTS_DIR_ENV] = previous
