"""The materialiser registry: Pulumi resource type -> a function that creates it in moto.

A materialiser receives the world (clients per account and region, what was created so
far) and the resource with its inputs already translated from mock values to real ones;
it returns the real attributes other resources may reference (``arn``, ``url``, ...).
Register one with ``@materialiser("aws:sqs/queue:Queue")`` in a module of
``estate.emulator.materialisers``; every module there is imported on first use.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

Materialised = dict[str, Any]


@dataclass(frozen=True)
class Resource:
    """One recorded resource as a materialiser sees it."""

    type: str
    name: str  # the logical name
    urn: str
    account_id: str
    region: str
    inputs: Mapping[str, Any]  # camelCase, mock values replaced by real ones
    fake: Mapping[str, Any] = field(default_factory=dict)  # the mock's state of it


class World(Protocol):
    """What materialisers may use of the emulator."""

    def client(self, service: str, account_id: str, region: str) -> Any:
        """A boto3 client acting in ``account_id``."""

    def created(self, urn: str) -> Materialised:
        """The real attributes of a resource materialised earlier."""

    def add_stream_mapping(self, mapping: Any) -> None:
        """Remember a stream -> function mapping the emulator polls itself."""


Materialiser = Callable[[World, Resource], Materialised]
_REGISTRY: dict[str, Materialiser] = {}


def materialiser(*types: str) -> Callable[[Materialiser], Materialiser]:
    """Register the decorated function for ``types``; a type registered twice is an error."""

    def register(function: Materialiser) -> Materialiser:
        for type_token in types:
            if type_token in _REGISTRY:
                raise ValueError(f"{type_token} already has a materialiser")
            _REGISTRY[type_token] = function
        return function

    return register


@cache
def _load_modules() -> None:
    package = importlib.import_module("estate.emulator.materialisers")
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")


def registry() -> Mapping[str, Materialiser]:
    """Every registered materialiser, by Pulumi type."""
    _load_modules()
    return dict(_REGISTRY)
