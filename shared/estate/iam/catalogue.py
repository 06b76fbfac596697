"""The catalogue of real IAM actions and their resource types, read from parliament's data.

parliament ships ``iam_definition.json``, generated from AWS's Service Authorization
Reference. The file is located without importing parliament (its ``__init__`` needs
``pkg_resources``, which this environment lacks) and parsed once, on first use (~0.2 s).
"""

from __future__ import annotations

import functools
import importlib.util
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_DEFINITION_FILE = "iam_definition.json"


@dataclass(frozen=True)
class ResourceType:
    """A resource type an action can be scoped to, e.g. S3's ``object``."""

    name: str
    arn_format: str  # e.g. "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    required: bool  # AWS marks it with "*": a statement must name one to grant the action


@dataclass(frozen=True)
class ActionInfo:
    """One IAM action as AWS documents it."""

    action: str  # canonical spelling, e.g. "s3:GetObject"
    access_level: str  # "Read", "Write", "List", "Tagging" or "Permissions management"
    resource_types: tuple[ResourceType, ...]

    @property
    def supports_resource_level_permissions(self) -> bool:
        """False when AWS only accepts ``Resource: "*"`` for this action."""
        return bool(self.resource_types)


class ActionCatalogue:
    """Every documented IAM action, looked up by exact or case-insensitive name."""

    def __init__(self, services: Iterable[Mapping[str, Any]]) -> None:
        self._actions: dict[str, ActionInfo] = {}
        for service in services:
            for info in _service_actions(service):
                known = self._actions.get(info.action)
                # A few prefixes (iam, apigateway, ses, …) are documented by two services:
                # an action's resource types are the union of both entries.
                self._actions[info.action] = _merged(known, info) if known else info
        self._canonical = {name.lower(): name for name in self._actions}

    def info(self, action: str) -> ActionInfo | None:
        """The documented action spelled exactly so, or None."""
        return self._actions.get(action)

    def canonical(self, action: str) -> str | None:
        """The documented spelling of an action (IAM compares names case-insensitively)."""
        return self._canonical.get(action.lower())

    def actions(self) -> tuple[str, ...]:
        """Every documented action, sorted."""
        return tuple(sorted(self._actions))


def _service_actions(service: Mapping[str, Any]) -> Iterable[ActionInfo]:
    arn_formats = {resource["resource"]: resource["arn"] for resource in service["resources"]}
    for privilege in service["privileges"]:
        resource_types = tuple(
            ResourceType(
                name=entry["resource_type"].rstrip("*"),
                arn_format=arn_formats[entry["resource_type"].rstrip("*")],
                required=entry["resource_type"].endswith("*"),
            )
            # An empty resource type only carries condition keys: it names no resource.
            for entry in privilege["resource_types"]
            if entry["resource_type"]
        )
        yield ActionInfo(
            action=f"{service['prefix']}:{privilege['privilege']}",
            access_level=privilege["access_level"],
            resource_types=resource_types,
        )


def _merged(first: ActionInfo, second: ActionInfo) -> ActionInfo:
    extra = tuple(kind for kind in second.resource_types if kind not in first.resource_types)
    return ActionInfo(first.action, first.access_level, first.resource_types + extra)


def definition_path() -> Path:
    """Where parliament's ``iam_definition.json`` lives (found without importing parliament)."""
    spec = importlib.util.find_spec("parliament")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "parliament is not installed: its iam_definition.json is the IAM action "
            "catalogue estate.iam checks actions against; run `make env`"
        )
    return Path(next(iter(spec.submodule_search_locations))) / _DEFINITION_FILE


@functools.cache
def action_catalogue() -> ActionCatalogue:
    """The catalogue, parsed once per process."""
    with definition_path().open(encoding="utf-8") as definition:
        return ActionCatalogue(json.load(definition))


def action_exists(action: str) -> bool:
    """True if ``action`` names one real IAM action (any letter case, as IAM compares them).

    Wildcards never match: ``s3:Get*`` is a pattern, not an action.
    """
    return action_catalogue().canonical(action) is not None


def actions_on(service: str, resource_type: str) -> tuple[str, ...]:
    """Every ``service`` action that acts on ``resource_type`` (sorted): e.g. what ``kms:*``
    means on one key, spelled out, is ``actions_on("kms", "key")``."""
    catalogue = action_catalogue()
    prefix = f"{service}:"
    return tuple(
        action
        for action in catalogue.actions()
        if action.startswith(prefix)
        and any(kind.name == resource_type for kind in catalogue.info(action).resource_types)  # type: ignore[union-attr]
    )
